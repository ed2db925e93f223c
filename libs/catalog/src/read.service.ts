import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotFound, PagedResponse, pagedResponse, parsePageQuery } from '../../common/src';
import { DocumentRow, findById, findByKey, toResource } from './documents';

/** How one domain resource is exposed read-only over HTTP (`GET /{projectKey}/{path}`, `/key={key}`, `/{id}`). */
export interface ReadableResource {
  /** URL segment, e.g. `product-types`. */
  path: string;
  table: string;
  /** Scopes that allow reading, e.g. ['view_products', 'manage_products']. */
  scopes: string[];
  /** Display name in "not found" messages, e.g. `ProductType`. */
  name: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class DomainReadService {
  constructor(private readonly dataSource: DataSource) {}

  async list(resource: ReadableResource, projectKey: string, query: Record<string, unknown>): Promise<PagedResponse<Record<string, unknown>>> {
    const page = parsePageQuery(query, { key: 'key', createdAt: 'created_at', lastModifiedAt: 'last_modified_at', id: 'id' }, ['created_at ASC'], 'id ASC');
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM ${resource.table} WHERE project_key = $1`, [projectKey])) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(
            `SELECT id, key, version, data, created_at, last_modified_at FROM ${resource.table} WHERE project_key = $1 ORDER BY ${page.orderBy.join(', ')} LIMIT $2 OFFSET $3`,
            [projectKey, page.limit, page.offset],
          )) as DocumentRow[]);
    return pagedResponse(page, total, rows.map(toResource));
  }

  async byKey(resource: ReadableResource, projectKey: string, key: string): Promise<Record<string, unknown>> {
    const row = await findByKey(this.dataSource.manager, resource.table, projectKey, key);
    if (!row) throw new NotFound(`The Resource with key '${key}' was not found.`);
    return toResource(row);
  }

  async byId(resource: ReadableResource, projectKey: string, id: string): Promise<Record<string, unknown>> {
    const row = UUID_PATTERN.test(id) ? await findById(this.dataSource.manager, resource.table, projectKey, id) : undefined;
    if (!row) throw new NotFound(`The Resource with ID '${id}' was not found.`);
    return toResource(row);
  }
}
