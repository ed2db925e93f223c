import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuthenticatedRequest, RequireScopes } from '../../../../libs/auth/src';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, BODY_ERRORS, GUARDED_ERRORS, PagedResponse } from '../../../../libs/common/src';
import { FileImportsService, FileImportView, OPTION_NAMES } from '../../../../libs/import/src';
import { fileUploadOf, resourceTypeAuthorizer } from './file-import-upload';

const CONTAINER_KEY = { name: 'importContainerKey', description: 'The import container key' };
const FILE_IMPORT_ID = { name: 'fileImportId', description: 'The file import id (a UUID)' };

const ROW_ERROR_SCHEMA = {
  type: 'object',
  required: ['row', 'code', 'message'],
  properties: { row: { type: 'integer' }, key: { type: 'string' }, field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
};

/** The FileImport representation (issue 17). */
export const FILE_IMPORT_SCHEMA = {
  type: 'object',
  required: ['id', 'importContainerKey', 'state', 'resourceType', 'format', 'dryRun', 'errorPolicy', 'counts', 'errors', 'errorsTotal', 'warnings', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    importContainerKey: { type: 'string' },
    state: { type: 'string', enum: ['queued', 'running', 'awaitingConfirm', 'completed', 'failed', 'canceled'] },
    resourceType: { type: 'string' },
    format: { type: 'string', enum: ['csv', 'json', 'ndjson', 'xml'] },
    dryRun: { type: 'boolean' },
    errorPolicy: { type: 'string', enum: ['skipFailedRows', 'rejectAll'] },
    reference: { type: 'string' },
    referenceOrigin: { type: 'string' },
    metadata: { type: 'object' },
    profileKey: { type: 'string' },
    counts: {
      type: 'object',
      properties: Object.fromEntries(['rows', 'accepted', 'invalid', 'imported', 'failed', 'destroyed'].map((name) => [name, { type: 'integer' }])),
    },
    errors: { type: 'array', items: ROW_ERROR_SCHEMA },
    errorsTotal: { type: 'integer' },
    warnings: { type: 'array', items: ROW_ERROR_SCHEMA },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time' },
    completedAt: { type: 'string', format: 'date-time' },
    canceledAt: { type: 'string', format: 'date-time' },
  },
};

/** File imports of a container (SPEC section 8, issue 17): upload, poll, list, confirm a dry run, cancel. */
@ApiTags('File Imports')
@ApiBerthAuth()
@Controller(':projectKey/import-containers/:importContainerKey/file-imports')
export class FileImportsController {
  constructor(private readonly fileImports: FileImportsService) {}

  @Post()
  @RequireScopes('manage_import_containers')
  @ApiOperation({
    summary: 'Import a file (CSV, JSON, NDJSON, XML; raw body, multipart or inline inputs) into the container',
    description:
      'The body is streamed. Options as query parameters (raw body), in a `settings` part before the `file` part (multipart), or as fields of an inline `{resourceType, inputs}` body. ' +
      'Needs manage_import_containers and the manage scope of the resource type. 200 with the job when it finished (or awaits its confirm) within `wait` seconds, else 202 with a Location to poll.',
  })
  @ApiConsumes('text/csv', 'application/json', 'application/x-ndjson', 'application/xml', 'multipart/form-data')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiParam(CONTAINER_KEY)
  @ApiQuery({ name: 'resourceType', required: false, description: 'An ImportResourceType, e.g. product-draft (required, here or in settings / the inline body)' })
  @ApiQuery({ name: 'options', required: false, description: `Further options: ${OPTION_NAMES.join(', ')} (mapping and metadata as URL-encoded JSON)` })
  @ApiOkResponse({ description: 'The job, finished (or awaiting its confirm)', schema: FILE_IMPORT_SCHEMA })
  @ApiAcceptedResponse({ description: 'The job, still running: poll the Location', schema: FILE_IMPORT_SCHEMA })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS)
  async upload(
    @Param('projectKey') projectKey: string,
    @Param('importContainerKey') containerKey: string,
    @Query() query: Record<string, unknown>,
    @Req() request: Request & AuthenticatedRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FileImportView> {
    const answer = await this.fileImports.upload(projectKey, containerKey, query, fileUploadOf(request), request.principal?.clientId, resourceTypeAuthorizer(request, projectKey));
    response.status(answer.done ? 200 : 202);
    if (!answer.done) response.setHeader('Location', answer.location);
    return answer.view;
  }

  @Get()
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'List the file imports of a container (paged, oldest first)' })
  @ApiParam(CONTAINER_KEY)
  @ApiPagingQuery(['createdAt', 'completedAt'])
  @ApiOkResponse({ description: 'limit/offset/count/total/results', schema: { type: 'object', properties: { results: { type: 'array', items: FILE_IMPORT_SCHEMA } } } })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  list(@Param('projectKey') projectKey: string, @Param('importContainerKey') containerKey: string, @Query() query: Record<string, unknown>): Promise<PagedResponse<FileImportView>> {
    return this.fileImports.list(projectKey, containerKey, query);
  }

  @Get(':fileImportId')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({ summary: 'Get a file import: state, counts, errors' })
  @ApiParam(CONTAINER_KEY)
  @ApiParam(FILE_IMPORT_ID)
  @ApiOkResponse({ schema: FILE_IMPORT_SCHEMA })
  @ApiErrorResponses(...GUARDED_ERRORS, 404)
  get(@Param('projectKey') projectKey: string, @Param('importContainerKey') containerKey: string, @Param('fileImportId') id: string): Promise<FileImportView> {
    return this.fileImports.get(projectKey, containerKey, id);
  }

  @Post(':fileImportId/confirm')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Confirm a dry run in awaitingConfirm: its rows are stored as operations now' })
  @ApiParam(CONTAINER_KEY)
  @ApiParam(FILE_IMPORT_ID)
  @ApiOkResponse({ schema: FILE_IMPORT_SCHEMA })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS, 404, 409)
  confirm(@Param('projectKey') projectKey: string, @Param('importContainerKey') containerKey: string, @Param('fileImportId') id: string, @Req() request: AuthenticatedRequest): Promise<FileImportView> {
    return this.fileImports.confirm(projectKey, containerKey, id, request.principal?.clientId);
  }

  @Post(':fileImportId/tasks')
  @HttpCode(200)
  @RequireScopes('manage_import_containers')
  @ApiOperation({ summary: 'Cancel a file import (queued, running or awaitingConfirm): it stops, and its operations not yet final end canceled' })
  @ApiParam(CONTAINER_KEY)
  @ApiParam(FILE_IMPORT_ID)
  @ApiBody({ schema: { type: 'object', required: ['task'], properties: { task: { type: 'string', enum: ['cancel'] } } } })
  @ApiOkResponse({ schema: FILE_IMPORT_SCHEMA })
  @ApiErrorResponses(...GUARDED_ERRORS, ...BODY_ERRORS, 404, 409)
  task(
    @Param('projectKey') projectKey: string,
    @Param('importContainerKey') containerKey: string,
    @Param('fileImportId') id: string,
    @Body() body: unknown,
    @Req() request: AuthenticatedRequest,
  ): Promise<FileImportView> {
    return this.fileImports.cancel(projectKey, containerKey, id, body, request.principal?.clientId);
  }
}
