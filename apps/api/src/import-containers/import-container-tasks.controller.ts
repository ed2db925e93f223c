import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { ApiBerthAuth, ApiErrorResponses, BODY_ERRORS, GUARDED_ERRORS } from '../../../../libs/common/src';
import { CONTAINER_TASKS, ContainerStatusService, ContainerStatusView, ContainerTasksService } from '../../../../libs/import/src';

interface AuthenticatedRequest {
  principal?: { clientId: string };
}

const CONTAINER_KEY = { name: 'importContainerKey', description: 'The import container key (^[a-zA-Z0-9_-]+$, 1..256)' };

/** Processing control and status of one import container (Berth, beyond commercetools: SPEC section 8). */
@ApiTags('Import Containers')
@ApiBerthAuth()
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
  @ApiParam(CONTAINER_KEY)
  // 400: no or an unknown `task`; 409: the task is not allowed in the container's current state (InvalidOperation, naming it).
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS, 404, 409)
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
  @ApiParam(CONTAINER_KEY)
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  status(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ContainerStatusView> {
    return this.statuses.status(projectKey, key);
  }
}
