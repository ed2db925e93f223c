import { DocumentRow, findByKey } from '../documents';
import { CatalogScope } from '../scope';
import { ORDERS_TABLE } from '../tables';

/** The SQL of orders (`orders`): created once by orderNumber (the key), then patched (deliveries, parcels, returns). */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

/** The stored order of this orderNumber (`forUpdate`: locked). */
export const findByOrderNumber = (scope: Scope, orderNumber: string, forUpdate = false): Promise<DocumentRow | undefined> =>
  findByKey(scope.manager, ORDERS_TABLE, scope.projectKey, orderNumber, forUpdate);

/** Creates the order; returns its version, or undefined when an order of that orderNumber exists (nothing written). */
export async function insertOrder(scope: Scope, orderNumber: string, data: Record<string, unknown>): Promise<number | undefined> {
  const rows = (await scope.manager.query(
    `INSERT INTO ${ORDERS_TABLE} (project_key, key, data) VALUES ($1, $2, $3) ON CONFLICT (project_key, key) DO NOTHING RETURNING version`,
    [scope.projectKey, orderNumber, JSON.stringify(data)],
  )) as Array<{ version: number }>;
  return rows[0]?.version;
}

/** Replaces the data of the order `id` and bumps its version; returns the new version. */
export async function updateOrderData(scope: Scope, id: string, data: Record<string, unknown>): Promise<number> {
  const [updated] = (await scope.manager.query(
    `UPDATE ${ORDERS_TABLE} SET data = $3, version = version + 1, last_modified_at = now() WHERE project_key = $1 AND id = $2 RETURNING version`,
    [scope.projectKey, id, JSON.stringify(data)],
  )) as [Array<{ version: number }>, number];
  return updated[0].version;
}
