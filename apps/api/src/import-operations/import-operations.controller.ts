import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, GUARDED_ERRORS } from '../../../../libs/common/src';
import { ImportOperationPagedView, ImportOperationsService, ImportOperationView, ImportSummaryView, PROCESSING_STATES } from '../../../../libs/import/src';

/** Sort fields of the operations query (ImportOperationsService). */
const OPERATION_SORT_FIELDS = ['createdAt', 'lastModifiedAt', 'resourceKey', 'state', 'version', 'expiresAt'];
const CONTAINER_KEY = { name: 'importContainerKey', description: 'The import container key' };
const SCOPES = 'Scope: manage_import_containers or view_import_containers.';

@ApiTags('Import Operations')
@ApiBerthAuth()
@Controller(':projectKey')
export class ImportOperationsController {
  constructor(private readonly operations: ImportOperationsService) {}

  @Get('import-containers/:importContainerKey/import-operations')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Query the import operations of a container (paged)', description: SCOPES })
  @ApiParam(CONTAINER_KEY)
  @ApiPagingQuery(OPERATION_SORT_FIELDS)
  @ApiQuery({ name: 'state', required: false, enum: PROCESSING_STATES, description: 'Only operations in this state' })
  @ApiQuery({ name: 'resourceKey', required: false, type: String, description: 'Only operations of this resource key' })
  @ApiQuery({ name: 'debug', required: false, type: Boolean, description: 'true adds unresolvedReferences (errors are always included)' })
  @ApiOkResponse({ type: ImportOperationPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  query(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string, @Query() query: Record<string, unknown>): Promise<ImportOperationPagedView> {
    return this.operations.query(projectKey, key, query);
  }

  @Get('import-containers/:importContainerKey/import-summaries')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Count the operations of a container by state', description: `All eight states are always present. ${SCOPES}` })
  @ApiParam(CONTAINER_KEY)
  @ApiOkResponse({ type: ImportSummaryView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  summary(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ImportSummaryView> {
    return this.operations.summary(projectKey, key);
  }

  @Get('import-operations/:id')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Get an import operation by id', description: `With unresolvedReferences and errors. ${SCOPES}` })
  @ApiParam({ name: 'id', description: 'The operation id (UUID)' })
  @ApiOkResponse({ type: ImportOperationView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  get(@Param('projectKey') projectKey: string, @Param('id') id: string): Promise<ImportOperationView> {
    return this.operations.get(projectKey, id);
  }
}
