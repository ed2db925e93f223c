import { ErrorObject } from '../../../common/src';
import { KeyReference, collectKeyReferences } from '../references';
import { CatalogScope } from '../scope';
import { ProductTypeInfo, convertAttributes } from './attributes';
import { ImportAttribute, ImportVariantDraft, LocalizedString, ProductData, ProductDocument, ProductVariant, Reference, resolveReferences, toAssets } from './product-model';
import { toEmbeddedPrice } from './prices';
import { LoadedProduct, loadProductType, lockProductByKey } from './product-store';

/** Fields ProductImport and ProductDraftImport share (everything but the variants). */
export interface ProductImportFields {
  key: string;
  productType: KeyReference;
  name: LocalizedString;
  slug: LocalizedString;
  description?: LocalizedString;
  categories?: KeyReference[];
  attributes?: ImportAttribute[];
  metaTitle?: LocalizedString;
  metaDescription?: LocalizedString;
  metaKeywords?: LocalizedString;
  taxCategory?: KeyReference;
  searchKeywords?: Record<string, unknown>;
  state?: KeyReference;
  publish?: boolean;
  priceMode?: string;
}

const SLUG_PATTERN = /^[A-Za-z0-9_-]{2,256}$/;

/** Every `{typeId, key}` of a product import (product type, categories, tax category, state, prices' and attributes' references). */
export const productReferences = (resource: object): KeyReference[] => collectKeyReferences(resource);

export function resolvedId(context: CatalogScope, reference: KeyReference): string {
  const id = context.resolved.get(`${reference.typeId}:${reference.key}`);
  // The processor resolved every reference `references()` returned before calling apply.
  if (!id) throw new Error(`reference ${reference.typeId}:${reference.key} was not resolved`);
  return id;
}

const toReference = (context: CatalogScope, reference: KeyReference): Reference => ({ typeId: reference.typeId, id: resolvedId(context, reference) });

/** The product-level part of the staged projection (no variants). */
export function productLevelData(
  context: CatalogScope,
  resource: ProductImportFields,
  productType: ProductTypeInfo,
  previous: ProductData | undefined,
  errors: ErrorObject[],
): Omit<ProductData, 'masterVariant' | 'variants'> {
  for (const [locale, slug] of Object.entries(resource.slug)) {
    if (!SLUG_PATTERN.test(slug)) {
      errors.push({ code: 'InvalidField', message: `The slug '${slug}' must match ${SLUG_PATTERN.source}.`, field: `slug.${locale}`, invalidValue: slug });
    }
  }
  const categories = (resource.categories ?? []).map((category) => toReference(context, category));
  const categoryOrderHints = Object.fromEntries(Object.entries(previous?.categoryOrderHints ?? {}).filter(([id]) => categories.some((category) => category.id === id)));
  const attributes = resource.attributes ? convertAttributes(resource.attributes, productType, 'attributes', context.resolved, errors) : undefined;
  return {
    name: resource.name,
    slug: resource.slug,
    description: resource.description,
    categories,
    categoryOrderHints,
    metaTitle: resource.metaTitle,
    metaDescription: resource.metaDescription,
    metaKeywords: resource.metaKeywords,
    searchKeywords: (resolveReferences(resource.searchKeywords ?? {}, context.resolved) as Record<string, unknown>),
    ...(attributes && attributes.length > 0 ? { attributes } : {}),
  };
}

/** The Product document's top-level fields. */
export function productHead(context: CatalogScope, resource: ProductImportFields, previous: ProductDocument | undefined): Omit<ProductDocument, 'masterData'> {
  const priceMode = resource.priceMode ?? previous?.priceMode;
  return {
    productType: toReference(context, resource.productType),
    ...(resource.taxCategory ? { taxCategory: toReference(context, resource.taxCategory) } : {}),
    ...(resource.state ? { state: toReference(context, resource.state) } : {}),
    ...(priceMode ? { priceMode } : {}),
  };
}

/** What every product-level import starts from: its product type, the locked previous product, and the new product-level fields. */
export interface PreparedProductImport {
  productType: ProductTypeInfo;
  previous: LoadedProduct | undefined;
  head: Omit<ProductDocument, 'masterData'>;
  level: Omit<ProductData, 'masterVariant' | 'variants'>;
}

export async function prepareProductImport(context: CatalogScope, resource: ProductImportFields, errors: ErrorObject[]): Promise<PreparedProductImport> {
  const productType = await loadProductType(context, resolvedId(context, resource.productType));
  if (!productType) throw new Error(`product type ${resource.productType.key} vanished`);
  const previous = await lockProductByKey(context, resource.key);
  const head = productHead(context, resource, previous?.data);
  const level = productLevelData(context, resource, productType, previous?.data.masterData.staged, errors);
  return { productType, previous, head, level };
}

/** One variant of a draft as stored (prices, attributes and assets converted); `existing` is the variant it replaces. */
export function buildVariant(
  scope: CatalogScope,
  id: number,
  draft: ImportVariantDraft,
  existing: ProductVariant | undefined,
  productType: ProductTypeInfo,
  /** Path of the variant in error fields (`masterVariant`, `variants.0`, or '' for a variant import). */
  field: string,
  errors: ErrorObject[],
): ProductVariant {
  return {
    id,
    ...(draft.sku !== undefined ? { sku: draft.sku } : {}),
    ...(draft.key !== undefined ? { key: draft.key } : {}),
    prices: (draft.prices ?? []).map((price) => toEmbeddedPrice(price, scope.resolved, existing?.prices)),
    attributes: convertAttributes(draft.attributes, productType, field ? `${field}.attributes` : 'attributes', scope.resolved, errors),
    images: draft.images ?? [],
    assets: toAssets(draft.assets, scope.resolved, existing?.assets),
  };
}
