import { Body, Controller, HttpCode, Inject, Param, Post, Type } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { REFERENCED_RESOURCES, ReferencedResourceDefinition, ReferencedResourcesService } from '../../../../libs/catalog/src/referenced';

/**
 * `POST /{projectKey}/{path}` of one referenced-only resource (channels, tax categories, …), which imports reference
 * but cannot create. Reading them (`GET …`, `/key={key}`, `/{id}`) is the generic read API (read.controllers.ts).
 */
function referencedController(definition: ReferencedResourceDefinition): Type<unknown> {
  @ApiTags('Referenced resources')
  @ApiBearerAuth()
  @Controller(`:projectKey/${definition.path}`)
  class ReferencedController {
    constructor(@Inject(ReferencedResourcesService) private readonly resources: ReferencedResourcesService) {}

    @Post()
    @HttpCode(201)
    @RequireScopes(...definition.manageScopes)
    @ApiOperation({ summary: `Create a ${definition.name}`, operationId: `create-${definition.path}` })
    @ApiBody({ schema: definition.draft })
    @ApiCreatedResponse({ description: `The created ${definition.name}` })
    @ApiBadRequestResponse({ description: 'InvalidField, DuplicateField (key) or ReferencedResourceNotFound' })
    create(@Param('projectKey') projectKey: string, @Body() draft: unknown): Promise<Record<string, unknown>> {
      return this.resources.create(definition, projectKey, draft);
    }
  }
  Object.defineProperty(ReferencedController, 'name', { value: `${definition.name}CreateController` });
  return ReferencedController;
}

/** Controllers of the referenced-only resources (channels, tax categories, …): POST here, GETs from the read API. */
export const REFERENCED_CONTROLLERS: Array<Type<unknown>> = REFERENCED_RESOURCES.map(referencedController);
