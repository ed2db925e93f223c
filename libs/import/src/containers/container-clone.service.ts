import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig, parseTimeToLive } from '../../../config/src';
import { BadRequest, DuplicateField, ErrorObject, invalidField } from '../../../common/src';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../../database/src';
import { recordEvent } from '../../../events/src';
import { CONTAINER_KEY_PATTERN, ImportContainerView } from './import-container.dto';
import { containerNotFound, ImportContainerRow, toContainerView } from './import-containers.service';

const COLUMNS = 'id, key, resource_type, version, retention_policy, expires_at, created_at, last_modified_at';

/** The body of a clone request: `{key}` alone, a container key (^[a-zA-Z0-9_-]+$, 1..256). */
export function parseContainerCloneKey(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = 'The request body must be a JSON object {"key": "<new key>"}.';
    throw new BadRequest([{ code: 'InvalidJsonInput', message }], message);
  }
  const record = body as Record<string, unknown>;
  const errors: ErrorObject[] = [];
  for (const name of Object.keys(record)) if (name !== 'key') errors.push(invalidField(name, record[name], `A clone request has only 'key'; '${name}' is not allowed.`));
  const key = record.key;
  if (key === undefined || key === null) errors.push(invalidField('key', null, "Missing required field 'key'."));
  else if (typeof key !== 'string' || key.length < 1 || key.length > 256 || !CONTAINER_KEY_PATTERN.test(key)) {
    errors.push(invalidField('key', key, `The value ${JSON.stringify(key)} is not valid for field 'key': it must match ${CONTAINER_KEY_PATTERN.source} with 1 to 256 characters.`));
  }
  if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
  return key as string;
}

/**
 * Container clone (issue 18): a new container with the source's resourceType and retentionPolicy — its expiresAt
 * counted from now with the same time to live (or the configured default TTL, as a create without a policy) —
 * version 1 and no operations. Same per-project limit as a create (advisory lock + count); the
 * ImportContainerCreated event names the source (`clonedFrom`).
 */
@Injectable()
export class ContainerCloneService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async clone(projectKey: string, sourceKey: string, body: unknown, actor?: string): Promise<ImportContainerView> {
    const key = parseContainerCloneKey(body);
    try {
      return await this.dataSource.transaction(async (manager) => {
        // The same lock as ImportContainersService.create: creates and clones of a project are serialised against the limit.
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('import_containers:' || $1))`, [projectKey]);
        const sources = (await manager.query(`SELECT ${COLUMNS} FROM import_containers WHERE project_key = $1 AND key = $2`, [projectKey, sourceKey])) as ImportContainerRow[];
        const source = sources[0];
        if (!source) throw containerNotFound(sourceKey);
        const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM import_containers WHERE project_key = $1`, [projectKey])) as Array<{ count: number }>;
        if (count >= this.config.maxContainersPerProject) {
          throw new BadRequest(
            [{ code: 'InvalidOperation', message: `The project already has the maximum of ${this.config.maxContainersPerProject} import containers; delete one first.` }],
            `The project already has the maximum of ${this.config.maxContainersPerProject} import containers.`,
          );
        }
        const ttlMs = source.retention_policy ? parseTimeToLive(source.retention_policy.config.timeToLive) : this.config.defaultContainerTtlMs;
        const rows = (await manager.query(
          `INSERT INTO import_containers (project_key, key, resource_type, retention_policy, expires_at)
           VALUES ($1, $2, $3, $4::jsonb, CASE WHEN $5::bigint IS NULL THEN NULL ELSE now() + $5::bigint * interval '1 millisecond' END)
           RETURNING ${COLUMNS}`,
          [projectKey, key, source.resource_type, source.retention_policy ? JSON.stringify(source.retention_policy) : null, ttlMs ?? null],
        )) as ImportContainerRow[];
        const view = toContainerView(rows[0]);
        await recordEvent(manager, { projectKey, type: 'ImportContainerCreated', resource: { typeId: 'import-container', key }, actor, data: { container: view, clonedFrom: sourceKey } });
        return view;
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw new DuplicateField('key', key, `A duplicate value '"${key}"' exists for field 'key'.`);
      throw error;
    }
  }
}
