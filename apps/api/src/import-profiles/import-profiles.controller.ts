import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { BadRequest, invalidField } from '../../../../libs/common/src';
import { FileImportsService, FileImportView } from '../../../../libs/import/src';
import { FILE_IMPORT_SCHEMA } from '../file-imports/file-imports.controller';
import { fileUploadOf, resourceTypeAuthorizer } from '../file-imports/file-import-upload';
import { AuthenticatedRequest } from '../../../../libs/auth/src';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, BODY_ERRORS, GUARDED_ERRORS } from '../../../../libs/common/src';
import {
  ImportProfileDraftView,
  ImportProfilePagedView,
  ImportProfileReplaceView,
  ImportProfilesService,
  ImportProfileView,
  ProfileAuditPagedView,
  ProfileCloneDraftView,
  ProfileDependenciesView,
  SORTABLE_PROFILE_FIELDS,
} from '../../../../libs/profiles/src';


const PROFILE_KEY = { name: 'importProfileKey', description: 'The import profile key (^[A-Za-z0-9_-]+$, 2..256)' };
const VALIDATION = 'The body is validated whole: unknown fields, bad settings and mapping entries whose target is not a path of the resource type are 400 InvalidField naming the field (e.g. `mapping[2].generate`).';

/** Import profiles (SPEC section 8, issue 18): named, versioned, reusable file-import definitions. */
@ApiTags('Import Profiles')
@ApiBerthAuth()
@Controller(':projectKey/import-profiles')
export class ImportProfilesController {
  constructor(
    private readonly profiles: ImportProfilesService,
    private readonly fileImports: FileImportsService,
  ) {}

  @Post()
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Create an import profile', description: `400 DuplicateField when the key exists. ${VALIDATION} Scope: manage_import_containers.` })
  @ApiBody({ type: ImportProfileDraftView })
  @ApiCreatedResponse({ type: ImportProfileView })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS)
  create(@Param('projectKey') projectKey: string, @Body() body: unknown, @Req() request: AuthenticatedRequest): Promise<ImportProfileView> {
    return this.profiles.create(projectKey, body, request.principal?.clientId);
  }

  @Get()
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Query import profiles (paged)', description: 'Scope: manage_import_containers or view_import_containers.' })
  @ApiPagingQuery(Object.keys(SORTABLE_PROFILE_FIELDS))
  @ApiOkResponse({ type: ImportProfilePagedView })
  @ApiErrorResponses(...GUARDED_ERRORS)
  query(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<ImportProfilePagedView> {
    return this.profiles.query(projectKey, query);
  }

  @Get(':importProfileKey')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Get an import profile by key', description: 'Scope: manage_import_containers or view_import_containers.' })
  @ApiParam(PROFILE_KEY)
  @ApiOkResponse({ type: ImportProfileView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  get(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string): Promise<ImportProfileView> {
    return this.profiles.get(projectKey, key);
  }

  @Put(':importProfileKey')
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Replace an import profile (versioned)',
    description: `The whole profile with its current \`version\` (id, createdAt and lastModifiedAt may be sent back; they are ignored). 409 ConcurrentModification when \`version\` is not the current one. ${VALIDATION} Scope: manage_import_containers.`,
  })
  @ApiParam(PROFILE_KEY)
  @ApiBody({ type: ImportProfileReplaceView })
  @ApiOkResponse({ type: ImportProfileView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404, 409, ...BODY_ERRORS)
  replace(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string, @Body() body: unknown, @Req() request: AuthenticatedRequest): Promise<ImportProfileView> {
    return this.profiles.replace(projectKey, key, body, request.principal?.clientId);
  }

  @Patch(':importProfileKey')
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Change an import profile with a JSON merge patch (RFC 7396, versioned)',
    description: `Content-Type application/merge-patch+json (or application/json). The patch holds the current \`version\`; null removes a field, objects merge, arrays replace. 409 ConcurrentModification on a stale version. ${VALIDATION} Scope: manage_import_containers.`,
  })
  @ApiConsumes('application/merge-patch+json', 'application/json')
  @ApiParam(PROFILE_KEY)
  @ApiBody({ schema: { type: 'object', required: ['version'], properties: { version: { type: 'integer', minimum: 1 } }, additionalProperties: true } })
  @ApiOkResponse({ type: ImportProfileView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404, 409, ...BODY_ERRORS)
  patch(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string, @Body() body: unknown, @Req() request: AuthenticatedRequest): Promise<ImportProfileView> {
    return this.profiles.patch(projectKey, key, body, request.principal?.clientId);
  }

  @Delete(':importProfileKey')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Delete an import profile', description: 'Answers the deleted profile. Scope: manage_import_containers.' })
  @ApiParam(PROFILE_KEY)
  @ApiOkResponse({ type: ImportProfileView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  delete(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string, @Req() request: AuthenticatedRequest): Promise<ImportProfileView> {
    return this.profiles.delete(projectKey, key, request.principal?.clientId);
  }

  @Post(':importProfileKey/clone')
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Clone an import profile under a new key', description: 'A copy with version 1. 400 DuplicateField when the new key exists. Scope: manage_import_containers.' })
  @ApiParam(PROFILE_KEY)
  @ApiBody({ type: ProfileCloneDraftView })
  @ApiCreatedResponse({ type: ImportProfileView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404, ...BODY_ERRORS)
  clone(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string, @Body() body: unknown, @Req() request: AuthenticatedRequest): Promise<ImportProfileView> {
    return this.profiles.clone(projectKey, key, body, request.principal?.clientId);
  }

  @Post(':importProfileKey/invoke')
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Run an import profile: a file import into the container `container` with the profile\'s settings and mapping',
    description:
      'The body is a file or inline inputs, exactly as for `POST …/import-containers/{key}/file-imports`; query options (and a multipart `settings` part or inline fields) override the profile\'s. ' +
      'Answered as file imports are: 200 with the job when it finished within `wait` seconds, else 202 with a Location; the job names the profile (`profileKey`). ' +
      'Needs manage_import_containers and the manage scope of the profile\'s resource type.',
  })
  @ApiConsumes('text/csv', 'application/json', 'application/x-ndjson', 'application/xml', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiParam(PROFILE_KEY)
  @ApiQuery({ name: 'container', required: true, description: 'The key of the import container to import into' })
  @ApiOkResponse({ description: 'The job, finished (or awaiting its confirm)', schema: FILE_IMPORT_SCHEMA })
  @ApiAcceptedResponse({ description: 'The job, still running: poll the Location', schema: FILE_IMPORT_SCHEMA })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS, 404)
  async invoke(
    @Param('projectKey') projectKey: string,
    @Param('importProfileKey') key: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request & AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FileImportView> {
    const { container, ...options } = query;
    let profile;
    try {
      if (typeof container !== 'string' || container === '') throw new BadRequest([invalidField('container', container ?? null, "The query parameter 'container' (the import container key) is required, once.")]);
      profile = await this.profiles.fileImportProfile(projectKey, key);
    } catch (error) {
      request.resume();
      throw error;
    }
    const answer = await this.fileImports.upload(projectKey, container, options, fileUploadOf(request), request.principal?.clientId, resourceTypeAuthorizer(request, projectKey), profile);
    response.status(answer.done ? 200 : 202);
    if (!answer.done) response.setHeader('Location', answer.location);
    return answer.view;
  }

  @Get(':importProfileKey/dependencies')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'The containers and file imports that used an import profile', description: 'Scope: manage_import_containers or view_import_containers.' })
  @ApiParam(PROFILE_KEY)
  @ApiOkResponse({ type: ProfileDependenciesView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  dependencies(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string): Promise<ProfileDependenciesView> {
    return this.profiles.dependencies(projectKey, key);
  }

  @Get(':importProfileKey/audit')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({
    summary: 'The change log of an import profile (its events, newest first)',
    description: 'ImportProfileCreated / ImportProfileUpdated (with changedFields) / ImportProfileDeleted events with the acting client, paged. Scope: manage_import_containers or view_import_containers.',
  })
  @ApiParam(PROFILE_KEY)
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 0, maximum: 500, default: 20 } })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, maximum: 10000, default: 0 } })
  @ApiQuery({ name: 'sort', required: false, description: '`createdAt asc` for oldest first (default `createdAt desc`)', schema: { type: 'string', example: 'createdAt asc' } })
  @ApiOkResponse({ type: ProfileAuditPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  audit(@Param('projectKey') projectKey: string, @Param('importProfileKey') key: string, @Query() query: Record<string, unknown>): Promise<ProfileAuditPagedView> {
    return this.profiles.audit(projectKey, key, query);
  }
}
