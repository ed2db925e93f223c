import { Controller, Get, Inject, Param, Query, Type } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { DomainReadService, READABLE_RESOURCES, ReadableResource, refuseExpand } from '../../../../libs/catalog/src';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, GUARDED_ERRORS } from '../../../../libs/common/src';

/** Sort fields of every read API list (DomainReadService.list). */
export const READ_SORT_FIELDS = ['key', 'createdAt', 'lastModifiedAt', 'id'] as const;

/** The `where` subset of DomainReadService (README "Query predicates on the read API"), per resource. */
function whereDescription(resource: ReadableResource): string {
  const plain = ['id', resource.keyColumnIs ?? 'key', ...Object.keys(resource.predicates?.plain ?? {})];
  const localized = Object.keys(resource.predicates?.localized ?? {});
  return (
    `Repeatable query predicate (several are joined by \`and\`), a subset of commercetools': \`=\` and \`in\` on ${plain.map((field) => `\`${field}\``).join(', ')}` +
    (localized.length > 0 ? `, and on one locale of ${localized.map((field) => `\`${field}\``).join(', ')} (e.g. \`${localized[0]}(en = "red-shirt")\`)` : '') +
    `, joined by \`and\`; e.g. \`key in ("a", "b")\`. Anything else (\`or\`, \`not\`, \`<\`, other fields) is 400 InvalidInput.`
  );
}

/** Read API of one imported resource type, in commercetools HTTP API style and shapes. */
function readController(resource: ReadableResource): Type<unknown> {
  const scopes = `Scope: ${resource.scopes.join(' or ')}.`;
  @ApiTags('Imported resources')
  @ApiBerthAuth()
  @Controller(`:projectKey/${resource.path}`)
  class ReadController {
    constructor(@Inject(DomainReadService) private readonly read: DomainReadService) {}

    @Get()
    @RequireScopes(...resource.scopes)
    @ApiOperation({ summary: `Query ${resource.name} resources (paged)`, description: `${scopes} \`expand\` is not supported (400).` })
    @ApiPagingQuery(READ_SORT_FIELDS)
    @ApiQuery({ name: 'where', required: false, description: whereDescription(resource), schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true })
    @ApiOkResponse({ description: `Paged ${resource.name} results {limit, offset, count, total, results}` })
    @ApiErrorResponses(...GUARDED_ERRORS)
    list(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>) {
      return this.read.list(resource, projectKey, query);
    }

    @Get('key=:key')
    @RequireScopes(...resource.scopes)
    @ApiOperation({ summary: `Get a ${resource.name} by key`, description: scopes })
    @ApiParam({ name: 'key', description: `The ${resource.name}'s key` })
    @ApiOkResponse({ description: `The ${resource.name}` })
    @ApiErrorResponses(...GUARDED_ERRORS, 404)
    byKey(@Param('projectKey') projectKey: string, @Param('key') key: string, @Query() query: Record<string, unknown>) {
      refuseExpand(query);
      return this.read.byKey(resource, projectKey, key);
    }

    @Get(':id')
    @RequireScopes(...resource.scopes)
    @ApiOperation({ summary: `Get a ${resource.name} by id`, description: scopes })
    @ApiParam({ name: 'id', description: `The ${resource.name}'s id (UUID)` })
    @ApiOkResponse({ description: `The ${resource.name}` })
    @ApiErrorResponses(...GUARDED_ERRORS, 404)
    byId(@Param('projectKey') projectKey: string, @Param('id') id: string, @Query() query: Record<string, unknown>) {
      refuseExpand(query);
      return this.read.byId(resource, projectKey, id);
    }
  }
  Object.defineProperty(ReadController, 'name', { value: `${resource.name}ReadController` });
  return ReadController;
}

export const READ_CONTROLLERS = READABLE_RESOURCES.map(readController);
