import { DocumentRow, UpsertResult, findByKey, upsertDocument } from '../documents';
import { CatalogScope } from '../scope';
import { PRODUCT_TAILORINGS_TABLE } from '../tables';

/** The SQL of product tailorings (`product_tailorings`): upserted by key; one tailoring per store and product. */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

/** The key of another tailoring of the same store and product, if any. */
export async function findStoreProductHolder(scope: Scope, storeId: string, productId: string, exceptKey: string): Promise<string | undefined> {
  const clash = (await scope.manager.query(`SELECT key FROM ${PRODUCT_TAILORINGS_TABLE} WHERE project_key = $1 AND store_id = $2 AND product_id = $3 AND key <> $4 LIMIT 1`, [
    scope.projectKey,
    storeId,
    productId,
    exceptKey,
  ])) as Array<{ key: string }>;
  return clash[0]?.key;
}

/** The stored tailoring of this key, locked FOR UPDATE. */
export const lockByKey = (scope: Scope, key: string): Promise<DocumentRow | undefined> => findByKey(scope.manager, PRODUCT_TAILORINGS_TABLE, scope.projectKey, key, true);

/** Creates or replaces the tailoring of this key (the version moves only when the data changes). */
export const upsertTailoring = (scope: Scope, key: string, data: Record<string, unknown>, storeId: string, productId: string): Promise<UpsertResult> =>
  upsertDocument(scope.manager, PRODUCT_TAILORINGS_TABLE, scope.projectKey, key, data, { store_id: storeId, product_id: productId });
