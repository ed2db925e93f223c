import { Applier, ReferenceTarget } from '../../../processing/src/applier';
import { ReadableResource } from '../read.service';

/** Appliers, reference targets and readable resources of the 'commerce' area. */
export const COMMERCE_APPLIERS: Applier[] = [];
export const COMMERCE_REFERENCE_TARGETS: ReferenceTarget[] = [];
export const COMMERCE_READABLE: ReadableResource[] = [];
