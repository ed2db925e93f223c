import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidInput, NotFound, PagedResponse, pagedResponse, parsePageQuery } from '../../../common/src';
import { containerNotFound, ImportContainersService } from '../containers/import-containers.service';
import { ImportOperationView, ImportSummaryView, PROCESSING_STATES } from './import-operation.views';
import { countOperations, findOperation, OperationFilter, OperationRow, pageOperations, processingLagSeconds } from '../../../queue/src';

const SORTABLE_OPERATION_FIELDS: Record<string, string> = {
  // The accept order: created_at, ties broken by seq (see the AcceptOrder migration).
  createdAt: 'created_at, seq',
  lastModifiedAt: 'last_modified_at',
  resourceKey: 'resource_key',
  state: 'state',
  version: 'version',
  expiresAt: 'expires_at',
};

/** Waits on a state of another resource (a product's master variant) are internal: no resource of that typeId exists. */
const INTERNAL_WAIT_TYPE_IDS = new Set(['product-master-variant']);

export function toOperationView(row: OperationRow, debug: boolean): ImportOperationView {
  const unresolved = (row.unresolved_references ?? []).filter((reference) => !INTERNAL_WAIT_TYPE_IDS.has((reference as { typeId?: string }).typeId ?? ''));
  return {
    version: row.version,
    importContainerKey: row.container_key,
    resourceKey: row.resource_key,
    id: row.id,
    state: row.state,
    ...(row.resource_version !== null ? { resourceVersion: row.resource_version } : {}),
    // `errors` are always part of an operation (as commercetools); `debug` adds only the unresolved references.
    ...(row.errors && row.errors.length > 0 ? { errors: row.errors } : {}),
    ...(debug && unresolved.length > 0 ? { unresolvedReferences: unresolved } : {}),
    createdAt: row.created_at.toISOString(),
    lastModifiedAt: row.last_modified_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function singleString(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InvalidInput(`Query parameter '${name}' must be given once.`);
  return value;
}

@Injectable()
export class ImportOperationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly containers: ImportContainersService,
  ) {}

  async get(projectKey: string, id: string): Promise<ImportOperationView> {
    const notFound = () => new NotFound(`Import operation ${id} does not exist`);
    if (!UUID_PATTERN.test(id)) throw notFound();
    const row = await findOperation(this.dataSource, projectKey, id);
    if (!row) throw notFound();
    return toOperationView(row, true);
  }

  /** State counts from the transactionally maintained counters: O(states), whatever the container's size. */
  async summary(projectKey: string, containerKey: string): Promise<ImportSummaryView> {
    const container = await this.containers.findRow(projectKey, containerKey);
    if (!container) throw containerNotFound(containerKey);
    const counts = await this.counts(projectKey, container.id);
    const states = Object.fromEntries(PROCESSING_STATES.map((state) => [state, counts[state] ?? 0])) as unknown as ImportSummaryView['states'];
    const total = PROCESSING_STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
    return { states, total };
  }

  async query(projectKey: string, containerKey: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<ImportOperationView>> {
    const page = parsePageQuery(rawQuery, SORTABLE_OPERATION_FIELDS, ['created_at ASC', 'seq ASC'], 'id ASC');
    const state = singleString(rawQuery, 'state');
    if (state !== undefined && !(PROCESSING_STATES as readonly string[]).includes(state)) {
      throw new InvalidInput(`The value '${state}' is not valid for query parameter 'state': expected one of ${PROCESSING_STATES.join(', ')}.`);
    }
    const resourceKey = singleString(rawQuery, 'resourceKey');
    const debugRaw = singleString(rawQuery, 'debug');
    if (debugRaw !== undefined && debugRaw !== 'true' && debugRaw !== 'false') throw new InvalidInput(`Query parameter 'debug' must be true or false.`);
    const debug = debugRaw === 'true';

    const container = await this.containers.findRow(projectKey, containerKey);
    if (!container) throw containerNotFound(containerKey);

    const filter: OperationFilter = { projectKey, containerId: container.id, state, resourceKey };
    let total: number;
    if (resourceKey === undefined) {
      // Without a key filter the counters answer the total, so deep pages of huge containers stay cheap.
      const counts = await this.counts(projectKey, container.id);
      total = state !== undefined ? (counts[state] ?? 0) : Object.values(counts).reduce((sum, count) => sum + count, 0);
    } else {
      total = await countOperations(this.dataSource, filter);
    }
    let rows: OperationRow[] = [];
    if (page.limit > 0 && page.offset < total) {
      rows = await pageOperations(this.dataSource, filter, page.orderBy, page.limit, page.offset);
    }
    return pagedResponse(page, total, rows.map((row) => toOperationView(row, debug)));
  }

  /** Operations by state over all projects (for metrics), from the counters. */
  async totalsByState(): Promise<Record<string, number>> {
    const rows = (await this.dataSource.query(`SELECT state, sum(count)::bigint AS count FROM import_summary_counts GROUP BY state`)) as Array<{ state: string; count: string }>;
    return Object.fromEntries(rows.map((row) => [row.state, Number(row.count)]));
  }

  /** Age in seconds of the oldest operation due for processing (0 when none). */
  async processingLagSeconds(): Promise<number> {
    return processingLagSeconds(this.dataSource);
  }

  private async counts(projectKey: string, containerId: string): Promise<Record<string, number>> {
    const rows = (await this.dataSource.query(`SELECT state, sum(count)::int AS count FROM import_summary_counts WHERE project_key = $1 AND container_id = $2 GROUP BY state`, [
      projectKey,
      containerId,
    ])) as Array<{ state: string; count: number }>;
    return Object.fromEntries(rows.map((row) => [row.state, row.count]));
  }
}
