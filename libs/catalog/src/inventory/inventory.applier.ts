import { Applier, ApplyContext, ApplyResult, KeyReference, collectKeyReferences, uniqueReferences } from '../../../processing/src/applier';
import { ImportCustom, toCustomFields, validateCustomFields } from '../custom-fields';
import { upsertDocument } from '../documents';
import { compact } from '../products/product-model';

export const INVENTORY_TABLE = 'inventory_entries';

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

/** InventoryImport → InventoryEntry; one entry per (sku, supply channel) in a project. */
export const inventoryApplier: Applier<InventoryImport> = {
  resourceType: 'inventory',
  references: (resource) => uniqueReferences(collectKeyReferences(resource)),
  async apply(resource: InventoryImport, context: ApplyContext): Promise<ApplyResult> {
    const customErrors = await validateCustomFields(context.manager, context.projectKey, 'inventory-entry', resource.custom);
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors };

    const channelId = resource.supplyChannel ? context.resolved.get(`channel:${resource.supplyChannel.key}`) : undefined;
    // Checked before writing, so a clash ends the operation instead of aborting the transaction on the unique index.
    const clash = (await context.manager.query(
      `SELECT key FROM inventory_entries
        WHERE project_key = $1 AND sku = $2 AND supply_channel_id IS NOT DISTINCT FROM $3::uuid AND key <> $4
        LIMIT 1`,
      [context.projectKey, resource.sku, channelId ?? null, resource.key],
    )) as Array<{ key: string }>;
    if (clash.length > 0) {
      const where = resource.supplyChannel ? ` and supply channel '${resource.supplyChannel.key}'` : ' and no supply channel';
      return {
        state: 'rejected',
        errors: [
          {
            code: 'DuplicateField',
            message: `An inventory entry for sku '${resource.sku}'${where} already exists (key '${clash[0].key}').`,
            field: resource.supplyChannel ? 'sku,supplyChannel' : 'sku',
            duplicateValue: resource.sku,
          },
        ],
      };
    }

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
    const result = await upsertDocument(context.manager, INVENTORY_TABLE, context.projectKey, resource.key, data, { sku: resource.sku, supply_channel_id: channelId ?? null });
    if (result.created) context.created('inventory-entry', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
