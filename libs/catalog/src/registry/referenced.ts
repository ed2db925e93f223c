import { Applier, ReferenceTarget } from '../../../processing/src/applier';
import { ReadableResource } from '../read.service';

/** Appliers, reference targets and readable resources of the 'referenced' area. */
export const REFERENCED_APPLIERS: Applier[] = [];
export const REFERENCED_REFERENCE_TARGETS: ReferenceTarget[] = [];
export const REFERENCED_READABLE: ReadableResource[] = [];
