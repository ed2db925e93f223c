import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../../config/src';
import { BadRequest, ErrorObject } from '../../../common/src';
import { ResourceTypeInfo } from '../resource-types';
import { ImportResourceType, resourceKeyOf, validateImportRequest } from '../validation/import-request.validator';
import { ImportResponseView } from './import-operation.views';

/** Channel the processor LISTENs on; notified (at commit) whenever new operations are accepted. */
export const OPERATIONS_CHANNEL = 'berth_operations';

@Injectable()
export class ImportRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  /**
   * Validates the whole request, then stores one operation per resource in one transaction: all or
   * nothing. Answers only after the commit, so every acknowledged operation is durable.
   */
  async accept(projectKey: string, containerKey: string, info: ResourceTypeInfo, body: unknown): Promise<ImportResponseView> {
    const problems = validateImportRequest(info.type as ImportResourceType, body);
    if (problems.length > 0) {
      throw new BadRequest(problems as unknown as ErrorObject[], problems.length === 1 ? problems[0].message : `The request contains ${problems.length} invalid fields.`);
    }
    const items = (body as Record<string, unknown>)[info.itemsField] as Array<Record<string, unknown>>;
    const ids = items.map(() => randomUUID());
    const keys = items.map((item) => resourceKeyOf(info.type as ImportResourceType, item));
    const payloads = items.map((item) => JSON.stringify(item));

    await this.dataSource.transaction(async (manager) => {
      // FOR SHARE: a concurrent delete of the container waits for this request (or makes it fail cleanly).
      const containers = (await manager.query(`SELECT id, resource_type FROM import_containers WHERE project_key = $1 AND key = $2 FOR SHARE`, [
        projectKey,
        containerKey,
      ])) as Array<{ id: string; resource_type: string | null }>;
      const container = containers[0];
      if (!container) {
        throw new BadRequest([{ code: 'InvalidInput', message: 'Import container key in uri does not exist.' }], 'Import container key in uri does not exist.');
      }
      if (container.resource_type && container.resource_type !== info.type) {
        const message = `The import container '${containerKey}' accepts only resources of type '${container.resource_type}', not '${info.type}'.`;
        throw new BadRequest([{ code: 'InvalidInput', message }], message);
      }
      await manager.query(
        `INSERT INTO import_operations (project_key, id, container_id, container_key, resource_type, resource_key, payload, expires_at)
         SELECT $1, item.id, $2, $3, $4, item.resource_key, item.payload, now() + make_interval(hours => $5)
           FROM unnest($6::uuid[], $7::text[], $8::jsonb[]) WITH ORDINALITY AS item(id, resource_key, payload, position)
          ORDER BY item.position`,
        [projectKey, container.id, containerKey, info.type, this.config.operationTtlHours, ids, keys, payloads],
      );
      await manager.query(`SELECT pg_notify($1, $2)`, [OPERATIONS_CHANNEL, projectKey]);
    });
    return { operationStatus: ids.map((operationId) => ({ operationId, state: 'processing' as const })) };
  }
}
