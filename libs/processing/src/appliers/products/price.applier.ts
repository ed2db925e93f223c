import { Applier, ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { KeyReference, collectKeyReferences } from '../../../../catalog/src/references';
import { resolvedId } from '../../../../catalog/src/products/product-fields';
import { ImportPrice, MasterData, Price, ProductVariant, allVariants, distinctVariants, mapVariant, sameData } from '../../../../catalog/src/products/product-model';
import { embeddedPriceErrors, toEmbeddedPrice } from '../../../../catalog/src/products/prices';
import { LoadedProduct, lockProductById, lockProductsById } from '../../../../catalog/src/products/product-store';
import { ProductImportWrite, writeProduct, writeProducts } from './product-imports';

export interface PriceImport extends ImportPrice {
  productVariant: KeyReference;
  product: KeyReference;
  /** Publishes this price: it is written to current as well as staged. */
  publish?: boolean;
  /** Default true: only staged; false writes current and staged. */
  staged?: boolean;
}

/** Why a price cannot be applied to its product at all (before any product is read), or nothing. */
async function priceProblem(resource: PriceImport, context: ApplyContext): Promise<ApplyResult | undefined> {
  if (resolvedId(context, resource.product) !== resolvedId(context, resource.productVariant)) {
    return {
      state: 'validationFailed',
      errors: [{ code: 'InvalidField', message: `The variant '${resource.productVariant.key}' does not belong to the product '${resource.product.key}'.`, field: 'product', invalidValue: resource.product }],
    };
  }
  const customErrors = await embeddedPriceErrors(context, [resource], 'prices');
  if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors.map((error) => ({ ...error, ...(typeof error.field === 'string' ? { field: error.field.replace(/^prices\.0\./, '') } : {}) })) };
  return undefined;
}

/** The product's masterData with the price upserted (by key) on its variant, in staged (and current when published). */
function withPrice(resource: PriceImport, context: ApplyContext, product: LoadedProduct, masterData: MasterData): MasterData {
  const variant = distinctVariants({ ...product.data, masterData }).find((candidate) => candidate.key === resource.productVariant.key);
  if (!variant) throw new Error(`variant ${resource.productVariant.key} vanished`);
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
  return { ...masterData, staged, current, hasStagedChanges: !sameData(staged, current) };
}

/** PriceImport: creates or replaces (by `key`) one embedded price of a variant. */
export const priceApplier: Applier<PriceImport> = {
  resourceType: 'price',
  references: (resource) => collectKeyReferences(resource),
  async apply(resource: PriceImport, context: ApplyContext): Promise<ApplyResult> {
    const problem = await priceProblem(resource, context);
    if (problem) return problem;
    const product = await lockProductById(context, resolvedId(context, resource.productVariant));
    if (!product) throw new Error(`product of variant ${resource.productVariant.key} vanished`);
    return writeProduct(context, product.key, product, { ...product.data, masterData: withPrice(resource, context, product, product.data.masterData) });
  },

  /**
   * Set-wise: the batch's products loaded and locked in one statement; the prices of one product applied in accept
   * order to its document in memory, and each product written once (writeProducts) with as many versions as prices
   * changed it — each price's resourceVersion is the one it would have had one by one.
   */
  async applyMany(items: Array<BatchItem<PriceImport>>): Promise<ApplyResult[]> {
    const context = items[0].context;
    const results: Array<ApplyResult | undefined> = [];
    for (const { resource, context: own } of items) results.push(await priceProblem(resource, own));
    const ids = [...new Set(items.filter((_, index) => !results[index]).map((item) => resolvedId(item.context, item.resource.productVariant)))];
    const products = await lockProductsById(context, ids);
    const byProduct = new Map<string, { product: LoadedProduct; masterData: MasterData; steps: number; items: number[] }>();
    for (const [index, { resource, context: own }] of items.entries()) {
      if (results[index]) continue;
      const id = resolvedId(own, resource.productVariant);
      const product = products.get(id);
      if (!product) throw new Error(`product of variant ${resource.productVariant.key} vanished`);
      const entry = byProduct.get(id) ?? { product, masterData: product.data.masterData, steps: 0, items: [] };
      byProduct.set(id, entry);
      const next = withPrice(resource, own, product, entry.masterData);
      // As one by one: a price that changes nothing keeps the version, each change moves it by one.
      if (!sameData({ ...product.data, masterData: next }, { ...product.data, masterData: entry.masterData })) entry.steps++;
      entry.masterData = next;
      entry.items.push(index);
      results[index] = { state: 'imported', resourceVersion: product.version + entry.steps };
    }
    const writes: ProductImportWrite[] = [...byProduct.values()].map((entry) => ({
      context: items[entry.items[0]].context,
      key: entry.product.key,
      previous: entry.product,
      document: { ...entry.product.data, masterData: entry.masterData },
      versionSteps: Math.max(1, entry.steps),
    }));
    const saved = await writeProducts(writes);
    for (const [i, entry] of [...byProduct.values()].entries()) {
      // Prices never clash nor break constraints (SKUs, slugs and attributes stay); anything else is the write's own outcome.
      if (saved[i].state !== 'imported') for (const index of entry.items) results[index] = saved[i];
    }
    return results.map((result) => result!);
  },
};
