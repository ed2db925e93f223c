import { Queryable } from './queryable';

/** Deletes at most `limit` operations past their expiresAt (at `now`), oldest first along the expires_at index; returns how many. */
export async function deleteExpiredOperations(runner: Queryable, now: Date, limit: number): Promise<number> {
  const [, count] = (await runner.query(
    `DELETE FROM import_operations WHERE (project_key, id) IN (SELECT project_key, id FROM import_operations WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
    [now, limit],
  )) as [unknown, number];
  return count;
}

/** Deletes at most `limit` operations of one container (before the container itself is deleted); returns how many. */
export async function deleteContainerOperations(runner: Queryable, projectKey: string, containerId: string, limit: number): Promise<number> {
  const [, count] = (await runner.query(
    `DELETE FROM import_operations WHERE (project_key, id) IN (SELECT project_key, id FROM import_operations WHERE project_key = $1 AND container_id = $2 LIMIT $3)`,
    [projectKey, containerId, limit],
  )) as [unknown, number];
  return count;
}
