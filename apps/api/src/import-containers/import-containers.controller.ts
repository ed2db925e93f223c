import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, BODY_ERRORS, GUARDED_ERRORS } from '../../../../libs/common/src';
import {
  ImportContainerDraftDto,
  ImportContainerPagedView,
  ImportContainersService,
  ImportContainerUpdateDraftDto,
  ImportContainerView,
  SORTABLE_CONTAINER_FIELDS,
} from '../../../../libs/import/src';

interface AuthenticatedRequest {
  principal?: { clientId: string };
}

const CONTAINER_KEY = { name: 'importContainerKey', description: 'The import container key (^[a-zA-Z0-9_-]+$, 1..256)' };

@ApiTags('Import Containers')
@ApiBerthAuth()
@Controller(':projectKey/import-containers')
export class ImportContainersController {
  constructor(private readonly containers: ImportContainersService) {}

  @Post()
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Create an import container', description: '400 DuplicateField when the key exists. Scope: manage_import_containers.' })
  @ApiCreatedResponse({ type: ImportContainerView })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS)
  create(@Param('projectKey') projectKey: string, @Body() draft: ImportContainerDraftDto, @Req() request: AuthenticatedRequest): Promise<ImportContainerView> {
    return this.containers.create(projectKey, draft, request.principal?.clientId);
  }

  @Get()
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Query import containers (paged)', description: 'Scope: manage_import_containers or view_import_containers.' })
  @ApiPagingQuery(Object.keys(SORTABLE_CONTAINER_FIELDS))
  @ApiOkResponse({ type: ImportContainerPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS)
  query(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<ImportContainerPagedView> {
    return this.containers.query(projectKey, query);
  }

  @Get(':importContainerKey')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Get an import container by key', description: 'Scope: manage_import_containers or view_import_containers.' })
  @ApiParam(CONTAINER_KEY)
  @ApiOkResponse({ type: ImportContainerView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  get(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ImportContainerView> {
    return this.containers.get(projectKey, key);
  }

  @Put(':importContainerKey')
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Update an import container (versioned)', description: '409 ConcurrentModification when `version` is not the current one. Scope: manage_import_containers.' })
  @ApiParam(CONTAINER_KEY)
  @ApiOkResponse({ type: ImportContainerView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404, 409, ...BODY_ERRORS)
  update(
    @Param('projectKey') projectKey: string,
    @Param('importContainerKey') key: string,
    @Body() draft: ImportContainerUpdateDraftDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ImportContainerView> {
    return this.containers.update(projectKey, key, draft, request.principal?.clientId);
  }

  @Delete(':importContainerKey')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Delete an import container and its operations', description: 'Scope: manage_import_containers.' })
  @ApiParam(CONTAINER_KEY)
  @ApiOkResponse({ type: ImportContainerView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  delete(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string, @Req() request: AuthenticatedRequest): Promise<ImportContainerView> {
    return this.containers.delete(projectKey, key, request.principal?.clientId);
  }
}
