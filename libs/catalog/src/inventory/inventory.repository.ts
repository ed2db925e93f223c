import { DocumentColumns, UpsertResult, upsertDocument, upsertDocuments } from '../documents';
import { CatalogScope } from '../scope';
import { INVENTORY_TABLE } from '../tables';

/**
 * The SQL of inventory entries (`inventory_entries`): one entry per (sku, supply channel) in a project, upserted by
 * key. Callers pass the narrow scope (manager + projectKey) of their transaction.
 */
type Scope = Pick<CatalogScope, 'manager' | 'projectKey'>;

const INVENTORY_COLUMNS: DocumentColumns = { sku: 'text', supply_channel_id: 'uuid' };

/** A stored entry: what the set-wise decisions need of it. */
export interface StoredInventoryEntry {
  id: string;
  key: string;
  version: number;
  sku: string;
  supply_channel_id: string | null;
}

/** The key of another entry that holds (sku, supply channel), if any. */
export async function findSlotHolder(scope: Scope, sku: string, channelId: string | null, exceptKey: string): Promise<string | undefined> {
  const clash = (await scope.manager.query(
    `SELECT key FROM inventory_entries
        WHERE project_key = $1 AND sku = $2 AND supply_channel_id IS NOT DISTINCT FROM $3::uuid AND key <> $4
        LIMIT 1`,
    [scope.projectKey, sku, channelId, exceptKey],
  )) as Array<{ key: string }>;
  return clash[0]?.key;
}

/** The stored entries of these keys, locked FOR UPDATE in key order, by key. */
export async function lockByKeys(scope: Scope, keys: string[]): Promise<Map<string, StoredInventoryEntry>> {
  const rows = (await scope.manager.query(
    `SELECT id, key, version, sku, supply_channel_id FROM inventory_entries WHERE project_key = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE`,
    [scope.projectKey, keys],
  )) as StoredInventoryEntry[];
  return new Map(rows.map((row) => [row.key, row]));
}

/** Every stored entry of these SKUs (any supply channel): who holds which (sku, supply channel). */
export async function findBySkus(scope: Scope, skus: string[]): Promise<Array<Pick<StoredInventoryEntry, 'key' | 'sku' | 'supply_channel_id'>>> {
  return (await scope.manager.query(`SELECT key, sku, supply_channel_id FROM inventory_entries WHERE project_key = $1 AND sku = ANY($2::text[])`, [
    scope.projectKey,
    skus,
  ])) as Array<Pick<StoredInventoryEntry, 'key' | 'sku' | 'supply_channel_id'>>;
}

/** One entry to write: its key, its InventoryEntry data and the (sku, supply channel) it claims. */
export interface InventoryWrite {
  key: string;
  data: Record<string, unknown>;
  sku: string;
  channelId: string | null;
}

/** Creates or replaces one entry (the version moves only when the data changes). */
export const upsertEntry = (scope: Scope, write: InventoryWrite): Promise<UpsertResult> =>
  upsertDocument(scope.manager, INVENTORY_TABLE, scope.projectKey, write.key, write.data, { sku: write.sku, supply_channel_id: write.channelId });

/** upsertEntry for many entries (distinct keys) in one UPDATE and one INSERT; `stored` = lockByKeys of the same keys. */
export const upsertMany = (scope: Scope, writes: InventoryWrite[], stored: ReadonlyMap<string, { id: string; version: number }>): Promise<UpsertResult[]> =>
  upsertDocuments(
    scope.manager,
    INVENTORY_TABLE,
    INVENTORY_COLUMNS,
    scope.projectKey,
    writes.map((write) => ({ key: write.key, data: write.data, columns: { sku: write.sku, supply_channel_id: write.channelId } })),
    stored,
  );
