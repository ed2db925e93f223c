import { Applier, ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { collectKeyReferences, uniqueReferences } from '../../../../catalog/src/references';
import { ImportCustom, toCustomFields, validateCustomFields } from '../../../../catalog/src/custom-fields';
import { DocumentColumns, upsertDocument, upsertDocuments } from '../../../../catalog/src/documents';
import { ImportPrice, compact, resolveReferences, toMoney } from '../../../../catalog/src/products/product-model';
import { STANDALONE_PRICES_TABLE } from '../../../../catalog/src/tables';

const STANDALONE_PRICE_COLUMNS: DocumentColumns = { sku: 'text' };

/** An embedded price's fields plus the SKU it prices. */
interface StandalonePriceImport extends Omit<ImportPrice, 'custom'> {
  sku: string;
  custom?: ImportCustom;
  active?: boolean;
}

/** The StandalonePrice an import describes (without id, version and timestamps). */
function priceData(resource: StandalonePriceImport, context: ApplyContext): Record<string, unknown> {
  return compact({
    sku: resource.sku,
    value: toMoney(resource.value),
    country: resource.country,
    customerGroup: resource.customerGroup ? resolveReferences(resource.customerGroup, context.resolved) : undefined,
    channel: resource.channel ? resolveReferences(resource.channel, context.resolved) : undefined,
    validFrom: resource.validFrom,
    validUntil: resource.validUntil,
    tiers: resource.tiers?.map((tier) => ({ minimumQuantity: tier.minimumQuantity, value: toMoney(tier.value) })),
    discounted: resource.discounted ? { value: toMoney(resource.discounted.value), discount: resolveReferences(resource.discounted.discount, context.resolved) } : undefined,
    custom: toCustomFields(resource.custom, context.resolved),
    active: resource.active ?? true,
  });
}

/** StandalonePriceImport → StandalonePrice (money as TypedMoney, references by id, active unless told otherwise). */
export const standalonePriceApplier: Applier<StandalonePriceImport> = {
  resourceType: 'standalone-price',
  references: (resource) => uniqueReferences(collectKeyReferences(resource)),
  async apply(resource: StandalonePriceImport, context: ApplyContext): Promise<ApplyResult> {
    const customErrors = await validateCustomFields(context.manager, context.projectKey, 'standalone-price', resource.custom);
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors };
    const result = await upsertDocument(context.manager, STANDALONE_PRICES_TABLE, context.projectKey, resource.key, priceData(resource, context), { sku: resource.sku });
    if (result.created) context.created('standalone-price', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },

  /** Set-wise: custom fields checked per price, then every valid price written with upsertDocuments (three statements at most). */
  async applyMany(items: Array<BatchItem<StandalonePriceImport>>): Promise<ApplyResult[]> {
    const { manager, projectKey } = items[0].context;
    const results: Array<ApplyResult | undefined> = [];
    const valid: number[] = [];
    for (const [index, { resource }] of items.entries()) {
      const customErrors = await validateCustomFields(manager, projectKey, 'standalone-price', resource.custom);
      results.push(customErrors.length > 0 ? { state: 'validationFailed', errors: customErrors } : undefined);
      if (customErrors.length === 0) valid.push(index);
    }
    const saved = await upsertDocuments(
      manager,
      STANDALONE_PRICES_TABLE,
      STANDALONE_PRICE_COLUMNS,
      projectKey,
      valid.map((index) => ({ key: items[index].resource.key, data: priceData(items[index].resource, items[index].context), columns: { sku: items[index].resource.sku } })),
    );
    for (const [i, index] of valid.entries()) {
      if (saved[i].created) items[index].context.created('standalone-price', items[index].resource.key);
      results[index] = { state: 'imported', resourceVersion: saved[i].version };
    }
    return results.map((result) => result!);
  },
};
