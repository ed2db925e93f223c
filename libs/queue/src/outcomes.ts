import { Queryable } from './queryable';

/** One operation's outcome as recordOutcomes() stores it. */
export interface OutcomeRow {
  id: string;
  state: string;
  /** Set for `imported`; else the operation keeps the resource version it had. */
  resource_version: number | null;
  errors: unknown[] | null;
  unresolved: Array<{ typeId: string; key: string }> | null;
}

/**
 * Records the outcomes of a batch in ONE statement, releasing the claims; only operations still claimed by `workerId`
 * and still processing are updated. Returns how many were (fewer than given: some are no longer this worker's).
 */
export async function recordOutcomes(manager: Queryable, projectKey: string, workerId: string, rows: OutcomeRow[]): Promise<number> {
  const [, updated] = (await manager.query(
    `UPDATE import_operations o
          SET state = r.state, version = o.version + 1, last_modified_at = now(), locked_by = NULL, locked_until = NULL,
              resource_version = COALESCE(r.resource_version, o.resource_version), errors = r.errors, unresolved_references = r.unresolved
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, state text, resource_version integer, errors jsonb, unresolved jsonb)
        WHERE o.project_key = $1 AND o.id = ANY($3::uuid[]) AND o.id = r.id AND o.locked_by = $4 AND o.state = 'processing'`,
    [projectKey, JSON.stringify(rows), rows.map((row) => row.id), workerId],
  )) as [unknown, number];
  return updated;
}

/** Releases a failed operation for a retry after an exponential backoff (1 s, 2 s, 4 s, … by its attempts), if still `workerId`'s. */
export async function retryWithBackoff(runner: Queryable, projectKey: string, id: string, workerId: string): Promise<void> {
  await runner.query(
    `UPDATE import_operations SET locked_by = NULL, locked_until = NULL, run_at = now() + make_interval(secs => power(2, attempts - 1))
          WHERE project_key = $1 AND id = $2 AND locked_by = $3`,
    [projectKey, id, workerId],
  );
}
