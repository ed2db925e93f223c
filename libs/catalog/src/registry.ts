import { Applier, ReferenceTarget } from '../../processing/src/applier';
import { ReadableResource } from './read.service';
import { productTypeApplier } from './product-types/product-type.applier';

/** Every applier, one per import resource type. Adding a type: one file and one line here. */
export const APPLIERS: Applier[] = [productTypeApplier as unknown as Applier];

/** Where each referenceable typeId lives. */
export const REFERENCE_TARGETS: ReferenceTarget[] = [{ typeId: 'product-type', table: 'product_types' }];

/** Domain resources readable over HTTP. */
export const READABLE_RESOURCES: ReadableResource[] = [{ path: 'product-types', table: 'product_types', scopes: ['view_products', 'manage_products'], name: 'ProductType' }];
