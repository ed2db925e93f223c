import { v7 as uuidv7 } from 'uuid';

/**
 * Ids for new operations: UUIDv7, time-ordered (and monotonic within a process). The primary key index
 * (project_key, id) then grows at its right edge instead of receiving each insert on a random leaf page: an accept
 * dirties a few index pages rather than twenty, and after a checkpoint writes a few full-page images to the WAL
 * rather than one per row. Still a UUID, as the Import API's operation ids are.
 */
export function newOperationIds(count: number): string[] {
  return Array.from({ length: count }, () => uuidv7());
}
