import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult, BatchItem } from '../../applier';
import { ProductTypeInfo } from '../../../../catalog/src/products/attributes';
import { PreparedProductImport, ProductImportFields, buildVariant, productReferences } from '../../../../catalog/src/products/product-fields';
import { ImportVariantDraft, ProductData, ProductDocument, ProductVariant, distinctVariants, nextVariantId } from '../../../../catalog/src/products/product-model';
import { embeddedPriceErrors } from '../../../../catalog/src/products/prices';
import { applyProductImports } from './product-imports';

export interface ProductDraftImport extends ProductImportFields {
  masterVariant?: ImportVariantDraft;
  variants?: ImportVariantDraft[];
}

/**
 * ProductDraftImport → Product: replaces the product's staged data (product fields, master variant,
 * variants and their embedded prices). Variants keep their ids when their key (or SKU) is known.
 */
/** ProductDraftImport: the product fields and all variants (master first; without one the first variant is the master). */
async function productDraftData(
  { resource, context }: BatchItem<ProductDraftImport>,
  { productType, previous, level }: PreparedProductImport,
  errors: ErrorObject[],
): Promise<ProductData> {
  const variants = draftVariants(context, resource, productType, previous?.data, errors);
  errors.push(...(await embeddedPriceErrors(context, resource.masterVariant?.prices, 'masterVariant.prices')));
  for (const [index, draft] of (resource.variants ?? []).entries()) errors.push(...(await embeddedPriceErrors(context, draft.prices, `variants.${index}.prices`)));
  return { ...level, ...(variants.length > 0 ? { masterVariant: variants[0] } : {}), variants: variants.slice(1) };
}

/**
 * ProductDraftImport → Product: replaces the product's staged data (product fields, master variant,
 * variants and their embedded prices). Variants keep their ids when their key (or SKU) is known.
 */
export const productDraftApplier: Applier<ProductDraftImport> = {
  resourceType: 'product-draft',
  references: (resource) => productReferences(resource),
  // Prices and variant patches reference the variants by key.
  provides: (resource) => [resource.masterVariant?.key, ...(resource.variants ?? []).map((variant) => variant.key)].filter((key): key is string => typeof key === 'string'),
  applyMany: (items) => applyProductImports(items, productDraftData),
  async apply(resource: ProductDraftImport, context: ApplyContext): Promise<ApplyResult> {
    const [result] = await applyProductImports([{ resource, context }], productDraftData);
    return result;
  },
};

/** The draft's variants, master first (without a master variant, the first variant becomes master). */
function draftVariants(context: ApplyContext, resource: ProductDraftImport, productType: ProductTypeInfo, previous: ProductDocument | undefined, errors: ErrorObject[]): ProductVariant[] {
  const known = previous ? distinctVariants(previous) : [];
  let nextId = nextVariantId(previous);
  const drafts: Array<{ draft: ImportVariantDraft; field: string }> = [
    ...(resource.masterVariant ? [{ draft: resource.masterVariant, field: 'masterVariant' }] : []),
    ...(resource.variants ?? []).map((draft, index) => ({ draft, field: `variants.${index}` })),
  ];
  const used = new Set<number>();
  return drafts.map(({ draft, field }) => {
    const existing =
      known.find((variant) => !used.has(variant.id) && draft.key !== undefined && variant.key === draft.key) ??
      known.find((variant) => !used.has(variant.id) && draft.key === undefined && draft.sku !== undefined && variant.sku === draft.sku);
    const id = existing?.id ?? nextId++;
    used.add(id);
    return buildVariant(context, id, draft, existing, productType, field, errors);
  });
}
