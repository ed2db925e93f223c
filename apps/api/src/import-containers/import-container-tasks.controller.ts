import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { CONTAINER_TASKS, ContainerStatusService, ContainerStatusView, ContainerTasksService } from '../../../../libs/import/src';

interface AuthenticatedRequest {
  principal?: { clientId: string };
}

const UNAUTHORIZED = { status: 401, description: 'Missing, invalid or expired token (ErrorResponse, code `invalid_token`).' };
const FORBIDDEN = { status: 403, description: 'The token lacks the scope or is for another project (ErrorResponse, code `insufficient_scope`).' };
const NOT_FOUND = { status: 404, description: 'The import container does not exist (ErrorResponse, code `ResourceNotFound`).' };

/** Processing control and status of one import container (Berth, beyond commercetools: SPEC section 8). */
@ApiTags('Import Containers')
@ApiBearerAuth()
@Controller(':projectKey/import-containers/:importContainerKey')
export class ImportContainerTasksController {
  constructor(
    private readonly tasks: ContainerTasksService,
    private readonly statuses: ContainerStatusService,
  ) {}

  @Post('tasks')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Pause, resume or cancel the processing of an import container',
    description:
      'pause: requests are still accepted, none of the operations is processed (those being settled finish). resume: processing continues at once. ' +
      'cancel: every operation not yet final ends `canceled`, and the container accepts no new import requests; a canceled container cannot be resumed. ' +
      'Answers the container status.',
  })
  @ApiBody({ schema: { type: 'object', required: ['task'], properties: { task: { type: 'string', enum: [...CONTAINER_TASKS] } } } })
  @ApiOkResponse({ type: ContainerStatusView, description: 'The container status after the task' })
  @ApiResponse({ status: 400, description: 'No or an unknown `task` (ErrorResponse, code `InvalidInput`).' })
  @ApiResponse(UNAUTHORIZED)
  @ApiResponse(FORBIDDEN)
  @ApiResponse(NOT_FOUND)
  @ApiResponse({ status: 409, description: 'The task is not allowed in the container’s current state (ErrorResponse, code `InvalidOperation`, naming the state).' })
  run(
    @Param('projectKey') projectKey: string,
    @Param('importContainerKey') key: string,
    @Body() body: unknown,
    @Req() request: AuthenticatedRequest,
  ): Promise<ContainerStatusView> {
    return this.tasks.run(projectKey, key, body, request.principal?.clientId);
  }

  @Get('status')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Processing status of an import container: state, counts, progress and times' })
  @ApiOkResponse({ type: ContainerStatusView })
  @ApiResponse({ status: 400, description: 'Malformed request (ErrorResponse).' })
  @ApiResponse(UNAUTHORIZED)
  @ApiResponse(FORBIDDEN)
  @ApiResponse(NOT_FOUND)
  status(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ContainerStatusView> {
    return this.statuses.status(projectKey, key);
  }
}
