import { Applier, ReferenceTarget } from '../../../processing/src/applier';
import { ReadableResource } from '../read.service';
import { priceApplier } from '../products/price.applier';
import { productDraftApplier } from '../products/product-draft.applier';
import { productVariantPatchApplier } from '../products/product-variant-patch.applier';
import { productVariantApplier, variantApplierForVariantImport } from '../products/product-variant.applier';
import { productApplier } from '../products/product.applier';

/** Appliers, reference targets and readable resources of the 'products' area. */
export const PRODUCTS_APPLIERS: Applier[] = [
  productDraftApplier,
  productApplier,
  productVariantApplier,
  variantApplierForVariantImport,
  productVariantPatchApplier,
  priceApplier,
] as unknown as Applier[];

export const PRODUCTS_REFERENCE_TARGETS: ReferenceTarget[] = [
  { typeId: 'product', table: 'products' },
  // A product-variant reference resolves (by variant key) to the id of the product holding the variant.
  { typeId: 'product-variant', table: 'product_variant_keys' },
];

export const PRODUCTS_READABLE: ReadableResource[] = [
  { path: 'products', table: 'products', scopes: ['view_products', 'manage_products'], name: 'Product', predicates: { localized: { slug: `data->'masterData'->'current'->'slug'` } } },
];
