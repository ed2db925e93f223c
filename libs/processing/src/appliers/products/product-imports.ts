import { ErrorObject } from '../../../../common/src';
import { ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { ProductTypeInfo } from '../../../../catalog/src/products/attributes';
import { emptyVariant, requiredVariantAttributes } from '../../../../catalog/src/products/product-constraints';
import { PreparedProductImport, ProductImportFields, prepareProductImport, resolvedId } from '../../../../catalog/src/products/product-fields';
import { ProductData, ProductDocument, nextVariantId, withStaged } from '../../../../catalog/src/products/product-model';
import { LoadedProduct, ProductSaveResult, ProductWrite, preloadProductTypes, preloadProductsByKey, saveProducts } from '../../../../catalog/src/products/product-store';

/**
 * What the product appliers (product, product draft, variant, variant patch, price) share on the pipeline side:
 * writing products through the catalog's saveProducts and turning its results into operation outcomes, and the
 * set-wise shape of ProductImport and ProductDraftImport.
 */

/** A product write of an import: its operation's context is told what the write created. */
export type ProductImportWrite = ProductWrite & { context: ApplyContext };

/** The operation outcome of a product save; what the save created is recorded so operations waiting for it are retried. */
export function saveOutcome(context: Pick<ApplyContext, 'created'>, saved: ProductSaveResult): ApplyResult {
  if (saved.state !== 'saved') return { state: saved.state === 'invalid' ? 'validationFailed' : 'rejected', errors: saved.errors };
  for (const { typeId, key } of saved.created) context.created(typeId, key);
  return { state: 'imported', resourceVersion: saved.version };
}

/** Writes products set-wise (see saveProducts), one outcome per write. */
export async function writeProducts(writes: ProductImportWrite[]): Promise<ApplyResult[]> {
  const saved = await saveProducts(writes);
  return saved.map((result, index) => saveOutcome(writes[index].context, result));
}

/** Writes one product (see saveProducts). */
export async function writeProduct(
  context: ApplyContext,
  key: string,
  previous: LoadedProduct | undefined,
  document: ProductDocument,
  productType?: ProductTypeInfo,
): Promise<ApplyResult> {
  const [result] = await writeProducts([{ context, key, previous, document, productType }]);
  return result;
}

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
 * in plain TypeScript (`build`), and the documents are written with writeProducts.
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
  const writes: ProductImportWrite[] = [];
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
  const saved = await writeProducts(writes);
  for (const [index, result] of saved.entries()) {
    const waits = waiting[index] && result.state === 'imported';
    results[writeOf[index]] = waits ? { state: 'waitForMasterVariant', unresolvedReferences: [masterVariantWait(writes[index].key)] } : result;
  }
  return results.map((result) => result!);
}
