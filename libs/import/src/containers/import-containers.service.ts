import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BERTH_CONFIG, BerthConfig, parseTimeToLive } from '../../../config/src';
import { BadRequest, ConcurrentModification, DuplicateField, NotFound, PagedResponse, invalidField, pagedResponse, parsePageQuery } from '../../../common/src';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../../database/src';
import { EventType, NewEvent, recordEvent } from '../../../events/src';
import { ImportContainerDraftDto, ImportContainerUpdateDraftDto, ImportContainerView } from './import-container.dto';

const HOUR_MS = 3_600_000;
const MIN_TTL_MS = HOUR_MS;
const MAX_TTL_MS = 30 * 24 * HOUR_MS;

export interface ImportContainerRow {
  id: string;
  key: string;
  resource_type: string | null;
  version: number;
  retention_policy: { strategy: 'ttl'; config: { timeToLive: string } } | null;
  expires_at: Date | null;
  created_at: Date;
  last_modified_at: Date;
}

const COLUMNS = 'id, key, resource_type, version, retention_policy, expires_at, created_at, last_modified_at';

export const SORTABLE_CONTAINER_FIELDS: Record<string, string> = {
  key: 'key',
  createdAt: 'created_at',
  lastModifiedAt: 'last_modified_at',
  resourceType: 'resource_type',
  expiresAt: 'expires_at',
};

export function toContainerView(row: ImportContainerRow): ImportContainerView {
  return {
    key: row.key,
    ...(row.resource_type ? { resourceType: row.resource_type } : {}),
    version: row.version,
    ...(row.retention_policy ? { retentionPolicy: row.retention_policy } : {}),
    createdAt: row.created_at.toISOString(),
    lastModifiedAt: row.last_modified_at.toISOString(),
    ...(row.expires_at ? { expiresAt: row.expires_at.toISOString() } : {}),
  };
}

/** An ImportContainer* event about one container; `data` is the container as the API shows it. */
export function containerEvent(projectKey: string, type: EventType, view: ImportContainerView, actor?: string): NewEvent {
  return { projectKey, type, resource: { typeId: 'import-container', key: view.key }, actor, data: { ...view } };
}

export const containerNotFound = (key: string) => new NotFound(`Import container ${key} does not exist`);

@Injectable()
export class ImportContainersService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  /** `actor`: the API client making the change (recorded with the ImportContainer* event). */
  async create(projectKey: string, draft: ImportContainerDraftDto, actor?: string): Promise<ImportContainerView> {
    let ttlMs = this.config.defaultContainerTtlMs;
    if (draft.retentionPolicy) {
      const timeToLive = draft.retentionPolicy.config.timeToLive;
      ttlMs = parseTimeToLive(timeToLive);
      if (ttlMs === undefined || ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS) {
        throw new BadRequest([
          invalidField('retentionPolicy.config.timeToLive', timeToLive, `The value '${timeToLive}' is not valid for field 'retentionPolicy.config.timeToLive': it must be between 1h and 30d.`),
        ]);
      }
    }
    return this.dataSource.transaction(async (manager) => {
      // Serialise creates per project so the container limit cannot be overrun by concurrent requests.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('import_containers:' || $1))`, [projectKey]);
      const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM import_containers WHERE project_key = $1`, [projectKey])) as Array<{ count: number }>;
      if (count >= this.config.maxContainersPerProject) {
        throw new BadRequest(
          [{ code: 'InvalidOperation', message: `The project already has the maximum of ${this.config.maxContainersPerProject} import containers; delete one first.` }],
          `The project already has the maximum of ${this.config.maxContainersPerProject} import containers.`,
        );
      }
      try {
        const rows = (await manager.query(
          `INSERT INTO import_containers (project_key, key, resource_type, retention_policy, expires_at)
           VALUES ($1, $2, $3, $4, CASE WHEN $5::bigint IS NULL THEN NULL ELSE now() + $5::bigint * interval '1 millisecond' END)
           RETURNING ${COLUMNS}`,
          [projectKey, draft.key, draft.resourceType ?? null, draft.retentionPolicy ? JSON.stringify({ strategy: 'ttl', config: { timeToLive: draft.retentionPolicy.config.timeToLive } }) : null, ttlMs ?? null],
        )) as ImportContainerRow[];
        const view = toContainerView(rows[0]);
        await recordEvent(manager, containerEvent(projectKey, 'ImportContainerCreated', view, actor));
        return view;
      } catch (error) {
        if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) {
          throw new DuplicateField('key', draft.key, `A duplicate value '"${draft.key}"' exists for field 'key'.`);
        }
        throw error;
      }
    });
  }

  async findRow(projectKey: string, key: string, manager: EntityManager = this.dataSource.manager): Promise<ImportContainerRow | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM import_containers WHERE project_key = $1 AND key = $2`, [projectKey, key])) as ImportContainerRow[];
    return rows[0];
  }

  async get(projectKey: string, key: string): Promise<ImportContainerView> {
    const row = await this.findRow(projectKey, key);
    if (!row) throw containerNotFound(key);
    return toContainerView(row);
  }

  async update(projectKey: string, key: string, draft: ImportContainerUpdateDraftDto, actor?: string): Promise<ImportContainerView> {
    return this.dataSource.transaction(async (manager) => {
      // The version check and the write are one statement: of concurrent updates with the same version, one wins.
      const rows = (await manager.query(
        `UPDATE import_containers
            SET resource_type = $4, version = version + 1, last_modified_at = now()
          WHERE project_key = $1 AND key = $2 AND version = $3
          RETURNING ${COLUMNS}`,
        [projectKey, key, draft.version, draft.resourceType ?? null],
      )) as [ImportContainerRow[], number];
      const updated = rows[0];
      if (updated.length > 0) {
        const view = toContainerView(updated[0]);
        await recordEvent(manager, containerEvent(projectKey, 'ImportContainerUpdated', view, actor));
        return view;
      }
      const current = await this.findRow(projectKey, key, manager);
      if (!current) throw containerNotFound(key);
      throw new ConcurrentModification(draft.version, current.version, current.id);
    });
  }

  async delete(projectKey: string, key: string, actor?: string): Promise<ImportContainerView> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(`DELETE FROM import_containers WHERE project_key = $1 AND key = $2 RETURNING ${COLUMNS}`, [projectKey, key])) as [
        ImportContainerRow[],
        number,
      ];
      if (rows[0].length === 0) throw containerNotFound(key);
      const view = toContainerView(rows[0][0]);
      await recordEvent(manager, containerEvent(projectKey, 'ImportContainerDeleted', view, actor));
      return view;
    });
  }

  async query(projectKey: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<ImportContainerView>> {
    const page = parsePageQuery(rawQuery, SORTABLE_CONTAINER_FIELDS, ['created_at ASC'], 'id ASC');
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM import_containers WHERE project_key = $1`, [projectKey])) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(`SELECT ${COLUMNS} FROM import_containers WHERE project_key = $1 ORDER BY ${page.orderBy.join(', ')} LIMIT $2 OFFSET $3`, [
            projectKey,
            page.limit,
            page.offset,
          ])) as ImportContainerRow[]);
    return pagedResponse(page, total, rows.map(toContainerView));
  }
}
