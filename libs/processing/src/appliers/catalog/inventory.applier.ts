import { Applier, ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { KeyReference, collectKeyReferences, uniqueReferences } from '../../../../catalog/src/references';
import { ErrorObject } from '../../../../common/src';
import { ImportCustom, toCustomFields, validateCustomFields } from '../../../../catalog/src/custom-fields';
import { DocumentColumns, upsertDocument, upsertDocuments } from '../../../../catalog/src/documents';
import { compact } from '../../../../catalog/src/products/product-model';
import { INVENTORY_TABLE } from '../../../../catalog/src/tables';

const INVENTORY_COLUMNS: DocumentColumns = { sku: 'text', supply_channel_id: 'uuid' };

interface InventoryImport {
  key: string;
  sku: string;
  quantityOnStock: number;
  restockableInDays?: number;
  expectedDelivery?: string;
  reservationExpirationInMinutes?: number;
  supplyChannel?: KeyReference;
  custom?: ImportCustom;
}

/** The entry an import describes: its data and the (sku, supply channel) it claims. */
function entryOf(resource: InventoryImport, context: ApplyContext): { data: Record<string, unknown>; channelId: string | null } {
  const channelId = resource.supplyChannel ? context.resolved.get(`channel:${resource.supplyChannel.key}`) : undefined;
  const data = compact({
    sku: resource.sku,
    supplyChannel: channelId ? { typeId: 'channel', id: channelId } : undefined,
    quantityOnStock: resource.quantityOnStock,
    availableQuantity: resource.quantityOnStock,
    restockableInDays: resource.restockableInDays,
    expectedDelivery: resource.expectedDelivery,
    reservationExpirationInMinutes: resource.reservationExpirationInMinutes,
    custom: toCustomFields(resource.custom, context.resolved),
  });
  return { data, channelId: channelId ?? null };
}

function duplicateEntry(resource: InventoryImport, holder: string): ApplyResult {
  const where = resource.supplyChannel ? ` and supply channel '${resource.supplyChannel.key}'` : ' and no supply channel';
  const error: ErrorObject = {
    code: 'DuplicateField',
    message: `An inventory entry for sku '${resource.sku}'${where} already exists (key '${holder}').`,
    field: resource.supplyChannel ? 'sku,supplyChannel' : 'sku',
    duplicateValue: resource.sku,
  };
  return { state: 'rejected', errors: [error] };
}

/** The unique (sku, supply channel) of an entry, as one text. */
const slot = (sku: string, channelId: string | null) => `${sku}\u0000${channelId ?? ''}`;

interface StoredEntry {
  id: string;
  key: string;
  version: number;
  sku: string;
  supply_channel_id: string | null;
}

/** InventoryImport → InventoryEntry; one entry per (sku, supply channel) in a project. */
export const inventoryApplier: Applier<InventoryImport> = {
  resourceType: 'inventory',
  references: (resource) => uniqueReferences(collectKeyReferences(resource)),
  async apply(resource: InventoryImport, context: ApplyContext): Promise<ApplyResult> {
    const customErrors = await validateCustomFields(context.manager, context.projectKey, 'inventory-entry', resource.custom);
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors };

    const { data, channelId } = entryOf(resource, context);
    // Checked before writing, so a clash ends the operation instead of aborting the transaction on the unique index.
    const clash = (await context.manager.query(
      `SELECT key FROM inventory_entries
        WHERE project_key = $1 AND sku = $2 AND supply_channel_id IS NOT DISTINCT FROM $3::uuid AND key <> $4
        LIMIT 1`,
      [context.projectKey, resource.sku, channelId, resource.key],
    )) as Array<{ key: string }>;
    if (clash.length > 0) return duplicateEntry(resource, clash[0].key);

    const result = await upsertDocument(context.manager, INVENTORY_TABLE, context.projectKey, resource.key, data, { sku: resource.sku, supply_channel_id: channelId });
    if (result.created) context.created('inventory-entry', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },

  /**
   * Set-wise: the batch's entries loaded and locked in one statement (key order), the holders of their SKUs in
   * another; clashes decided in accept order in memory (an entry that gives up a (sku, channel) frees it for the
   * entries after it, as one by one); then one UPDATE of the changed entries and one INSERT of the new ones.
   */
  async applyMany(items: Array<BatchItem<InventoryImport>>): Promise<ApplyResult[]> {
    const { manager, projectKey } = items[0].context;
    const keys = items.map((item) => item.resource.key);
    const existing = new Map(
      (
        (await manager.query(
          `SELECT id, key, version, sku, supply_channel_id FROM inventory_entries WHERE project_key = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE`,
          [projectKey, keys],
        )) as StoredEntry[]
      ).map((row) => [row.key, row]),
    );
    const holders = new Map<string, string>();
    const skus = [...new Set(items.map((item) => item.resource.sku))];
    for (const row of (await manager.query(`SELECT key, sku, supply_channel_id FROM inventory_entries WHERE project_key = $1 AND sku = ANY($2::text[])`, [
      projectKey,
      skus,
    ])) as StoredEntry[]) {
      holders.set(slot(row.sku, row.supply_channel_id), row.key);
    }
    const results: Array<ApplyResult | undefined> = [];
    const writes: Array<{ index: number; data: Record<string, unknown>; channelId: string | null }> = [];
    for (const [index, { resource, context }] of items.entries()) {
      const customErrors = await validateCustomFields(manager, projectKey, 'inventory-entry', resource.custom);
      if (customErrors.length > 0) {
        results.push({ state: 'validationFailed', errors: customErrors });
        continue;
      }
      const { data, channelId } = entryOf(resource, context);
      const holder = holders.get(slot(resource.sku, channelId));
      if (holder !== undefined && holder !== resource.key) {
        results.push(duplicateEntry(resource, holder));
        continue;
      }
      const previous = existing.get(resource.key);
      if (previous) holders.delete(slot(previous.sku, previous.supply_channel_id));
      holders.set(slot(resource.sku, channelId), resource.key);
      results.push(undefined);
      writes.push({ index, data, channelId });
    }
    const saved = await upsertDocuments(
      manager,
      INVENTORY_TABLE,
      INVENTORY_COLUMNS,
      projectKey,
      writes.map((write) => ({ key: keys[write.index], data: write.data, columns: { sku: items[write.index].resource.sku, supply_channel_id: write.channelId } })),
      existing,
    );
    for (const [i, write] of writes.entries()) {
      if (saved[i].created) items[write.index].context.created('inventory-entry', keys[write.index]);
      results[write.index] = { state: 'imported', resourceVersion: saved[i].version };
    }
    return results.map((result) => result!);
  },
};
