import { Applier, ReferenceTarget } from '../../../processing/src/applier';
import { ReadableResource } from '../read.service';

/** Appliers, reference targets and readable resources of the 'products' area. */
export const PRODUCTS_APPLIERS: Applier[] = [];
export const PRODUCTS_REFERENCE_TARGETS: ReferenceTarget[] = [];
export const PRODUCTS_READABLE: ReadableResource[] = [];
