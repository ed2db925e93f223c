import { Applier, ApplyContext, ApplyResult, KeyReference, collectKeyReferences } from '../../../processing/src/applier';
import { resolvedId } from './product-fields';
import { ImportPrice, MasterData, Price, ProductVariant, allVariants, distinctVariants, mapVariant, sameData } from './product-model';
import { embeddedPriceErrors, toEmbeddedPrice } from './prices';
import { lockProductById, saveProduct } from './product-store';

export interface PriceImport extends ImportPrice {
  productVariant: KeyReference;
  product: KeyReference;
  /** Publishes this price: it is written to current as well as staged. */
  publish?: boolean;
  /** Default true: only staged; false writes current and staged. */
  staged?: boolean;
}

/** PriceImport: creates or replaces (by `key`) one embedded price of a variant. */
export const priceApplier: Applier<PriceImport> = {
  resourceType: 'price',
  references: (resource) => collectKeyReferences(resource),
  async apply(resource: PriceImport, context: ApplyContext): Promise<ApplyResult> {
    const productId = resolvedId(context, resource.productVariant);
    if (resolvedId(context, resource.product) !== productId) {
      return {
        state: 'validationFailed',
        errors: [{ code: 'InvalidField', message: `The variant '${resource.productVariant.key}' does not belong to the product '${resource.product.key}'.`, field: 'product', invalidValue: resource.product }],
      };
    }
    const customErrors = await embeddedPriceErrors(context, [resource], 'prices');
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors.map((error) => ({ ...error, ...(typeof error.field === 'string' ? { field: error.field.replace(/^prices\.0\./, '') } : {}) })) };
    const product = await lockProductById(context, productId);
    if (!product) throw new Error(`product of variant ${resource.productVariant.key} vanished`);
    const variant = distinctVariants(product.data).find((candidate) => candidate.key === resource.productVariant.key);
    if (!variant) throw new Error(`variant ${resource.productVariant.key} vanished`);
    const { masterData } = product.data;
    const knownPrices = [masterData.staged, masterData.current].flatMap((data) => allVariants(data).filter((v) => v.id === variant.id).flatMap((v) => v.prices));
    const price = toEmbeddedPrice(resource, context.resolved, knownPrices);
    const upsertPrice = (target: ProductVariant): ProductVariant => {
      const index = target.prices.findIndex((candidate) => candidate.key === price.key);
      const prices: Price[] = index >= 0 ? target.prices.map((candidate, i) => (i === index ? price : candidate)) : [...target.prices, price];
      return { ...target, prices };
    };
    const staged = mapVariant(masterData.staged, variant.id, upsertPrice);
    const bothProjections = resource.publish === true || resource.staged === false;
    const current = bothProjections ? mapVariant(masterData.current, variant.id, upsertPrice) : masterData.current;
    const next: MasterData = { ...masterData, staged, current, hasStagedChanges: !sameData(staged, current) };
    return saveProduct(context, product.key, product, { ...product.data, masterData: next });
  },
};
