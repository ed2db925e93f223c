import { Queryable } from './queryable';
import { OPEN_STATES_SQL } from './states';

/** One bucket of settledPerBucket(); `bucket` is null in the one row returned when nothing settled in the window. */
export interface SettledBucketRow {
  upto: number;
  bucket: number | null;
  imported: number | null;
  errors: number | null;
  canceled: number | null;
}

/**
 * Operations of the project that reached a final state, per bucket of `bucketSeconds`, over the last `windowSeconds`
 * (by the database clock), in one aggregate over `last_modified_at` served by the BRIN index of the ThroughputIndex
 * migration. Each row carries `upto`, the end of the last bucket.
 */
export async function settledPerBucket(runner: Queryable, projectKey: string, bucketSeconds: number, windowSeconds: number): Promise<SettledBucketRow[]> {
  return (await runner.query(
    `WITH bounds AS (SELECT ((floor(extract(epoch FROM now()) / $2) + 1) * $2)::float8 AS upto),
            settled AS (
              SELECT (floor(extract(epoch FROM o.last_modified_at) / $2) * $2)::float8 AS bucket,
                     count(*) FILTER (WHERE o.state = 'imported')::int AS imported,
                     count(*) FILTER (WHERE o.state IN ('validationFailed', 'rejected'))::int AS errors,
                     count(*) FILTER (WHERE o.state = 'canceled')::int AS canceled
                FROM import_operations o
               WHERE o.project_key = $1
                 AND o.last_modified_at >= to_timestamp((floor(extract(epoch FROM now()) / $2) + 1) * $2 - $3)
                 AND o.state IN ('imported', 'validationFailed', 'rejected', 'canceled', 'partiallyImported')
               GROUP BY 1)
       SELECT b.upto, s.bucket, s.imported, s.errors, s.canceled FROM bounds b LEFT JOIN settled s ON true`,
    [projectKey, bucketSeconds, windowSeconds],
  )) as SettledBucketRow[];
}

/** Rows of file imports' operations per (job, state): the sum of the file rows they came from. */
export async function fileImportRowsByState(runner: Queryable, projectKey: string, fileImportIds: string[]): Promise<Array<{ id: string; state: string; rows: number }>> {
  return (await runner.query(
    `SELECT file_import_id AS id, state, coalesce(sum(file_import_rows), 0)::int AS rows FROM import_operations
        WHERE project_key = $1 AND file_import_id = ANY($2::uuid[]) GROUP BY 1, 2`,
    [projectKey, fileImportIds],
  )) as Array<{ id: string; state: string; rows: number }>;
}

/** Of these containers, those not canceled whose operations are all final (candidates for ImportContainerFinished); one statement. */
export async function containersWithoutOpenOperations(
  runner: Queryable,
  containers: ReadonlyArray<{ projectKey: string; containerId: string }>,
): Promise<Array<{ project_key: string; id: string }>> {
  return (await runner.query(
    `SELECT c.project_key, c.id
         FROM unnest($1::text[], $2::uuid[]) AS t(project_key, id)
         JOIN import_containers c ON c.project_key = t.project_key AND c.id = t.id
        WHERE c.processing_state <> 'canceled'
          AND NOT EXISTS (SELECT 1 FROM import_operations o WHERE o.project_key = c.project_key AND o.container_id = c.id AND o.state IN ${OPEN_STATES_SQL})`,
    [containers.map((c) => c.projectKey), containers.map((c) => c.containerId)],
  )) as Array<{ project_key: string; id: string }>;
}

/**
 * In one statement (one snapshot), in the caller's transaction holding the container's activity row: if every operation
 * of the container is final and the transactions that settled `operationIds` (their rows' xmin) are not visible in the
 * container's `finished_snapshot`, stores the current snapshot as `finished_snapshot` and returns the container key
 * (else undefined). See container-finished.ts in libs/import for why this records a finish exactly once.
 */
export async function markContainerFinished(manager: Queryable, projectKey: string, containerId: string, operationIds: string[]): Promise<string | undefined> {
  // xmin is a 32-bit xid; its 64-bit form (xid8) takes the epoch of the snapshot's xmax (it is at most 2^31 older).
  const [marked] = (await manager.query(
    `WITH next AS (SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS n),
            batch AS (SELECT ((next.n >> 32) << 32) + o.xmin::text::bigint AS x, next.n FROM import_operations o, next
                       WHERE o.project_key = $1 AND o.id = ANY($3::uuid[]))
       UPDATE import_container_activity a
          SET finished_snapshot = pg_current_snapshot(), finished_at = now()
         FROM import_containers c
        WHERE a.project_key = $1 AND a.container_id = $2 AND c.project_key = a.project_key AND c.id = a.container_id
          AND c.processing_state <> 'canceled'
          AND NOT EXISTS (SELECT 1 FROM import_operations o WHERE o.project_key = $1 AND o.container_id = $2 AND o.state IN ${OPEN_STATES_SQL})
          AND (a.finished_snapshot IS NULL
               OR EXISTS (SELECT 1 FROM batch
                           WHERE NOT pg_visible_in_snapshot((CASE WHEN batch.x >= batch.n THEN batch.x - 4294967296 ELSE batch.x END)::text::xid8, a.finished_snapshot)))
        RETURNING c.key`,
    [projectKey, containerId, operationIds],
  )) as [Array<{ key: string }>, number];
  return marked[0]?.key;
}
