import { Applier, ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { PreparedProductImport, ProductImportFields, productReferences } from '../../../../catalog/src/products/product-fields';
import { ProductData } from '../../../../catalog/src/products/product-model';
import { applyProductImports } from './product-imports';

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
