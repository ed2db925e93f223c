import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { duplicateField, idReference, resolvableReferences, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { findProductVariantsBySkus } from '../../../../catalog/src/products/product-lookups.repository';
import { findStoreProductHolder, lockByKey, upsertTailoring } from '../../../../catalog/src/product-tailorings/product-tailorings.repository';
import { ResolvedScope } from '../../../../catalog/src/scope';
import { ImportAttribute, LocalizedString, compact, resolveReferences, sameData } from '../../../../catalog/src/products/product-model';

export interface ProductTailoringImport {
  key: string;
  store: KeyReference;
  product: KeyReference;
  name?: LocalizedString;
  description?: LocalizedString;
  metaTitle?: LocalizedString;
  metaDescription?: LocalizedString;
  metaKeywords?: LocalizedString;
  slug?: LocalizedString;
  publish?: boolean;
  variants?: Array<{ sku: string; images?: unknown[]; assets?: unknown[]; attributes?: ImportAttribute[] }>;
  attributes?: ImportAttribute[];
}

const tailoredAttributes = (scope: ResolvedScope, attributes: ImportAttribute[] | undefined) =>
  attributes?.map((attribute) => ({ name: attribute.name, value: resolveReferences(attribute.value, scope.resolved) }));

/** Pure: the rejection when another tailoring (`holder`, undefined: none) tailors the same product for the store. */
export function tailoringClash(resource: ProductTailoringImport, holder: string | undefined): ApplyResult | undefined {
  if (holder === undefined) return undefined;
  return { state: 'rejected', errors: [duplicateField('product', resource.product, `The product is already tailored for store '${resource.store.key}' by '${holder}'.`)] };
}

/** Pure: the tailored variants, by the product's variants of the import's SKUs (`variantRows`), or validationFailed for a SKU the product lacks. */
export function tailoredVariants(
  resource: ProductTailoringImport,
  scope: ResolvedScope,
  variantRows: Array<{ variant_id: number; sku: string }>,
): { result: ApplyResult } | { variants: Array<Record<string, unknown>> } {
  const errors: ErrorObject[] = [];
  const variants = (resource.variants ?? []).map((variant, index) => {
    const row = variantRows.find((candidate) => candidate.sku === variant.sku);
    if (!row) errors.push({ code: 'InvalidField', message: `The product '${resource.product.key}' has no variant with SKU '${variant.sku}'.`, field: `variants.${index}.sku`, invalidValue: variant.sku });
    return compact({ id: row?.variant_id, sku: variant.sku, images: variant.images, assets: variant.assets, attributes: tailoredAttributes(scope, variant.attributes) });
  });
  if (errors.length > 0) return { result: { state: 'validationFailed', errors } };
  return { variants };
}

/** Pure: the ProductTailoring document; the stored tailoring's (`previous`) current data stays unless `publish`. */
export function tailoringData(resource: ProductTailoringImport, scope: ResolvedScope, variants: Array<Record<string, unknown>>, previous: Record<string, unknown> | undefined): Record<string, unknown> {
  const staged = compact({
    name: resource.name,
    description: resource.description,
    metaTitle: resource.metaTitle,
    metaDescription: resource.metaDescription,
    metaKeywords: resource.metaKeywords,
    slug: resource.slug,
    ...(variants.length > 0 ? { variants } : {}),
    attributes: tailoredAttributes(scope, resource.attributes),
  });
  const previousCurrent = previous?.current;
  const published = resource.publish === true || (resource.publish === undefined && previous?.published === true);
  const current = resource.publish === true || previousCurrent === undefined ? staged : previousCurrent;
  return {
    store: storeKeyReference(resource.store),
    product: idReference(scope, resource.product),
    published,
    current,
    staged,
    hasStagedChanges: !sameData(current, staged),
  };
}

/**
 * ProductTailoringImport → ProductTailoring (store-specific product data), upsert by key; one tailoring per
 * store and product. Like products, it has current and staged data: `publish` makes staged current.
 */
export const productTailoringApplier: Applier<ProductTailoringImport> = {
  resourceType: 'product-tailoring',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: ProductTailoringImport, context: ApplyContext): Promise<ApplyResult> {
    const productId = idReference(context, resource.product).id;
    const storeId = idReference(context, resource.store).id;
    const clash = tailoringClash(resource, await findStoreProductHolder(context, storeId, productId, resource.key));
    if (clash) return clash;
    const variantRows = await findProductVariantsBySkus(context, productId, (resource.variants ?? []).map((variant) => variant.sku));
    const checked = tailoredVariants(resource, context, variantRows);
    if ('result' in checked) return checked.result;
    const previous = await lockByKey(context, resource.key);
    const result = await upsertTailoring(context, resource.key, tailoringData(resource, context, checked.variants, previous?.data), storeId, productId);
    if (result.created) context.created('product-tailoring', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
