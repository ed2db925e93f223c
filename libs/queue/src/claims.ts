import { EntityManager } from 'typeorm';
import { Queryable } from './queryable';
import { OPEN_STATES_SQL } from './states';

/** An operation as a claim returns it. */
export interface ClaimedOperation {
  project_key: string;
  id: string;
  resource_type: string;
  resource_key: string;
  payload: Record<string, unknown>;
  attempts: number;
  /** True when the operation was unresolved before, so it may have rows in import_operation_waits. */
  had_waits: boolean;
  container_id: string;
  created_at: Date;
  seq: string;
}

/**
 * Claims up to `batchSize` due operations for `workerId` for `leaseSeconds`, in the caller's transaction (which must
 * hold nothing else: the planner settings it takes are scoped to that transaction).
 */
export async function claimBatch(manager: EntityManager, workerId: string, batchSize: number, leaseSeconds: number): Promise<ClaimedOperation[]> {
  // Only the oldest open operation of each (project, type, key) is claimable: operations for one
  // resource apply in the order they were accepted, whatever the number of workers.
  // The oldest pending operations are read in index order (a bounded window, so the cost does not
  // grow with the backlog); of those, only the oldest open operation of each (project, type, key) is
  // claimable: operations for one resource apply in the order they were accepted.
  // The window must be read in index order, whatever the statistics say: right after a bulk accept
  // (before autovacuum has analysed the table) the planner believes few operations are pending and
  // picks a bitmap scan of the whole backlog plus a sort — 178 ms instead of 14 ms per claim with
  // 50k pending. Planner settings scoped to the claim's own transaction rule that plan out.
  await manager.query(`SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`);
  const [rows] = (await manager.query(
    `WITH pending AS MATERIALIZED (
         SELECT project_key, id, run_at, seq, container_id, resource_type, resource_key, created_at
           FROM import_operations
          WHERE state = 'processing' AND run_at <= now() AND (locked_until IS NULL OR locked_until < now())
          ORDER BY run_at, seq
          LIMIT $1 * 4),
       eligible AS MATERIALIZED (
         SELECT p.project_key, p.id, p.run_at, p.seq
           FROM pending p
          -- Paused containers' operations are parked out of the window (run_at = infinity, see the container
          -- tasks); this check covers the moments around a pause.
          WHERE EXISTS (SELECT 1 FROM import_containers c WHERE c.project_key = p.project_key AND c.id = p.container_id AND c.processing_state = 'active')
            AND NOT EXISTS (
                  SELECT 1 FROM import_operations earlier
                   WHERE earlier.project_key = p.project_key
                     AND earlier.resource_type = p.resource_type
                     AND earlier.resource_key = p.resource_key
                     AND (earlier.created_at, earlier.seq) < (p.created_at, p.seq)
                     AND earlier.state IN ${OPEN_STATES_SQL})
          ORDER BY p.run_at, p.seq
          LIMIT $1),
       candidates AS (
         SELECT o.project_key, o.id
           FROM eligible e
           JOIN import_operations o ON o.project_key = e.project_key AND o.id = e.id
          WHERE o.state = 'processing'
            -- Re-checked on the row's latest version when another worker claimed it after our snapshot
            -- (FOR UPDATE re-evaluates these conditions): never take over a fresh claim.
            AND (o.locked_until IS NULL OR o.locked_until < now())
          ORDER BY e.run_at, e.seq
          FOR UPDATE OF o SKIP LOCKED)
       UPDATE import_operations o
          SET locked_by = $2, locked_until = now() + make_interval(secs => $3), attempts = o.attempts + 1
         FROM candidates c
        WHERE o.project_key = c.project_key AND o.id = c.id
       RETURNING o.project_key, o.id, o.resource_type, o.resource_key, o.payload, o.attempts, o.unresolved_references IS NOT NULL AS had_waits, o.container_id, o.created_at, o.seq`,
    [batchSize, workerId, leaseSeconds],
  )) as [ClaimedOperation[], number];
  return rows;
}

/**
 * Of these operations, the ids still claimed by `workerId` and still processing, locked FOR UPDATE in the caller's
 * transaction (which it also makes commit asynchronously, as the settle transaction does).
 */
export async function lockOwnedOperations(manager: Queryable, projectKey: string, ids: string[], workerId: string): Promise<Set<string>> {
  const owned = (await manager.query(
    `SELECT id, set_config('synchronous_commit', 'off', true) FROM import_operations
              WHERE project_key = $1 AND id = ANY($2::uuid[]) AND locked_by = $3 AND state = 'processing' FOR UPDATE`,
    [projectKey, ids, workerId],
  )) as Array<{ id: string }>;
  return new Set(owned.map((row) => row.id));
}

/** Whether one operation is still claimed by `workerId` and processing; locks it FOR UPDATE in the caller's transaction. */
export async function lockOwnedOperation(manager: Queryable, projectKey: string, id: string, workerId: string): Promise<boolean> {
  const owned = (await manager.query(`SELECT 1 FROM import_operations WHERE project_key = $1 AND id = $2 AND locked_by = $3 AND state = 'processing' FOR UPDATE`, [
    projectKey,
    id,
    workerId,
  ])) as unknown[];
  return owned.length > 0;
}

/** Heartbeat: extends the lease of these operations that are still `workerId`'s (skipping rows being settled). */
export async function renewLeases(runner: Queryable, workerId: string, operations: ReadonlyArray<{ project_key: string; id: string }>, leaseSeconds: number): Promise<void> {
  await runner.query(
    `UPDATE import_operations o SET locked_until = now() + make_interval(secs => $4)
           FROM (SELECT project_key, id FROM import_operations
                  WHERE (project_key, id) IN (SELECT * FROM unnest($2::text[], $3::uuid[]))
                    AND locked_by = $1 AND state = 'processing'
                  FOR UPDATE SKIP LOCKED) mine
          WHERE o.project_key = mine.project_key AND o.id = mine.id`,
    [workerId, operations.map((o) => o.project_key), operations.map((o) => o.id), leaseSeconds],
  );
}

/** Releases every claim `workerId` still holds, not counting the try as an attempt; returns how many. */
export async function releaseClaims(runner: Queryable, workerId: string): Promise<number> {
  const [, count] = (await runner.query(
    `UPDATE import_operations SET locked_by = NULL, locked_until = NULL, attempts = GREATEST(attempts - 1, 0)
        WHERE state = 'processing' AND locked_by = $1`,
    [workerId],
  )) as [unknown, number];
  return count;
}
