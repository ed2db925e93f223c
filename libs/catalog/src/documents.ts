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

/** Extra indexed columns of a document table kept in sync with data, with their SQL types (for the set-wise writes). */
export type DocumentColumns = Record<string, 'text' | 'uuid' | 'integer' | 'boolean' | 'text[]'>;

/** One resource of a set-wise write: its key, its data and the values of the table's extra columns. */
export interface DocumentWrite {
  key: string;
  data: Record<string, unknown>;
  columns?: Record<string, unknown>;
}

/**
 * upsertDocument() for many resources of one table (distinct keys) in at most three statements: the stored ones
 * loaded and locked in key order (unless the caller did, `stored`), one UPDATE of those whose data changed (the
 * version moves only then) and one INSERT of the new ones. Results in the order of `writes`.
 */
export async function upsertDocuments(
  manager: EntityManager,
  tableName: string,
  columns: DocumentColumns,
  projectKey: string,
  writes: DocumentWrite[],
  stored?: ReadonlyMap<string, { id: string; version: number }>,
): Promise<UpsertResult[]> {
  if (writes.length === 0) return [];
  const names = Object.keys(columns).map((name) => {
    if (!/^[a-z_]+$/.test(name)) throw new Error(`invalid column ${name}`);
    return name;
  });
  const existing =
    stored ??
    new Map(
      (
        (await manager.query(`SELECT id, key, version FROM ${table(tableName)} WHERE project_key = $1 AND key = ANY($2::text[]) ORDER BY key FOR UPDATE`, [
          projectKey,
          writes.map((write) => write.key),
        ])) as Array<{ id: string; key: string; version: number }>
      ).map((row) => [row.key, row]),
    );
  const row = (write: DocumentWrite, id?: string) => ({ ...(id ? { id } : { key: write.key }), data: write.data, ...Object.fromEntries(names.map((name) => [name, write.columns?.[name] ?? null])) });
  const recordType = names.map((name) => `, ${name} ${columns[name]}`).join('');
  const results = new Map<string, UpsertResult>();
  const updates = writes.filter((write) => existing.has(write.key));
  if (updates.length > 0) {
    const ids = updates.map((write) => existing.get(write.key)!.id);
    const [changed] = (await manager.query(
      `UPDATE ${table(tableName)} t SET data = r.data, version = t.version + 1, last_modified_at = now()${names.map((name) => `, ${name} = r.${name}`).join('')}
         FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, data jsonb${recordType})
        WHERE t.project_key = $1 AND t.id = ANY($3::uuid[]) AND t.id = r.id AND t.data IS DISTINCT FROM r.data
       RETURNING t.id, t.version`,
      [projectKey, JSON.stringify(updates.map((write, i) => row(write, ids[i]))), ids],
    )) as [Array<{ id: string; version: number }>, number];
    const versions = new Map(changed.map((entry) => [entry.id, entry.version]));
    for (const write of updates) {
      const previous = existing.get(write.key)!;
      const version = versions.get(previous.id);
      results.set(write.key, { id: previous.id, version: version ?? previous.version, created: false, changed: version !== undefined });
    }
  }
  const inserts = writes.filter((write) => !existing.has(write.key));
  if (inserts.length > 0) {
    const created = (await manager.query(
      `INSERT INTO ${table(tableName)} (project_key, key, data${names.map((name) => `, ${name}`).join('')})
       SELECT $1, r.key, r.data${names.map((name) => `, r.${name}`).join('')} FROM jsonb_to_recordset($2::jsonb) AS r(key text, data jsonb${recordType})
       RETURNING id, key, version`,
      [projectKey, JSON.stringify(inserts.map((write) => row(write)))],
    )) as Array<{ id: string; key: string; version: number }>;
    for (const entry of created) results.set(entry.key, { id: entry.id, version: entry.version, created: true, changed: true });
  }
  return writes.map((write) => results.get(write.key)!);
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

