import { Applier, ApplyContext, ApplyResult, collectKeyReferences, uniqueReferences } from '../../../processing/src/applier';
import { ImportCustom, toCustomFields, validateCustomFields } from '../custom-fields';
import { upsertDocument } from '../documents';
import { ImportPrice, compact, resolveReferences, toMoney } from '../products/product-model';

export const STANDALONE_PRICES_TABLE = 'standalone_prices';

/** An embedded price's fields plus the SKU it prices. */
interface StandalonePriceImport extends Omit<ImportPrice, 'custom'> {
  sku: string;
  custom?: ImportCustom;
  active?: boolean;
}

/** StandalonePriceImport → StandalonePrice (money as TypedMoney, references by id, active unless told otherwise). */
export const standalonePriceApplier: Applier<StandalonePriceImport> = {
  resourceType: 'standalone-price',
  references: (resource) => uniqueReferences(collectKeyReferences(resource)),
  async apply(resource: StandalonePriceImport, context: ApplyContext): Promise<ApplyResult> {
    const customErrors = await validateCustomFields(context.manager, context.projectKey, 'standalone-price', resource.custom);
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors };
    const data = compact({
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
    const result = await upsertDocument(context.manager, STANDALONE_PRICES_TABLE, context.projectKey, resource.key, data, { sku: resource.sku });
    if (result.created) context.created('standalone-price', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
