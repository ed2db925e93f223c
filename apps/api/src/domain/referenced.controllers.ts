import { Body, Controller, HttpCode, Inject, Param, Post, Type } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src';
import { ApiBerthAuth, ApiErrorResponses, BODY_ERRORS, GUARDED_ERRORS, jsonSchemaToOpenApi } from '../../../../libs/common/src';
import { REFERENCED_RESOURCES, ReferencedResourceDefinition, ReferencedResourcesService } from '../../../../libs/catalog/src/referenced';

/**
 * `POST /{projectKey}/{path}` of one referenced-only resource (channels, tax categories, …), which imports reference
 * but cannot create. Reading them (`GET …`, `/key={key}`, `/{id}`) is the generic read API (read.controllers.ts).
 */
function referencedController(definition: ReferencedResourceDefinition): Type<unknown> {
  @ApiTags('Referenced resources')
  @ApiBerthAuth()
  @Controller(`:projectKey/${definition.path}`)
  class ReferencedController {
    constructor(@Inject(ReferencedResourcesService) private readonly resources: ReferencedResourcesService) {}

    @Post()
    @HttpCode(201)
    @RequireScopes(...definition.manageScopes)
    @ApiOperation({
      summary: `Create a ${definition.name}`,
      description: `A commercetools ${definition.name}Draft (key required). 400 DuplicateField for an existing key, InvalidField for a bad draft. Scope: ${definition.manageScopes.join(' or ')}.`,
      operationId: `create-${definition.path}`,
    })
    @ApiBody({ schema: jsonSchemaToOpenApi(definition.draft as Record<string, unknown>) })
    @ApiCreatedResponse({ description: `The created ${definition.name}` })
    @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS)
    create(@Param('projectKey') projectKey: string, @Body() draft: unknown): Promise<Record<string, unknown>> {
      return this.resources.create(definition, projectKey, draft);
    }
  }
  Object.defineProperty(ReferencedController, 'name', { value: `${definition.name}CreateController` });
  return ReferencedController;
}

/** Controllers of the referenced-only resources (channels, tax categories, …): POST here, GETs from the read API. */
export const REFERENCED_CONTROLLERS: Array<Type<unknown>> = REFERENCED_RESOURCES.map(referencedController);
