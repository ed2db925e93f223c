import type { IncomingMessage } from 'node:http';
import { Body, Controller, HttpCode, Inject, Param, Post, Req, Type } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { ApiBerthAuth, ApiErrorResponses, BODY_ERRORS, GUARDED_ERRORS, rawJsonOf } from '../../../../libs/common/src';
import { ImportRequestsService, ImportResponseView, RESOURCE_TYPES, ResourceTypeInfo } from '../../../../libs/import/src';
import { type ImportResourceType, importRequestSchemaName } from '../../../../libs/import/src/validation/import-request.validator';

/**
 * One controller per Import API resource path (`/{projectKey}/{path}/import-containers/{key}`),
 * each guarded by the resource's own scopes as the OpenAPI file declares them.
 */
function importRequestController(info: ResourceTypeInfo): Type<unknown> {
  @ApiTags('Import Requests')
  @ApiBerthAuth()
  @Controller(`:projectKey/${info.path}/import-containers`)
  class ImportRequestController {
    constructor(@Inject(ImportRequestsService) private readonly requests: ImportRequestsService) {}

    @Post(':importContainerKey')
    @HttpCode(201)
    @RequireScopes(...info.scopes)
    @ApiOperation({
      summary: `Import ${info.path} (${info.type} resources) into a container`,
      description: `Body \`{type: "${info.type}", ${info.itemsField}: […]}\` with 1..20 items, validated against the official schema; any invalid item rejects the whole request (400, one InvalidField per problem). Scope: ${info.scopes.join(' or ')}.`,
      operationId: `import-${info.path}`,
    })
    @ApiParam({ name: 'importContainerKey', description: 'Key of an existing import container (400 when it does not exist)' })
    @ApiBody({ schema: { $ref: `#/components/schemas/${importRequestSchemaName(info.type as ImportResourceType)}` } })
    @ApiCreatedResponse({ type: ImportResponseView, description: 'One operation per item, in order, state processing (stored and committed)' })
    @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS)
    create(@Param('projectKey') projectKey: string, @Param('importContainerKey') containerKey: string, @Body() body: unknown, @Req() req: IncomingMessage): Promise<ImportResponseView> {
      // The text the body was parsed from: the operations are stored from it, not from a second serialisation.
      return this.requests.accept(projectKey, containerKey, info, body, rawJsonOf(req));
    }
  }
  Object.defineProperty(ImportRequestController, 'name', { value: `Import${info.path.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Controller` });
  return ImportRequestController;
}

export const IMPORT_REQUEST_CONTROLLERS = RESOURCE_TYPES.map(importRequestController);
