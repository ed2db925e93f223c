import { EntityManager } from 'typeorm';

/**
 * Domain resources are stored as one row per resource: `project_key, id, key, version, data jsonb,
 * created_at, last_modified_at` (plus indexed columns a type needs). `data` holds the commercetools
 * representation without id/version/timestamps.
 */
export interface DocumentRow {
  id: string;
  key: string | null;
  version: number;
  data: Record<string, unknown>;
  created_at: Date;
  last_modified_at: Date;
}

export interface UpsertResult {
  id: string;
  version: number;
  created: boolean;
  changed: boolean;
}

/** Table names come from code (registries), never from input; still, refuse anything but identifiers. */
function table(name: string): string {
  if (!/^[a-z_]+$/.test(name)) throw new Error(`invalid table name ${name}`);
  return name;
}

async function findBy(manager: EntityManager, tableName: string, column: 'key' | 'id', projectKey: string, value: string, forUpdate: boolean): Promise<DocumentRow | undefined> {
  const rows = (await manager.query(
    `SELECT id, key, version, data, created_at, last_modified_at FROM ${table(tableName)} WHERE project_key = $1 AND ${column} = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [projectKey, value],
  )) as DocumentRow[];
  return rows[0];
}

export const findByKey = (manager: EntityManager, tableName: string, projectKey: string, key: string, forUpdate = false) => findBy(manager, tableName, 'key', projectKey, key, forUpdate);

export const findById = (manager: EntityManager, tableName: string, projectKey: string, id: string, forUpdate = false) => findBy(manager, tableName, 'id', projectKey, id, forUpdate);

/**
 * Creates the resource or replaces its data. An update that changes nothing keeps the version;
 * every real change bumps it by one. `columns` are extra indexed columns kept in sync with data.
 */
export async function upsertDocument(
  manager: EntityManager,
  tableName: string,
  projectKey: string,
  key: string,
  data: Record<string, unknown>,
  columns: Record<string, unknown> = {},
): Promise<UpsertResult> {
  const names = Object.keys(columns).map((name) => {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`invalid column ${name}`);
    return name;
  });
  const values = names.map((name) => columns[name]);
  const existing = await findByKey(manager, tableName, projectKey, key, true);
  if (!existing) {
    const placeholders = names.map((_, i) => `$${i + 4}`);
    const rows = (await manager.query(
      `INSERT INTO ${table(tableName)} (project_key, key, data${names.map((n) => `, ${n}`).join('')}) VALUES ($1, $2, $3${placeholders.map((p) => `, ${p}`).join('')}) RETURNING id, version`,
      [projectKey, key, JSON.stringify(data), ...values],
    )) as Array<{ id: string; version: number }>;
    return { id: rows[0].id, version: rows[0].version, created: true, changed: true };
  }
  const rows = (await manager.query(
    `UPDATE ${table(tableName)}
        SET data = $3::jsonb, version = version + 1, last_modified_at = now()${names.map((n, i) => `, ${n} = $${i + 4}`).join('')}
      WHERE project_key = $1 AND id = $2 AND data IS DISTINCT FROM $3::jsonb
      RETURNING version`,
    [projectKey, existing.id, JSON.stringify(data), ...values],
  )) as [Array<{ version: number }>, number];
  const updated = rows[0];
  if (updated.length === 0) return { id: existing.id, version: existing.version, created: false, changed: false };
  return { id: existing.id, version: updated[0].version, created: false, changed: true };
}

/** The commercetools HTTP API representation of a stored resource. */
export function toResource(row: DocumentRow): Record<string, unknown> {
  return {
    id: row.id,
    version: row.version,
    ...(row.key !== null ? { key: row.key } : {}),
    ...row.data,
    createdAt: row.created_at.toISOString(),
    lastModifiedAt: row.last_modified_at.toISOString(),
  };
}

