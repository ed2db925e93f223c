import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { ImportOperationPagedView, ImportOperationsService, ImportOperationView, ImportSummaryView } from '../../../../libs/import/src';

@ApiTags('Import Operations')
@ApiBearerAuth()
@Controller(':projectKey')
export class ImportOperationsController {
  constructor(private readonly operations: ImportOperationsService) {}

  @Get('import-containers/:importContainerKey/import-operations')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOkResponse({ type: ImportOperationPagedView })
  query(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string, @Query() query: Record<string, unknown>): Promise<ImportOperationPagedView> {
    return this.operations.query(projectKey, key, query);
  }

  @Get('import-containers/:importContainerKey/import-summaries')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOkResponse({ type: ImportSummaryView })
  summary(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ImportSummaryView> {
    return this.operations.summary(projectKey, key);
  }

  @Get('import-operations/:id')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOkResponse({ type: ImportOperationView })
  get(@Param('projectKey') projectKey: string, @Param('id') id: string): Promise<ImportOperationView> {
    return this.operations.get(projectKey, id);
  }
}
