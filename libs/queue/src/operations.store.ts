import { Queryable } from './queryable';
import { OperationState } from './states';
import { OPERATIONS_CHANNEL } from './waits';

/**
 * Class id of the accept-order advisory locks (two-int form: a lock space of its own, apart from the
 * processor's single-bigint reference locks).
 */
export const ACCEPT_ORDER_LOCK_CLASS = 0x62657274; // 'bert'

/** Shards per (container, state) of import_summary_counts (migration ShardedSummaryCounts). */
const SUMMARY_SHARDS = 16;

/**
 * The accept statement (see ImportRequestsService.accept() for what it guarantees), as a named prepared statement: pg
 * parses it on each connection's first use only, and later requests send just the parameters — Postgres skips parsing
 * this large statement on every request (and planning, once it settles on the cached plan). Same text, so same
 * semantics; the text is constant (the lock class is inlined at load).
 * TypeORM's query() hands its first argument to pg's client.query unchanged, which takes a `{name, text}` config.
 */
/**
 * The text of the accept statement. One builder for both callers, so the per-key order (the advisory locks, then
 * clock_timestamp() and nextval while they are held), the container checks and the parking of a paused container's
 * operations are the same whoever stores operations:
 * - an import request: the container by key ($2); $1 project, $3 type, $4 TTL hours, $5 ids, $6 keys, $7 the request's
 *   JSON body and $8 the name of its array of resources (`resources` or `patches`);
 * - a file import: the container by id ($2), $7 the payloads (a JSON array), $8 the channel to NOTIFY, and each
 *   operation linked to its job ($9) and rows ($11), $10 the container key.
 * An import request's statement sends no NOTIFY: its caller hands the commit to an OperationsNotifier (see there why).
 * A file import's batch notifies at its commit: one batch holds hundreds of rows, so its commit is rare enough.
 */
function acceptStatementText(fileImport: boolean): string {
  const link = fileImport
    ? { columns: ', file_import_id, file_import_rows', values: ', $9, item.rows', payloads: '$7::jsonb', source: ', unnest($11::int[])', item: 'item(id, resource_key, payload, rows, position)' }
    : { columns: '', values: '', payloads: '($7::jsonb) -> ($8::text)', source: '', item: 'item(id, resource_key, payload, position)' };
  const notify = fileImport
    ? { cte: `,
   notified AS (
     SELECT pg_notify($8, $1) WHERE EXISTS (SELECT 1 FROM inserted))`, column: `,
          (SELECT count(*) FROM notified)::int AS notified` }
    : { cte: '', column: '' };
  return `WITH container AS (
     SELECT id, resource_type, processing_state FROM import_containers WHERE project_key = $1 AND ${fileImport ? 'id' : 'key'} = $2 FOR SHARE),
   key_locks AS MATERIALIZED (
     SELECT count(pg_advisory_xact_lock(${ACCEPT_ORDER_LOCK_CLASS}, k.lock_id)) AS locked
       FROM (SELECT DISTINCT hashtext($1 || '/' || $3 || '/' || key) AS lock_id FROM unnest($6::text[]) AS key ORDER BY 1) k),
   accepted AS MATERIALIZED (
     SELECT clock_timestamp() AS at FROM key_locks),
   inserted AS (
     INSERT INTO import_operations (project_key, id, container_id, container_key, resource_type, resource_key, payload, seq, created_at, last_modified_at, expires_at, run_at${link.columns})
     SELECT $1, item.id, container.id, ${fileImport ? '$10' : '$2'}, $3, item.resource_key, item.payload, nextval('import_operations_seq'),
            accepted.at, accepted.at, accepted.at + make_interval(hours => $4),
            -- A paused container's operations are parked out of the processor's window until resume.
            CASE WHEN container.processing_state = 'paused' THEN 'infinity'::timestamptz ELSE now() END${link.values}
       FROM accepted, container, ROWS FROM (unnest($5::uuid[]), unnest($6::text[]), jsonb_array_elements(${link.payloads})${link.source}) WITH ORDINALITY AS ${link.item}
      WHERE (container.resource_type IS NULL OR container.resource_type = $3) AND container.processing_state <> 'canceled'
      ORDER BY item.position
     RETURNING 1),
   -- The container's summary counter (one of its shards, chosen by backend as the count triggers do): here rather
   -- than in an AFTER INSERT trigger, since these two statements are the only writers of new operations.
   counted AS (
     INSERT INTO import_summary_counts AS c (project_key, container_id, state, shard, count)
     SELECT $1, container.id, 'processing', (pg_backend_pid() % ${SUMMARY_SHARDS})::smallint, n.count
       FROM container, (SELECT count(*) AS count FROM inserted) n WHERE n.count > 0
     ON CONFLICT (project_key, container_id, state, shard) DO UPDATE SET count = c.count + EXCLUDED.count)${notify.cte}
   SELECT (SELECT count(*) FROM container)::int AS containers,
          (SELECT resource_type FROM container) AS resource_type,
          (SELECT processing_state FROM container) AS processing_state,
          (SELECT count(*) FROM inserted)::int AS inserted${notify.column}`;
}

const ACCEPT_STATEMENT: { name: string; text: string } = { name: 'berth_accept_import_request', text: acceptStatementText(false) };

/** The accept statement of a file import's stored batches (see acceptStatementText). */
const FILE_IMPORT_ACCEPT_STATEMENT: { name: string; text: string } = { name: 'berth_store_file_import_batch', text: acceptStatementText(true) };

/** What an accept statement found: the container (0 when it does not exist), its type and state, and how many operations it stored. */
export interface AcceptResult {
  containers: number;
  resource_type: string | null;
  processing_state: string | null;
  inserted: number;
}

/** The operations to store, one per resource, in accept order. */
export interface NewOperations {
  projectKey: string;
  resourceType: string;
  ttlHours: number;
  ids: string[];
  keys: string[];
}

/** An import request's operations: the resources are the elements of `body[itemsField]` (`body` a JSON text). */
export interface RequestOperations extends NewOperations {
  body: string;
  itemsField: string;
}

/**
 * Stores the operations of one import request in ONE statement (container `containerKey`): all of them or none (a
 * missing or canceled container, another resource type), with the accept-order key locks. It does not notify the
 * processors: the caller does, after the commit, through an OperationsNotifier.
 */
export async function insertRequestOperations(runner: Queryable, containerKey: string, operations: RequestOperations): Promise<AcceptResult> {
  const [result] = (await runner.query(
    // A named statement: each pooled connection parses and plans it once (pg keeps it prepared per connection).
    ACCEPT_STATEMENT as unknown as string,
    [operations.projectKey, containerKey, operations.resourceType, operations.ttlHours, operations.ids, operations.keys, operations.body, operations.itemsField],
  )) as AcceptResult[];
  return result;
}

/** Stores one batch of a file import's operations (container by id), each linked to the job and its rows; as insertRequestOperations. */
export async function insertFileImportOperations(
  manager: Queryable,
  container: { id: string; key: string },
  fileImportId: string,
  operations: NewOperations & { payloads: unknown[]; rows: number[] },
): Promise<AcceptResult> {
  const [result] = (await manager.query(FILE_IMPORT_ACCEPT_STATEMENT as unknown as string, [
    operations.projectKey,
    container.id,
    operations.resourceType,
    operations.ttlHours,
    operations.ids,
    operations.keys,
    JSON.stringify(operations.payloads),
    OPERATIONS_CHANNEL,
    fileImportId,
    container.key,
    operations.rows,
  ])) as AcceptResult[];
  return result;
}

/** An operation as the read API shows it (the columns of OPERATION_COLUMNS). */
export interface OperationRow {
  id: string;
  container_key: string;
  resource_type: string;
  resource_key: string;
  state: OperationState;
  version: number;
  resource_version: number | null;
  errors: unknown[] | null;
  unresolved_references: unknown[] | null;
  created_at: Date;
  last_modified_at: Date;
  expires_at: Date;
}

const COLUMNS = 'id, container_key, resource_type, resource_key, state, version, resource_version, errors, unresolved_references, created_at, last_modified_at, expires_at';

/** One operation of the project by id (undefined when there is none). */
export async function findOperation(runner: Queryable, projectKey: string, id: string): Promise<OperationRow | undefined> {
  const rows = (await runner.query(`SELECT ${COLUMNS} FROM import_operations WHERE project_key = $1 AND id = $2`, [projectKey, id])) as OperationRow[];
  return rows[0];
}

/** Which operations of a container a count or a page covers. */
export interface OperationFilter {
  projectKey: string;
  containerId: string;
  state?: string;
  resourceKey?: string;
}

function whereOf(filter: OperationFilter): { where: string; params: unknown[] } {
  const conditions = ['project_key = $1', 'container_id = $2'];
  const params: unknown[] = [filter.projectKey, filter.containerId];
  if (filter.state !== undefined) {
    params.push(filter.state);
    conditions.push(`state = $${params.length}`);
  }
  if (filter.resourceKey !== undefined) {
    params.push(filter.resourceKey);
    conditions.push(`resource_key = $${params.length}`);
  }
  return { where: conditions.join(' AND '), params };
}

/** Counts the filtered operations by reading them (the summary counters answer filters without a resource key more cheaply). */
export async function countOperations(runner: Queryable, filter: OperationFilter): Promise<number> {
  const { where, params } = whereOf(filter);
  const [{ count }] = (await runner.query(`SELECT count(*)::int AS count FROM import_operations WHERE ${where}`, params)) as Array<{ count: number }>;
  return count;
}

/** One page of the filtered operations; `orderBy` are trusted column expressions (the caller's sort whitelist). */
export async function pageOperations(runner: Queryable, filter: OperationFilter, orderBy: string[], limit: number, offset: number): Promise<OperationRow[]> {
  const { where, params } = whereOf(filter);
  return (await runner.query(`SELECT ${COLUMNS} FROM import_operations WHERE ${where} ORDER BY ${orderBy.join(', ')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
    ...params,
    limit,
    offset,
  ])) as OperationRow[];
}

/** Age in seconds of the oldest operation due for processing (0 when none). */
export async function processingLagSeconds(runner: Queryable): Promise<number> {
  const [lag] = (await runner.query(
    `SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(run_at)), 0)::float AS seconds FROM import_operations WHERE state = 'processing' AND run_at <= now()`,
  )) as Array<{ seconds: number }>;
  return Math.max(0, lag.seconds);
}

/**
 * file import cleanup: deletes from `table` (the caller's whitelist of domain tables keyed by `key`) the resources that
 * earlier file imports into this container imported and that this file import (`fileImportId`) no longer contains, in
 * one statement; returns the deleted keys. A foreign key violation (a resource still referenced) is the caller's to handle.
 */
export async function deleteResourcesLeftOutByFileImport(
  manager: Queryable,
  table: string,
  job: { projectKey: string; containerId: string; resourceType: string; fileImportId: string },
): Promise<string[]> {
  const rows = (await manager.query(
    `WITH earlier AS (
           SELECT DISTINCT resource_key FROM import_operations
            WHERE project_key = $1 AND container_id = $2 AND resource_type = $3 AND file_import_id IS NOT NULL AND file_import_id <> $4
              AND state IN ('imported', 'partiallyImported')),
         gone AS (
           SELECT e.resource_key FROM earlier e
            WHERE NOT EXISTS (SELECT 1 FROM import_operations c WHERE c.project_key = $1 AND c.file_import_id = $4 AND c.resource_key = e.resource_key))
         DELETE FROM ${table} t USING gone g WHERE t.project_key = $1 AND t.key = g.resource_key RETURNING t.key`,
    [job.projectKey, job.containerId, job.resourceType, job.fileImportId],
  )) as [Array<{ key: string }>, number];
  return rows[0].map((row) => row.key);
}
