import { Controller, Get, Inject, Param, Query, Type } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { DomainReadService, READABLE_RESOURCES, ReadableResource, refuseExpand } from '../../../../libs/catalog/src';

/** Read API of one imported resource type, in commercetools HTTP API style and shapes. */
function readController(resource: ReadableResource): Type<unknown> {
  @ApiTags('Imported resources')
  @ApiBearerAuth()
  @Controller(`:projectKey/${resource.path}`)
  class ReadController {
    constructor(@Inject(DomainReadService) private readonly read: DomainReadService) {}

    @Get()
    @RequireScopes(...resource.scopes)
    @ApiOkResponse({ description: `Paged ${resource.name} results` })
    list(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>) {
      return this.read.list(resource, projectKey, query);
    }

    @Get('key=:key')
    @RequireScopes(...resource.scopes)
    byKey(@Param('projectKey') projectKey: string, @Param('key') key: string, @Query() query: Record<string, unknown>) {
      refuseExpand(query);
      return this.read.byKey(resource, projectKey, key);
    }

    @Get(':id')
    @RequireScopes(...resource.scopes)
    byId(@Param('projectKey') projectKey: string, @Param('id') id: string, @Query() query: Record<string, unknown>) {
      refuseExpand(query);
      return this.read.byId(resource, projectKey, id);
    }
  }
  Object.defineProperty(ReadController, 'name', { value: `${resource.name}ReadController` });
  return ReadController;
}

export const READ_CONTROLLERS = READABLE_RESOURCES.map(readController);
