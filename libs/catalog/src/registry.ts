import { Applier, ReferenceTarget } from '../../processing/src/applier';
import { ReadableResource } from './read.service';
import { productTypeApplier } from './product-types/product-type.applier';
import { CATALOG_APPLIERS, CATALOG_READABLE, CATALOG_REFERENCE_TARGETS } from './registry/catalog';
import { COMMERCE_APPLIERS, COMMERCE_READABLE, COMMERCE_REFERENCE_TARGETS } from './registry/commerce';
import { PRODUCTS_APPLIERS, PRODUCTS_READABLE, PRODUCTS_REFERENCE_TARGETS } from './registry/products';
import { REFERENCED_APPLIERS, REFERENCED_READABLE, REFERENCED_REFERENCE_TARGETS } from './registry/referenced';

/** Every applier, one per import resource type. Adding a type: one file and one line in its area's registry. */
export const APPLIERS: Applier[] = [productTypeApplier as unknown as Applier, ...CATALOG_APPLIERS, ...PRODUCTS_APPLIERS, ...COMMERCE_APPLIERS, ...REFERENCED_APPLIERS];

/** Where each referenceable typeId lives. */
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
