import { Queryable } from './queryable';
import { OPEN_STATES_SQL } from './states';
import { notifyOperations } from './waits';

/**
 * Moves at most `batchSize` open operations of one container (`container_id`) or one file import
 * (`file_import_id`) to `canceled`, in one statement, and returns how many. FOR UPDATE waits for an operation
 * being settled and re-evaluates the state on the committed row, so one that was just applied (imported, …)
 * drops out of the batch. Its wait rows go with it (the foreign key cascades only on delete). Callers loop
 * until it returns 0, so a huge cancel is many short transactions.
 */
export async function cancelOpenOperations(
  dataSource: Queryable,
  projectKey: string,
  scope: { column: 'container_id' | 'file_import_id'; id: string },
  batchSize: number,
): Promise<number> {
  const [{ canceled }] = (await dataSource.query(
    `WITH batch AS (
       SELECT project_key, id, unresolved_references IS NOT NULL AS had_waits FROM import_operations
        WHERE project_key = $1 AND ${scope.column === 'container_id' ? 'container_id' : 'file_import_id'} = $2 AND state IN ${OPEN_STATES_SQL}
        LIMIT $3
        FOR UPDATE),
     updated AS (
       UPDATE import_operations o
          SET state = 'canceled', version = o.version + 1, last_modified_at = now(), locked_by = NULL, locked_until = NULL, unresolved_references = NULL
         FROM batch b
        WHERE o.project_key = b.project_key AND o.id = b.id AND o.state IN ${OPEN_STATES_SQL}
       RETURNING o.project_key, o.id, b.had_waits),
     unwaited AS (
       DELETE FROM import_operation_waits w USING updated u
        WHERE u.had_waits AND w.project_key = u.project_key AND w.operation_id = u.id
       RETURNING 1)
     SELECT (SELECT count(*) FROM updated)::int AS canceled, (SELECT count(*) FROM unwaited)::int AS unwaited`,
    [projectKey, scope.id, batchSize],
  )) as Array<{ canceled: number }>;
  return canceled;
}

/** Whether the container still has an open operation (a cancel sweep stops only when none is left). */
export async function hasOpenOperations(runner: Queryable, projectKey: string, containerId: string): Promise<boolean> {
  const [{ open }] = (await runner.query(
    `SELECT EXISTS (SELECT 1 FROM import_operations WHERE project_key = $1 AND container_id = $2 AND state IN ${OPEN_STATES_SQL}) AS open`,
    [projectKey, containerId],
  )) as Array<{ open: boolean }>;
  return open;
}

/** Pause: parks the container's pending operations out of the processor's claim window (run_at = infinity). */
export async function parkContainerOperations(manager: Queryable, projectKey: string, containerId: string): Promise<void> {
  await manager.query(`UPDATE import_operations SET run_at = 'infinity' WHERE project_key = $1 AND container_id = $2 AND state = 'processing'`, [projectKey, containerId]);
}

/** Resume: puts the container's parked operations back (due now) and wakes the processors at the caller's commit. */
export async function resumeContainerOperations(manager: Queryable, projectKey: string, containerId: string): Promise<void> {
  await manager.query(`UPDATE import_operations SET run_at = now() WHERE project_key = $1 AND container_id = $2 AND state = 'processing' AND run_at = 'infinity'`, [
    projectKey,
    containerId,
  ]);
  await notifyOperations(manager, projectKey);
}
