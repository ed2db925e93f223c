import { ReferenceTarget } from '../references';
import { ReadableResource } from '../read.service';

/** Reference targets and readable resources of the 'products' area. */
export const PRODUCTS_REFERENCE_TARGETS: ReferenceTarget[] = [
  { typeId: 'product', table: 'products' },
  // A product-variant reference resolves (by variant key) to the id of the product holding the variant.
  { typeId: 'product-variant', table: 'product_variant_keys' },
];

export const PRODUCTS_READABLE: ReadableResource[] = [
  { path: 'products', table: 'products', scopes: ['view_products', 'manage_products'], name: 'Product', predicates: { localized: { slug: `data->'masterData'->'current'->'slug'` } } },
];
