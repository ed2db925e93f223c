import { DocumentRow, findByKey } from '../documents';
import { CatalogScope } from '../scope';
import { PRODUCT_SELECTIONS_TABLE } from '../tables';

/**
 * The SQL of product selections (`product_selections`): upserted by key; the assignments (products with their
 * variant selection or exclusion) are kept in their own column beside the document.
 */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

/** The stored selection of this key, locked FOR UPDATE. */
export const lockByKey = (scope: Scope, key: string): Promise<DocumentRow | undefined> => findByKey(scope.manager, PRODUCT_SELECTIONS_TABLE, scope.projectKey, key, true);

/** Creates the selection with its assignments; returns its version. */
export async function insertSelection(scope: Scope, key: string, data: Record<string, unknown>, assignments: unknown[]): Promise<number> {
  const rows = (await scope.manager.query(`INSERT INTO ${PRODUCT_SELECTIONS_TABLE} (project_key, key, data, assignments) VALUES ($1, $2, $3, $4) RETURNING version`, [
    scope.projectKey,
    key,
    JSON.stringify(data),
    JSON.stringify(assignments),
  ])) as Array<{ version: number }>;
  return rows[0].version;
}

/** The stored assignments of the selection `id`. */
export async function findAssignments(scope: Scope, id: string): Promise<unknown> {
  const [current] = (await scope.manager.query(`SELECT assignments FROM ${PRODUCT_SELECTIONS_TABLE} WHERE project_key = $1 AND id = $2`, [scope.projectKey, id])) as Array<{
    assignments: unknown;
  }>;
  return current.assignments;
}

/** Replaces the data and assignments of the selection `id` and bumps its version; returns the new version. */
export async function updateSelection(scope: Scope, id: string, data: Record<string, unknown>, assignments: unknown[]): Promise<number> {
  const [updated] = (await scope.manager.query(
    `UPDATE ${PRODUCT_SELECTIONS_TABLE} SET data = $3, assignments = $4, version = version + 1, last_modified_at = now() WHERE project_key = $1 AND id = $2 RETURNING version`,
    [scope.projectKey, id, JSON.stringify(data), JSON.stringify(assignments)],
  )) as [Array<{ version: number }>, number];
  return updated[0].version;
}
