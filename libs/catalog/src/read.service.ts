import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InvalidInput, NotFound, PagedResponse, pagedResponse, parsePageQuery } from '../../common/src';
import { DocumentRow, findById, findByKey, toResource } from './documents';
import { PredicateFields, compilePredicates } from './query-predicates';

/** How one domain resource is exposed read-only over HTTP (`GET /{projectKey}/{path}`, `/key={key}`, `/{id}`). */
export interface ReadableResource {
  /** URL segment, e.g. `product-types`. */
  path: string;
  table: string;
  /** Scopes that allow reading, e.g. ['view_products', 'manage_products']. */
  scopes: string[];
  /** Display name in "not found" messages, e.g. `ProductType`. */
  name: string;
  /** Natural keys `where=` may compare besides `id` and `key` (SQL over the document table). */
  predicates?: Partial<PredicateFields>;
  /**
   * The table's key column holds a natural key that is not the resource's `key` (orders: their orderNumber;
   * a commercetools order has its own optional key, which imported orders do not have).
   */
  keyColumnIs?: string;
}

/** `expand` resolves references into objects; Berth does not, and says so rather than ignoring it. */
export function refuseExpand(query: Record<string, unknown>): void {
  if (query.expand !== undefined) throw new InvalidInput(`Reference expansion ('expand') is not supported by Berth; references are returned as {typeId, id}.`);
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class DomainReadService {
  constructor(private readonly dataSource: DataSource) {}

  async list(resource: ReadableResource, projectKey: string, query: Record<string, unknown>): Promise<PagedResponse<Record<string, unknown>>> {
    refuseExpand(query);
    const page = parsePageQuery(query, { key: 'key', createdAt: 'created_at', lastModifiedAt: 'last_modified_at', id: 'id' }, ['created_at ASC'], 'id ASC');
    const plain: Record<string, string> = { id: 'id::text', ...(resource.keyColumnIs ? { [resource.keyColumnIs]: 'key' } : { key: 'key' }), ...(resource.predicates?.plain ?? {}) };
    const predicate = compilePredicates(query.where, { plain, localized: resource.predicates?.localized ?? {} }, 2);
    const where = ['project_key = $1', ...predicate.conditions].join(' AND ');
    const params = [projectKey, ...predicate.params];
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM ${resource.table} WHERE ${where}`, params)) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(
            `SELECT id, key, version, data, created_at, last_modified_at FROM ${resource.table} WHERE ${where} ORDER BY ${page.orderBy.join(', ')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
            [...params, page.limit, page.offset],
          )) as DocumentRow[]);
    return pagedResponse(page, total, rows.map((row) => this.represent(resource, row)));
  }

  async byKey(resource: ReadableResource, projectKey: string, key: string): Promise<Record<string, unknown>> {
    // Where the key column holds another natural key, no resource has a `key` of its own.
    const row = resource.keyColumnIs ? undefined : await findByKey(this.dataSource.manager, resource.table, projectKey, key);
    if (!row) throw new NotFound(`The Resource with key '${key}' was not found.`);
    return this.represent(resource, row);
  }

  /** By the natural key held in the key column (orders: `order-number={orderNumber}`). */
  async byNaturalKey(resource: ReadableResource, projectKey: string, value: string): Promise<Record<string, unknown>> {
    const row = await findByKey(this.dataSource.manager, resource.table, projectKey, value);
    if (!row) throw new NotFound(`The Resource with ${resource.keyColumnIs ?? 'key'} '${value}' was not found.`);
    return this.represent(resource, row);
  }

  async byId(resource: ReadableResource, projectKey: string, id: string): Promise<Record<string, unknown>> {
    const row = UUID_PATTERN.test(id) ? await findById(this.dataSource.manager, resource.table, projectKey, id) : undefined;
    if (!row) throw new NotFound(`The Resource with ID '${id}' was not found.`);
    return this.represent(resource, row);
  }

  private represent(resource: ReadableResource, row: DocumentRow): Record<string, unknown> {
    return toResource(resource.keyColumnIs ? { ...row, key: null } : row);
  }
}
