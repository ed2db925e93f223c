import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import {
  ImportContainerDraftDto,
  ImportContainerPagedView,
  ImportContainersService,
  ImportContainerUpdateDraftDto,
  ImportContainerView,
} from '../../../../libs/import/src';

@ApiTags('Import Containers')
@ApiBearerAuth()
@Controller(':projectKey/import-containers')
export class ImportContainersController {
  constructor(private readonly containers: ImportContainersService) {}

  @Post()
  @RequireScopes('manage_import_containers')
  @ApiCreatedResponse({ type: ImportContainerView })
  create(@Param('projectKey') projectKey: string, @Body() draft: ImportContainerDraftDto): Promise<ImportContainerView> {
    return this.containers.create(projectKey, draft);
  }

  @Get()
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOkResponse({ type: ImportContainerPagedView })
  query(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<ImportContainerPagedView> {
    return this.containers.query(projectKey, query);
  }

  @Get(':importContainerKey')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOkResponse({ type: ImportContainerView })
  get(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ImportContainerView> {
    return this.containers.get(projectKey, key);
  }

  @Put(':importContainerKey')
  @RequireScopes('manage_import_containers')
  @ApiOkResponse({ type: ImportContainerView })
  update(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string, @Body() draft: ImportContainerUpdateDraftDto): Promise<ImportContainerView> {
    return this.containers.update(projectKey, key, draft);
  }

  @Delete(':importContainerKey')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOkResponse({ type: ImportContainerView })
  delete(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string): Promise<ImportContainerView> {
    return this.containers.delete(projectKey, key);
  }
}
