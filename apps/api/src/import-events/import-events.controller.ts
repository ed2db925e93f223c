import type { Request, Response } from 'express';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiPropertyOptional, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../../../../libs/auth/src/scopes.decorator';
import { InvalidTokenError, TokenService, VerifiedToken } from '../../../../libs/auth/src/token.service';
import { ApiBerthAuth, ApiErrorResponses, ApiPagingQuery, CtException, ERROR_RESPONSE_REF, GUARDED_ERRORS, InvalidInput } from '../../../../libs/common/src';
import { EVENT_RESOURCE_TYPE_IDS, EVENT_TYPES, EventStreamsService, ImportEventsService, parseEventTypes, SORTABLE_EVENT_FIELDS } from '../../../../libs/events/src';

interface AuthenticatedRequest extends Request {
  principal?: VerifiedToken;
}

class EventResourceView {
  @ApiProperty({ enum: EVENT_RESOURCE_TYPE_IDS }) typeId!: string;
  @ApiPropertyOptional({ description: 'Containers, profiles and subscriptions' }) key?: string;
  @ApiPropertyOptional({ description: 'File imports and API clients' }) id?: string;
}

class ImportEventView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'Per project in commit order; the SSE `id:` and the resume point (Last-Event-ID)' }) sequenceNumber!: number;
  @ApiProperty() projectKey!: string;
  @ApiProperty({ enum: EVENT_TYPES }) type!: string;
  @ApiProperty({ type: EventResourceView }) resource!: EventResourceView;
  @ApiPropertyOptional({ description: 'The API client that made the change; absent for changes by Berth itself (processor, reaper) and the CLI' })
  actor?: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The changed resource as the API shows it (per type: see docs/EVENTS.md)' })
  data!: Record<string, unknown>;
}

class ImportEventPagedView {
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty() count!: number;
  @ApiProperty() total!: number;
  @ApiProperty({ type: [ImportEventView] }) results!: ImportEventView[];
}

const LAST_EVENT_ID = /^\d{1,15}$/;

/** The event log of a project (Berth, beyond commercetools: SPEC section 8, issue 18): paged list and live SSE stream. */
@ApiTags('Import Events')
@ApiBerthAuth()
@Controller(':projectKey/import-events')
export class ImportEventsController {
  constructor(
    private readonly events: ImportEventsService,
    private readonly streams: EventStreamsService,
    private readonly tokens: TokenService,
  ) {}

  @Get()
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({
    summary: 'Query the events of the project (paged)',
    description: 'Newest first unless `sort=createdAt asc`. `from` inclusive, `to` exclusive (ISO 8601 date-times). Scope: manage_import_containers or view_import_containers.',
  })
  @ApiPagingQuery(Object.keys(SORTABLE_EVENT_FIELDS))
  @ApiQuery({ name: 'type', required: false, description: 'Repeatable: only these event types', schema: { type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } }, style: 'form', explode: true })
  @ApiQuery({ name: 'resourceTypeId', required: false, schema: { type: 'string', enum: [...EVENT_RESOURCE_TYPE_IDS] } })
  @ApiQuery({ name: 'resourceKey', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'resourceId', required: false, schema: { type: 'string' } })
  @ApiQuery({ name: 'from', required: false, description: 'createdAt ≥ from', schema: { type: 'string', format: 'date-time' } })
  @ApiQuery({ name: 'to', required: false, description: 'createdAt < to', schema: { type: 'string', format: 'date-time' } })
  @ApiOkResponse({ type: ImportEventPagedView })
  @ApiErrorResponses(...GUARDED_ERRORS)
  query(@Param('projectKey') projectKey: string, @Query() query: Record<string, unknown>): Promise<ImportEventPagedView> {
    return this.events.query(projectKey, query);
  }

  @Get('stream')
  @RequireScopes('manage_import_containers', 'view_import_containers')
  @ApiOperation({
    summary: 'Stream the events of the project live (Server-Sent Events)',
    description:
      'Send `Accept: text/event-stream` and the bearer token in the Authorization header (fetch() streaming; tokens are never read from the URL). ' +
      'Each event: `id:` sequenceNumber, `event:` type, `data:` the event JSON. Resume with `Last-Event-ID` (events after it, none twice); ' +
      'without it the stream starts with the next event. `: ping` comments as heartbeats. The stream ends when the token expires or its client is deleted. ' +
      'Scope: manage_import_containers or view_import_containers.',
  })
  @ApiProduces('text/event-stream')
  @ApiQuery({ name: 'type', required: false, description: 'Repeatable: only these event types', schema: { type: 'array', items: { type: 'string', enum: [...EVENT_TYPES] } }, style: 'form', explode: true })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The sequenceNumber of the last event received', schema: { type: 'string', pattern: '^\\d+$' } })
  @ApiResponse({ status: 200, description: 'An event stream (text/event-stream)', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 406, description: 'The request does not accept text/event-stream', schema: { $ref: ERROR_RESPONSE_REF } })
  @ApiErrorResponses(...GUARDED_ERRORS)
  async stream(@Param('projectKey') projectKey: string, @Query('type') type: unknown, @Req() request: AuthenticatedRequest, @Res() response: Response): Promise<void> {
    const accept = request.headers.accept ?? '';
    if (!/(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept)) {
      const message = "This route answers only 'Accept: text/event-stream' (Server-Sent Events).";
      throw new CtException(406, [{ code: 'InvalidInput', message }], message);
    }
    const types = parseEventTypes(type);
    // HEAD (express routes it here too): the headers of a stream, without opening one.
    if (request.method === 'HEAD') {
      response.status(200).type('text/event-stream').end();
      return;
    }
    const lastEventId = request.headers['last-event-id'];
    if (lastEventId !== undefined && (typeof lastEventId !== 'string' || !LAST_EVENT_ID.test(lastEventId.trim()))) {
      throw new InvalidInput(`The Last-Event-ID header must be the sequenceNumber of an event (a non-negative integer).`);
    }
    const principal = request.principal!;
    const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')![1];
    const after = lastEventId !== undefined ? Number(lastEventId.trim()) : await this.streams.latestSequence(projectKey);
    this.streams.start(response, {
      projectKey,
      after,
      types,
      expiresAt: principal.expiresAt,
      // A deleted client's tokens stop working within seconds for requests; an open stream notices at its next heartbeat.
      stillAuthorized: () => this.tokens.verify(token).then(
        () => true,
        (error: unknown) => !(error instanceof InvalidTokenError),
      ),
    });
  }
}
