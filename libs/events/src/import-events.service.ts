import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BadRequest, ErrorObject, InvalidInput, PagedResponse, invalidField, pagedResponse, parsePageQuery } from '../../common/src';
import { EVENT_COLUMNS, EVENT_RESOURCE_TYPE_IDS, EVENT_TYPES, EventType, ImportEvent, ImportEventRow, toEventView } from './event-types';

/** `sort` fields of `GET /{projectKey}/import-events`: both follow the sequence number (commit order per project). */
export const SORTABLE_EVENT_FIELDS: Record<string, string> = { createdAt: 'sequence_number', sequenceNumber: 'sequence_number' };

/** The list filters, parsed and checked. */
export interface EventFilter {
  types?: EventType[];
  resourceTypeId?: string;
  resourceKey?: string;
  resourceId?: string;
  /** Inclusive lower bound of createdAt (ISO 8601 date-time, passed to Postgres as timestamptz). */
  from?: string;
  /** Exclusive upper bound of createdAt. */
  to?: string;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/** An ISO 8601 date-time with a time zone (`2026-12-01T10:00:00Z`, `…+01:00`, fractions to microseconds); false for anything else. */
export function isIsoDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = [match[1], match[2], match[3], match[4], match[5], match[6] ?? '0'].map(Number);
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const zoneOk = match[7] === 'Z' || (Number(match[8]) <= 23 && Number(match[9]) <= 59);
  return zoneOk && year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
}

function single(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new InvalidInput(`Query parameter '${name}' must be given at most once.`);
  return raw;
}

/** `type` (repeatable): every value one of EVENT_TYPES; 400 InvalidField naming each unknown one. */
export function parseEventTypes(raw: unknown): EventType[] | undefined {
  if (raw === undefined) return undefined;
  const values = Array.isArray(raw) ? raw : [raw];
  const errors: ErrorObject[] = [];
  for (const value of values) {
    if (typeof value !== 'string' || !(EVENT_TYPES as readonly string[]).includes(value)) {
      errors.push(invalidField('type', value, `The value ${JSON.stringify(value)} is not valid for field 'type'.`, { allowedValues: [...EVENT_TYPES] }));
    }
  }
  if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
  return [...new Set(values as EventType[])];
}

/** Parses the filters of the event list; bad values are 400 InvalidField (one error per problem). */
export function parseEventFilter(query: Record<string, unknown>): EventFilter {
  const filter: EventFilter = {};
  const errors: ErrorObject[] = [];
  try {
    filter.types = parseEventTypes(query.type);
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    errors.push(...error.errors);
  }
  const resourceTypeId = single('resourceTypeId', query.resourceTypeId);
  if (resourceTypeId !== undefined) {
    if ((EVENT_RESOURCE_TYPE_IDS as readonly string[]).includes(resourceTypeId)) filter.resourceTypeId = resourceTypeId;
    else errors.push(invalidField('resourceTypeId', resourceTypeId, undefined, { allowedValues: [...EVENT_RESOURCE_TYPE_IDS] }));
  }
  filter.resourceKey = single('resourceKey', query.resourceKey);
  filter.resourceId = single('resourceId', query.resourceId);
  for (const name of ['from', 'to'] as const) {
    const value = single(name, query[name]);
    if (value === undefined) continue;
    if (isIsoDateTime(value)) filter[name] = value;
    else errors.push(invalidField(name, value, `The value '${value}' is not valid for field '${name}': expected an ISO 8601 date-time such as 2026-12-01T10:00:00Z.`));
  }
  if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
  return filter;
}

/** The WHERE clause of a project's events under a filter (parameters from $2 on; $1 is the project key). */
function whereClause(filter: EventFilter, params: unknown[]): string {
  const conditions = ['project_key = $1'];
  const add = (sql: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(`$${params.length}`));
  };
  if (filter.types) add((p) => `type = ANY(${p}::text[])`, filter.types);
  if (filter.resourceTypeId !== undefined) add((p) => `resource_type_id = ${p}`, filter.resourceTypeId);
  if (filter.resourceKey !== undefined) add((p) => `resource_key = ${p}`, filter.resourceKey);
  if (filter.resourceId !== undefined) add((p) => `resource_id = ${p}`, filter.resourceId);
  if (filter.from !== undefined) add((p) => `created_at >= ${p}::timestamptz`, filter.from);
  if (filter.to !== undefined) add((p) => `created_at < ${p}::timestamptz`, filter.to);
  return conditions.join(' AND ');
}

/** Reads the event log (`import_events`): the paged list and the pages the SSE stream sends. Every query is per project. */
@Injectable()
export class ImportEventsService {
  constructor(private readonly dataSource: DataSource) {}

  /** `GET /{projectKey}/import-events`: newest first unless `sort=createdAt asc`; filters as `parseEventFilter`. */
  async query(projectKey: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<ImportEvent>> {
    const filter = parseEventFilter(rawQuery);
    const page = parsePageQuery(rawQuery, SORTABLE_EVENT_FIELDS, ['sequence_number DESC'], 'id ASC');
    const params: unknown[] = [projectKey];
    const where = whereClause(filter, params);
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM import_events WHERE ${where}`, params)) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(
            `SELECT ${EVENT_COLUMNS} FROM import_events WHERE ${where} ORDER BY ${page.orderBy.join(', ')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
            [...params, page.limit, page.offset],
          )) as ImportEventRow[]);
    return pagedResponse(page, total, rows.map(toEventView));
  }

  /** Up to `limit` events of the project after sequence number `after`, oldest first (the stream's catch-up and live pages). */
  async after(projectKey: string, after: number, types: EventType[] | undefined, limit: number): Promise<ImportEvent[]> {
    const params: unknown[] = [projectKey, after, limit];
    const typeFilter = types ? `AND type = ANY($4::text[])` : '';
    if (types) params.push(types);
    const rows = (await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM import_events WHERE project_key = $1 AND sequence_number > $2 ${typeFilter} ORDER BY sequence_number LIMIT $3`,
      params,
    )) as ImportEventRow[];
    return rows.map(toEventView);
  }

  /** The project's latest sequence number (0 without events): where a stream without Last-Event-ID starts. */
  async latestSequence(projectKey: string): Promise<number> {
    const [{ latest }] = (await this.dataSource.query(`SELECT COALESCE(max(sequence_number), 0)::text AS latest FROM import_events WHERE project_key = $1`, [
      projectKey,
    ])) as Array<{ latest: string }>;
    return Number(latest);
  }
}
