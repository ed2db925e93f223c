import { InvalidInput } from './errors';

export interface PageQuery {
  limit: number;
  offset: number;
  /** SQL ORDER BY fragments built only from whitelisted columns. */
  orderBy: string[];
}

export interface PagedResponse<T> {
  limit: number;
  offset: number;
  count: number;
  total: number;
  results: T[];
}

export const MAX_LIMIT = 500;
export const MAX_OFFSET = 10_000;

function single(name: string, raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (Array.isArray(raw)) throw new InvalidInput(`Query parameter '${name}' must be given at most once.`);
  if (typeof raw !== 'string') throw new InvalidInput(`Query parameter '${name}' is malformed.`);
  return raw;
}

function boundedInt(name: string, raw: unknown, fallback: number, max: number): number {
  const value = single(name, raw);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) > max) {
    throw new InvalidInput(`The value '${value}' is not valid for query parameter '${name}': expected an integer between 0 and ${max}.`);
  }
  return Number(value);
}

/**
 * Parses commercetools paging: limit 0..500 (default 20), offset 0..10000, repeated `sort=field asc|desc`.
 * `sortable` maps API field names to SQL columns (comma-separated for several); the tie-breaker keeps the order stable.
 */
export function parsePageQuery(query: Record<string, unknown>, sortable: Record<string, string>, defaultOrder: string[], tieBreaker: string): PageQuery {
  const limit = boundedInt('limit', query.limit, 20, MAX_LIMIT);
  const offset = boundedInt('offset', query.offset, 0, MAX_OFFSET);
  const rawSort = query.sort === undefined ? [] : Array.isArray(query.sort) ? query.sort : [query.sort];
  const orderBy: string[] = [];
  for (const entry of rawSort) {
    if (typeof entry !== 'string') throw new InvalidInput(`Query parameter 'sort' is malformed.`);
    const match = /^\s*([A-Za-z]+)(?:\s+(asc|desc))?\s*$/i.exec(entry);
    const column = match ? sortable[match[1]] : undefined;
    if (!match || !column) {
      throw new InvalidInput(`Invalid sort expression '${entry}'. Expected '<field> asc|desc' with field one of ${Object.keys(sortable).join(', ')}.`);
    }
    // A field may stand for several columns (e.g. a timestamp and its tie-breaker), sorted alike.
    for (const part of column.split(',')) orderBy.push(`${part.trim()} ${(match[2] ?? 'asc').toUpperCase()}`);
  }
  if (orderBy.length === 0) orderBy.push(...defaultOrder);
  orderBy.push(tieBreaker);
  return { limit, offset, orderBy };
}

export function pagedResponse<T>(page: PageQuery, total: number, results: T[]): PagedResponse<T> {
  return { limit: page.limit, offset: page.offset, count: results.length, total, results };
}
