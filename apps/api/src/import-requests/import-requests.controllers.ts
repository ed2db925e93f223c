import { Body, Controller, HttpCode, Inject, Param, Post, Type } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { ImportRequestsService, ImportResponseView, RESOURCE_TYPES, ResourceTypeInfo } from '../../../../libs/import/src';

/**
 * One controller per Import API resource path (`/{projectKey}/{path}/import-containers/{key}`),
 * each guarded by the resource's own scopes as the OpenAPI file declares them.
 */
function importRequestController(info: ResourceTypeInfo): Type<unknown> {
  @ApiTags('Import Requests')
  @ApiBearerAuth()
  @Controller(`:projectKey/${info.path}/import-containers`)
  class ImportRequestController {
    constructor(@Inject(ImportRequestsService) private readonly requests: ImportRequestsService) {}

    @Post(':importContainerKey')
    @HttpCode(201)
    @RequireScopes(...info.scopes)
    @ApiOperation({ summary: `Import ${info.path}`, operationId: `import-${info.path}` })
    @ApiBody({ schema: { type: 'object', required: ['type', info.itemsField], properties: { type: { type: 'string', enum: [info.type] }, [info.itemsField]: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'object' } } } } })
    @ApiCreatedResponse({ type: ImportResponseView })
    create(@Param('projectKey') projectKey: string, @Param('importContainerKey') containerKey: string, @Body() body: unknown): Promise<ImportResponseView> {
      return this.requests.accept(projectKey, containerKey, info, body);
    }
  }
  Object.defineProperty(ImportRequestController, 'name', { value: `Import${info.path.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Controller` });
  return ImportRequestController;
}

export const IMPORT_REQUEST_CONTROLLERS = RESOURCE_TYPES.map(importRequestController);
