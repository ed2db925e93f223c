import { UpsertResult, upsertDocument } from '../documents';
import { CatalogScope } from '../scope';
import { DISCOUNT_CODES_TABLE } from '../tables';

/** The SQL of discount codes (`discount_codes`): upserted by key; the code is unique per project. */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

/** The key of another discount code that has this code, if any. */
export async function findCodeHolder(scope: Scope, code: string, exceptKey: string): Promise<string | undefined> {
  const clash = (await scope.manager.query(`SELECT key FROM ${DISCOUNT_CODES_TABLE} WHERE project_key = $1 AND code = $2 AND key <> $3 LIMIT 1`, [
    scope.projectKey,
    code,
    exceptKey,
  ])) as Array<{ key: string }>;
  return clash[0]?.key;
}

/** Creates or replaces the discount code of this key (the version moves only when the data changes). */
export const upsertDiscountCode = (scope: Scope, key: string, code: string, data: Record<string, unknown>): Promise<UpsertResult> =>
  upsertDocument(scope.manager, DISCOUNT_CODES_TABLE, scope.projectKey, key, data, { code });
