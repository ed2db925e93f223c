import { Applier, ReferenceTarget } from '../../../processing/src/applier';
import { ReadableResource } from '../read.service';

/** Appliers, reference targets and readable resources of the 'catalog' area. */
export const CATALOG_APPLIERS: Applier[] = [];
export const CATALOG_REFERENCE_TARGETS: ReferenceTarget[] = [];
export const CATALOG_READABLE: ReadableResource[] = [];
