import { ReadableResource } from './read.service';
import { ReferenceTarget } from './references';
import { CATALOG_READABLE, CATALOG_REFERENCE_TARGETS } from './registry/catalog';
import { COMMERCE_READABLE, COMMERCE_REFERENCE_TARGETS } from './registry/commerce';
import { PRODUCTS_READABLE, PRODUCTS_REFERENCE_TARGETS } from './registry/products';
import { REFERENCED_READABLE, REFERENCED_REFERENCE_TARGETS } from './registry/referenced';

/** Where each referenceable typeId lives (the processor resolves import references with it). */
export const REFERENCE_TARGETS: ReferenceTarget[] = [
  { typeId: 'product-type', table: 'product_types' },
  ...CATALOG_REFERENCE_TARGETS,
  ...PRODUCTS_REFERENCE_TARGETS,
  ...COMMERCE_REFERENCE_TARGETS,
  ...REFERENCED_REFERENCE_TARGETS,
];

/** Domain resources readable over HTTP. */
export const READABLE_RESOURCES: ReadableResource[] = [
  { path: 'product-types', table: 'product_types', scopes: ['view_products', 'manage_products'], name: 'ProductType' },
  ...CATALOG_READABLE,
  ...PRODUCTS_READABLE,
  ...COMMERCE_READABLE,
  ...REFERENCED_READABLE,
];
