import { ErrorObject } from '../../../common/src';
import { Applier, ApplyContext, ApplyResult, KeyReference } from '../../../processing/src/applier';
import { ProductTypeInfo } from './attributes';
import { emptyVariant, requiredVariantAttributes } from './product-constraints';
import { ProductImportFields, prepareProductImport, productReferences } from './product-fields';
import { ProductData, ProductDocument, nextVariantId, withStaged } from './product-model';
import { LoadedProduct, saveProduct } from './product-store';

/** The wait of a product that has no master variant yet (woken when one arrives, see saveProduct). */
export const masterVariantWait = (productKey: string): KeyReference => ({ typeId: 'product-master-variant', key: productKey });

/**
 * A product without a master variant, as commercetools treats it: when the product type requires no
 * variant attribute, it gets an empty master variant; otherwise it is stored without one and its import
 * waits in `waitForMasterVariant` until another import brings the master variant (then it ends imported).
 */
export async function saveWithMasterVariant(
  context: ApplyContext,
  key: string,
  previous: LoadedProduct | undefined,
  document: ProductDocument,
  productType: ProductTypeInfo,
): Promise<ApplyResult> {
  const { staged } = document.masterData;
  if (staged.masterVariant) return saveProduct(context, key, previous, document, productType);
  if (requiredVariantAttributes(productType).length === 0) {
    const master = emptyVariant(nextVariantId(previous?.data));
    const withMaster = (data: ProductData): ProductData => (data.masterVariant ? data : { ...data, masterVariant: master });
    const masterData = { ...document.masterData, staged: withMaster(staged), current: withMaster(document.masterData.current) };
    return saveProduct(context, key, previous, { ...document, masterData }, productType);
  }
  const saved = await saveProduct(context, key, previous, document, productType);
  if (saved.state !== 'imported') return saved;
  return { state: 'waitForMasterVariant', unresolvedReferences: [masterVariantWait(key)] };
}

/** ProductImport → Product: product-level fields only; the variants stay as they are. */
export const productApplier: Applier<ProductImportFields> = {
  resourceType: 'product',
  references: (resource) => productReferences(resource),
  async apply(resource: ProductImportFields, context: ApplyContext): Promise<ApplyResult> {
    const errors: ErrorObject[] = [];
    const { productType, previous, head, level } = await prepareProductImport(context, resource, errors);
    if (errors.length > 0) return { state: 'validationFailed', errors };
    const previousStaged = previous?.data.masterData.staged;
    const staged: ProductData = {
      ...level,
      ...(previousStaged?.masterVariant ? { masterVariant: previousStaged.masterVariant } : {}),
      variants: previousStaged?.variants ?? [],
    };
    const document: ProductDocument = { ...head, masterData: withStaged(previous?.data.masterData, staged, resource.publish) };
    return saveWithMasterVariant(context, resource.key, previous, document, productType);
  },
};
