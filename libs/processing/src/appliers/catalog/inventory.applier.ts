import { Applier, ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { KeyReference, collectKeyReferences, uniqueReferences } from '../../../../catalog/src/references';
import { ErrorObject } from '../../../../common/src';
import { ImportCustom, toCustomFields, validateCustomFields } from '../../../../catalog/src/custom-fields';
import { InventoryWrite, StoredInventoryEntry, findBySkus, findSlotHolder, lockByKeys, upsertEntry, upsertMany } from '../../../../catalog/src/inventory/inventory.repository';
import { compact } from '../../../../catalog/src/products/product-model';
import { ResolvedScope } from '../../../../catalog/src/scope';

export interface InventoryImport {
  key: string;
  sku: string;
  quantityOnStock: number;
  restockableInDays?: number;
  expectedDelivery?: string;
  reservationExpirationInMinutes?: number;
  supplyChannel?: KeyReference;
  custom?: ImportCustom;
}

/** The id of the supply channel an import names (null: none). */
const channelIdOf = (resource: InventoryImport, scope: ResolvedScope): string | null =>
  (resource.supplyChannel ? scope.resolved.get(`channel:${resource.supplyChannel.key}`) : undefined) ?? null;

/** The InventoryEntry data an import describes. */
function entryData(resource: InventoryImport, scope: ResolvedScope, channelId: string | null): Record<string, unknown> {
  return compact({
    sku: resource.sku,
    supplyChannel: channelId ? { typeId: 'channel', id: channelId } : undefined,
    quantityOnStock: resource.quantityOnStock,
    availableQuantity: resource.quantityOnStock,
    restockableInDays: resource.restockableInDays,
    expectedDelivery: resource.expectedDelivery,
    reservationExpirationInMinutes: resource.reservationExpirationInMinutes,
    custom: toCustomFields(resource.custom, scope.resolved),
  });
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
export const slot = (sku: string, channelId: string | null) => `${sku}\u0000${channelId ?? ''}`;

/** What to do with one import: an outcome without writing, or the entry to write. */
export type InventoryDecision = { result: ApplyResult } | { write: InventoryWrite };

/**
 * Pure: the decision for one import, given the errors of its custom fields and the key of the entry that holds
 * its (sku, supply channel) (undefined: none).
 */
export function decideEntry(resource: InventoryImport, scope: ResolvedScope, customErrors: ErrorObject[], holder: string | undefined): InventoryDecision {
  if (customErrors.length > 0) return { result: { state: 'validationFailed', errors: customErrors } };
  const channelId = channelIdOf(resource, scope);
  const data = entryData(resource, scope, channelId);
  if (holder !== undefined && holder !== resource.key) return { result: duplicateEntry(resource, holder) };
  return { write: { key: resource.key, data, sku: resource.sku, channelId } };
}

/**
 * Pure: decideEntry for a batch in accept order. `holders` (slot → key, from the stored entries) is updated as the
 * entries are decided: an entry that gives up a (sku, channel) frees it for the entries after it, as one by one.
 */
export function decideEntries(
  items: Array<{ resource: InventoryImport; scope: ResolvedScope; customErrors: ErrorObject[] }>,
  existing: ReadonlyMap<string, Pick<StoredInventoryEntry, 'sku' | 'supply_channel_id'>>,
  holders: Map<string, string>,
): InventoryDecision[] {
  return items.map(({ resource, scope, customErrors }) => {
    const decision = decideEntry(resource, scope, customErrors, holders.get(slot(resource.sku, channelIdOf(resource, scope))));
    if ('write' in decision) {
      const previous = existing.get(resource.key);
      if (previous) holders.delete(slot(previous.sku, previous.supply_channel_id));
      holders.set(slot(resource.sku, decision.write.channelId), resource.key);
    }
    return decision;
  });
}

/** InventoryImport → InventoryEntry; one entry per (sku, supply channel) in a project. */
export const inventoryApplier: Applier<InventoryImport> = {
  resourceType: 'inventory',
  references: (resource) => uniqueReferences(collectKeyReferences(resource)),
  async apply(resource: InventoryImport, context: ApplyContext): Promise<ApplyResult> {
    const customErrors = await validateCustomFields(context.manager, context.projectKey, 'inventory-entry', resource.custom);
    // Checked before writing, so a clash ends the operation instead of aborting the transaction on the unique index.
    const holder = customErrors.length > 0 ? undefined : await findSlotHolder(context, resource.sku, channelIdOf(resource, context), resource.key);
    const decision = decideEntry(resource, context, customErrors, holder);
    if ('result' in decision) return decision.result;
    const result = await upsertEntry(context, decision.write);
    if (result.created) context.created('inventory-entry', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },

  /**
   * Set-wise: the batch's entries loaded and locked in one statement (key order), the holders of their SKUs in
   * another; clashes decided in accept order in memory (decideEntries); then one UPDATE of the changed entries and
   * one INSERT of the new ones.
   */
  async applyMany(items: Array<BatchItem<InventoryImport>>): Promise<ApplyResult[]> {
    const scope = items[0].context;
    const existing = await lockByKeys(scope, items.map((item) => item.resource.key));
    const holders = new Map<string, string>();
    for (const row of await findBySkus(scope, [...new Set(items.map((item) => item.resource.sku))])) holders.set(slot(row.sku, row.supply_channel_id), row.key);
    const inputs: Array<{ resource: InventoryImport; scope: ResolvedScope; customErrors: ErrorObject[] }> = [];
    for (const { resource, context } of items) {
      inputs.push({ resource, scope: context, customErrors: await validateCustomFields(scope.manager, scope.projectKey, 'inventory-entry', resource.custom) });
    }
    const decisions = decideEntries(inputs, existing, holders);
    const writes = decisions.flatMap((decision, index) => ('write' in decision ? [{ index, write: decision.write }] : []));
    const saved = await upsertMany(scope, writes.map(({ write }) => write), existing);
    const results = decisions.map((decision) => ('result' in decision ? decision.result : undefined));
    for (const [i, { index, write }] of writes.entries()) {
      if (saved[i].created) items[index].context.created('inventory-entry', write.key);
      results[index] = { state: 'imported', resourceVersion: saved[i].version };
    }
    return results.map((result) => result!);
  },
};
