import { Body, Controller, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { ApiBerthAuth, ApiErrorResponses, BODY_ERRORS, GUARDED_ERRORS } from '../../../../libs/common/src';
import { ContainerCloneService, ImportContainerView } from '../../../../libs/import/src';

interface AuthenticatedRequest {
  principal?: { clientId: string };
}

/** Container clone (Berth, beyond commercetools: SPEC section 8, issue 18). */
@ApiTags('Import Containers')
@ApiBerthAuth()
@Controller(':projectKey/import-containers/:importContainerKey')
export class ImportContainerCloneController {
  constructor(private readonly clones: ContainerCloneService) {}

  @Post('clone')
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Clone an import container under a new key',
    description:
      'A new container with the source\'s resourceType and retentionPolicy (expiresAt counted from now), version 1 and no operations. ' +
      '400 DuplicateField when the new key exists; the per-project container limit applies. Scope: manage_import_containers.',
  })
  @ApiParam({ name: 'importContainerKey', description: 'The key of the container to clone' })
  @ApiBody({ schema: { type: 'object', required: ['key'], properties: { key: { type: 'string', pattern: '^[a-zA-Z0-9_-]+$', minLength: 1, maxLength: 256 } }, additionalProperties: false } })
  @ApiCreatedResponse({ type: ImportContainerView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404, ...BODY_ERRORS)
  clone(@Param('projectKey') projectKey: string, @Param('importContainerKey') key: string, @Body() body: unknown, @Req() request: AuthenticatedRequest): Promise<ImportContainerView> {
    return this.clones.clone(projectKey, key, body, request.principal?.clientId);
  }
}
