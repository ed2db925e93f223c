import { ErrorObject } from '../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../../processing/src/applier';
import { ProductImportFields, prepareProductImport, productReferences } from './product-fields';
import { ProductData, ProductDocument, withStaged } from './product-model';
import { saveProduct } from './product-store';

/**
 * ProductImport → Product: product-level fields only; the variants stay as they are. A product
 * created this way has no master variant until a ProductVariantImport provides one.
 */
export const productApplier: Applier<ProductImportFields> = {
  resourceType: 'product',
  references: (resource) => productReferences(resource),
  async apply(resource: ProductImportFields, context: ApplyContext): Promise<ApplyResult> {
    const errors: ErrorObject[] = [];
    const { previous, head, level } = await prepareProductImport(context, resource, errors);
    if (errors.length > 0) return { state: 'validationFailed', errors };
    const previousStaged = previous?.data.masterData.staged;
    const staged: ProductData = {
      ...level,
      ...(previousStaged?.masterVariant ? { masterVariant: previousStaged.masterVariant } : {}),
      variants: previousStaged?.variants ?? [],
    };
    const document: ProductDocument = { ...head, masterData: withStaged(previous?.data.masterData, staged, resource.publish) };
    return saveProduct(context, resource.key, previous, document);
  },
};
