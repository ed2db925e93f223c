import { CatalogScope } from '../scope';
import { CUSTOMERS_TABLE } from '../tables';

/**
 * The SQL of customers (`customers`): upserted by key; the email is unique case-insensitively per project, or per
 * store for customers of stores; the scrypt hash of the password sits in its own column, never in `data`.
 */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

/** A stored customer, as the import needs it. */
export interface StoredCustomer {
  id: string;
  version: number;
  data: Record<string, unknown>;
  password_hash: string | null;
}

/** The columns a customer write sets besides its key. */
export interface CustomerWrite {
  data: Record<string, unknown>;
  emailLower: string;
  storeKeys: string[];
  passwordHash: string | null;
}

/** The key of another customer whose email clashes with `emailLower` in these stores (none: the whole project). */
export async function findEmailHolder(scope: Scope, emailLower: string, exceptKey: string, storeKeys: string[]): Promise<string | undefined> {
  const clash = (await scope.manager.query(
    `SELECT key FROM ${CUSTOMERS_TABLE}
        WHERE project_key = $1 AND email_lower = $2 AND key <> $3
          AND (cardinality(store_keys) = 0 OR cardinality($4::text[]) = 0 OR store_keys && $4::text[])
        LIMIT 1`,
    [scope.projectKey, emailLower, exceptKey, storeKeys],
  )) as Array<{ key: string }>;
  return clash[0]?.key;
}

/** The stored customer of this key, locked FOR UPDATE. */
export async function lockByKey(scope: Scope, key: string): Promise<StoredCustomer | undefined> {
  const rows = (await scope.manager.query(`SELECT id, version, data, password_hash FROM ${CUSTOMERS_TABLE} WHERE project_key = $1 AND key = $2 FOR UPDATE`, [
    scope.projectKey,
    key,
  ])) as StoredCustomer[];
  return rows[0];
}

/** Creates the customer; returns its version. */
export async function insertCustomer(scope: Scope, key: string, write: CustomerWrite): Promise<number> {
  const inserted = (await scope.manager.query(
    `INSERT INTO ${CUSTOMERS_TABLE} (project_key, key, data, email_lower, store_keys, password_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING version`,
    [scope.projectKey, key, JSON.stringify(write.data), write.emailLower, write.storeKeys, write.passwordHash],
  )) as Array<{ version: number }>;
  return inserted[0].version;
}

/** Replaces the stored customer `id` and bumps its version; returns the new version. */
export async function updateCustomer(scope: Scope, id: string, write: CustomerWrite): Promise<number> {
  const [updated] = (await scope.manager.query(
    `UPDATE ${CUSTOMERS_TABLE} SET data = $3, email_lower = $4, store_keys = $5, password_hash = $6, version = version + 1, last_modified_at = now()
        WHERE project_key = $1 AND id = $2 RETURNING version`,
    [scope.projectKey, id, JSON.stringify(write.data), write.emailLower, write.storeKeys, write.passwordHash],
  )) as [Array<{ version: number }>, number];
  return updated[0].version;
}
