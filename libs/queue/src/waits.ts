import { DataSource, EntityManager } from 'typeorm';
import { Queryable } from './queryable';

/** Channel the processor LISTENs on; notified (at commit) whenever new operations are accepted or become due. */
export const OPERATIONS_CHANNEL = 'berth_operations';

/** A key an operation waits for (a reference's typeId and key); structurally the processor's KeyReference. */
export interface WaitKey {
  typeId: string;
  key: string;
}

/** Notifies the processors (at the caller's commit) that operations of the project(s) are due. */
export async function notifyOperations(runner: Queryable, projectKeys: string | string[]): Promise<void> {
  await runner.query(`SELECT pg_notify($1, project) FROM unnest($2::text[]) AS project`, [OPERATIONS_CHANNEL, typeof projectKeys === 'string' ? [projectKeys] : projectKeys]);
}

/**
 * Waiting for a referenced key without losing a wake-up.
 *
 * An operation that finds a reference missing commits a row in import_operation_waits; whoever creates
 * that key later wakes the waiting operations. Without care the two race: the creator's wake-up could
 * run before the waiter's row is committed. So the processor holds a SHARED advisory lock on every key an
 * operation references while it settles, and a wake-up (run after the creating transaction committed)
 * takes the EXCLUSIVE lock first: it waits for in-flight settles of those keys, which either already see
 * the new resource or have committed their wait row by then.
 */

/** Wait keys that stand for a state of another resource lock that resource's key. */
const LOCK_ALIASES: Record<string, string> = { 'product-master-variant': 'product' };

function lockTargets(projectKey: string, references: WaitKey[]): Array<[string, string, string]> {
  const unique = new Map<string, [string, string, string]>();
  for (const reference of references) {
    const typeId = LOCK_ALIASES[reference.typeId] ?? reference.typeId;
    unique.set(`${typeId}/${reference.key}`, [projectKey, typeId, reference.key]);
  }
  // A fixed order keeps concurrent lockers from deadlocking on each other.
  return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, target]) => target);
}

/** Held by a settling operation (until its commit) on every key it references. */
export async function lockReferencesShared(manager: EntityManager, projectKey: string, references: WaitKey[]): Promise<void> {
  await lockAll(manager, 'pg_advisory_xact_lock_shared', lockTargets(projectKey, references));
}

/** Takes the locks in one round trip, in the given (sorted) order. */
async function lockAll(manager: EntityManager, lockFunction: string, targets: Array<[string, string, string]>): Promise<void> {
  if (targets.length === 0) return;
  await manager.query(
    `SELECT ${lockFunction}(hashtextextended(t.project_key || '/' || t.type_id || '/' || t.key, 0))
       FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(project_key, type_id, key, position) ORDER BY position) t`,
    [targets.map((t) => t[0]), targets.map((t) => t[1]), targets.map((t) => t[2])],
  );
}

/** Deletes the wait rows of these operations (settled now, they wait for nothing they waited for before). */
export async function deleteWaits(manager: Queryable, projectKey: string, operationIds: string[]): Promise<void> {
  await manager.query(`DELETE FROM import_operation_waits WHERE project_key = $1 AND operation_id = ANY($2::uuid[])`, [projectKey, operationIds]);
}

/** Inserts one wait row per (operation, missing key), in one statement; existing rows are kept. */
export async function insertWaits(manager: Queryable, projectKey: string, waits: Array<{ id: string; typeId: string; key: string }>): Promise<void> {
  await manager.query(
    `INSERT INTO import_operation_waits (project_key, type_id, key, operation_id)
         SELECT $1, w.type_id, w.key, w.operation_id FROM unnest($2::text[], $3::text[], $4::uuid[]) AS w(type_id, key, operation_id) ON CONFLICT DO NOTHING`,
    [projectKey, waits.map((w) => w.typeId), waits.map((w) => w.key), waits.map((w) => w.id)],
  );
}

/**
 * Wakes operations waiting for these keys, in its own transaction, after the keys' resources were
 * committed: they go back to `processing` and the processors are notified.
 */
export async function wakeWaitingOperations(dataSource: DataSource, projectKey: string, keys: WaitKey[]): Promise<number> {
  if (keys.length === 0) return 0;
  // Usually nobody waits. Only two kinds of operation can: one that committed a wait row, and one
  // settling right now under a shared lock on the key. Any operation that locks the key later already
  // sees the committed resource. One cheap query tells whether the locked wake-up below is needed.
  const targets = lockTargets(projectKey, keys);
  const [{ needed }] = (await dataSource.query(
    `SELECT EXISTS (SELECT 1 FROM import_operation_waits w JOIN unnest($2::text[], $3::text[]) AS k(type_id, key) USING (type_id, key)
                     WHERE w.project_key = $1)
         OR EXISTS (SELECT 1 FROM pg_locks p
                     JOIN unnest($4::text[], $5::text[]) AS l(type_id, key)
                       ON ((p.classid::bigint << 32) | p.objid::bigint) = hashtextextended($1 || '/' || l.type_id || '/' || l.key, 0)
                    WHERE p.locktype = 'advisory' AND p.objsubid = 1) AS needed`,
    [projectKey, keys.map((key) => key.typeId), keys.map((key) => key.key), targets.map((t) => t[1]), targets.map((t) => t[2])],
  )) as Array<{ needed: boolean }>;
  if (!needed) return 0;
  return dataSource.transaction(async (manager) => {
    await lockAll(manager, 'pg_advisory_xact_lock', lockTargets(projectKey, keys));
    // The waiting operations are found from their few wait rows and reached by primary key, whatever the statistics
    // say: right after a bulk accept the planner may believe import_operations nearly empty and join it by scanning
    // it whole — 130 ms per wake-up in the mixed-catalog bench. Planner settings scoped to this transaction rule that out.
    await manager.query(`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)`);
    const [, woken] = (await manager.query(
      // A woken operation keeps its place in the queue (due since it was accepted), ahead of operations accepted
      // after it — those often depend on it (a product on its category, a price on its product), and claiming
      // them first would only make them wait in turn. In a paused container it stays parked (see the tasks).
      `UPDATE import_operations o
          SET state = 'processing', last_modified_at = now(),
              run_at = CASE WHEN c.processing_state = 'active' THEN LEAST(o.created_at, now()) ELSE 'infinity' END
         FROM import_operation_waits w, unnest($2::text[], $3::text[]) AS k(type_id, key), import_containers c
        WHERE w.project_key = $1 AND w.type_id = k.type_id AND w.key = k.key
          AND o.project_key = w.project_key AND o.id = w.operation_id AND o.state IN ('unresolved', 'waitForMasterVariant')
          AND c.project_key = o.project_key AND c.id = o.container_id`,
      [projectKey, keys.map((key) => key.typeId), keys.map((key) => key.key)],
    )) as [unknown, number];
    if (woken > 0) await notifyOperations(manager, projectKey);
    return woken;
  });
}
