import { ErrorObject } from '../../../common/src';
import { Applier, ApplyContext, ApplyResult, BatchItem, KeyReference } from '../../../processing/src/applier';
import { ProductTypeInfo } from './attributes';
import { emptyVariant, requiredVariantAttributes } from './product-constraints';
import { PreparedProductImport, ProductImportFields, prepareProductImport, productReferences, resolvedId } from './product-fields';
import { ProductData, ProductDocument, nextVariantId, withStaged } from './product-model';
import { LoadedProduct, ProductWrite, preloadProductTypes, preloadProductsByKey, saveProducts } from './product-store';

/** The wait of a product that has no master variant yet (woken when one arrives, see saveProducts). */
export const masterVariantWait = (productKey: string): KeyReference => ({ typeId: 'product-master-variant', key: productKey });

/**
 * A product without a master variant, as commercetools treats it: when the product type requires no
 * variant attribute, it gets an empty master variant; otherwise it is stored without one and its import
 * waits in `waitForMasterVariant` until another import brings the master variant (then it ends imported).
 */
function withMasterVariant(document: ProductDocument, productType: ProductTypeInfo, previous: LoadedProduct | undefined): { document: ProductDocument; waits: boolean } {
  const { staged } = document.masterData;
  if (staged.masterVariant) return { document, waits: false };
  if (requiredVariantAttributes(productType).length > 0) return { document, waits: true };
  const master = emptyVariant(nextVariantId(previous?.data));
  const withMaster = (data: ProductData): ProductData => (data.masterVariant ? data : { ...data, masterVariant: master });
  return { document: { ...document, masterData: { ...document.masterData, staged: withMaster(staged), current: withMaster(document.masterData.current) } }, waits: false };
}

/**
 * The shared shape of ProductImport and ProductDraftImport, set-wise: product types and the batch's
 * products are loaded (and locked) with one statement each, each resource becomes its product document
 * in plain TypeScript (`build`), and the documents are written with saveProducts.
 */
export async function applyProductImports<T extends ProductImportFields>(
  items: Array<BatchItem<T>>,
  build: (item: BatchItem<T>, prepared: PreparedProductImport, errors: ErrorObject[]) => Promise<ProductData>,
): Promise<ApplyResult[]> {
  if (items.length === 0) return [];
  const first = items[0].context;
  await preloadProductTypes(first, items.map(({ resource, context }) => resolvedId(context, resource.productType)));
  await preloadProductsByKey(first, items.map(({ resource }) => resource.key));
  const results: Array<ApplyResult | undefined> = [];
  const writes: ProductWrite[] = [];
  const waiting: boolean[] = [];
  const writeOf: number[] = [];
  for (const item of items) {
    const errors: ErrorObject[] = [];
    const prepared = await prepareProductImport(item.context, item.resource, errors);
    const staged = await build(item, prepared, errors);
    if (errors.length > 0) {
      results.push({ state: 'validationFailed', errors });
      continue;
    }
    const { previous, head, productType } = prepared;
    const planned = withMasterVariant({ ...head, masterData: withStaged(previous?.data.masterData, staged, item.resource.publish) }, productType, previous);
    results.push(undefined);
    writeOf.push(results.length - 1);
    waiting.push(planned.waits);
    writes.push({ context: item.context, key: item.resource.key, previous, document: planned.document, productType });
  }
  const saved = await saveProducts(writes);
  for (const [index, result] of saved.entries()) {
    const waits = waiting[index] && result.state === 'imported';
    results[writeOf[index]] = waits ? { state: 'waitForMasterVariant', unresolvedReferences: [masterVariantWait(writes[index].key)] } : result;
  }
  return results.map((result) => result!);
}

/** ProductImport: product-level fields only; the variants stay as they are. */
async function productImportData(_item: BatchItem<ProductImportFields>, { previous, level }: PreparedProductImport): Promise<ProductData> {
  const previousStaged = previous?.data.masterData.staged;
  return {
    ...level,
    ...(previousStaged?.masterVariant ? { masterVariant: previousStaged.masterVariant } : {}),
    variants: previousStaged?.variants ?? [],
  };
}

/** ProductImport → Product. */
export const productApplier: Applier<ProductImportFields> = {
  resourceType: 'product',
  references: (resource) => productReferences(resource),
  applyMany: (items) => applyProductImports(items, productImportData),
  async apply(resource: ProductImportFields, context: ApplyContext): Promise<ApplyResult> {
    const [result] = await applyProductImports([{ resource, context }], productImportData);
    return result;
  },
};
