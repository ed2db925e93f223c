import { ReferenceTarget } from '../references';
import { ReadableResource } from '../read.service';
import { REFERENCED_RESOURCES } from '../referenced/referenced-resources';

/**
 * Referenced-only resources are created through their own API (and the seed command), never imported: no appliers,
 * but imports resolve references to them and they are readable over HTTP.
 */
export const REFERENCED_REFERENCE_TARGETS: ReferenceTarget[] = REFERENCED_RESOURCES.map(({ typeId, table }) => ({ typeId, table }));
export const REFERENCED_READABLE: ReadableResource[] = REFERENCED_RESOURCES.map(({ path, table, readScopes, name }) => ({ path, table, scopes: readScopes, name }));
