import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BadRequest, ConcurrentModification, DuplicateField, ErrorObject, invalidField, NotFound, PagedResponse, pagedResponse, parsePageQuery } from '../../common/src';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../database/src';
import { EVENT_COLUMNS, ImportEvent, ImportEventRow, recordEvent, toEventView } from '../../events/src';
import { applyMergePatch } from './merge-patch';
import { changedFields, checkVersion, parseProfileDocument, PROFILE_KEY_PATTERN, PROFILE_LIMITS, ProfileDocument, READ_ONLY_FIELDS } from './profile-document';
import { ImportProfileView, ProfileDependencyView } from './import-profile.views';

/** At most this many profiles per project (creates are serialised per project, so concurrent ones cannot overrun it). */
export const MAX_PROFILES_PER_PROJECT = 1000;
/** Dependencies list at most this many file imports (the newest). */
export const MAX_DEPENDENT_FILE_IMPORTS = 500;

interface ImportProfileRow {
  id: string;
  key: string;
  version: number;
  name: string | null;
  resource_type: string;
  format: ProfileDocument['format'] | null;
  settings: ProfileDocument['settings'] | null;
  mapping: ProfileDocument['mapping'] | null;
  reference: string | null;
  reference_origin: string | null;
  metadata: Record<string, unknown> | null;
  created_at: Date;
  last_modified_at: Date;
}

const COLUMNS = 'id, key, version, name, resource_type, format, settings, mapping, reference, reference_origin, metadata, created_at, last_modified_at';

export const SORTABLE_PROFILE_FIELDS: Record<string, string> = {
  key: 'key',
  name: 'name',
  createdAt: 'created_at',
  lastModifiedAt: 'last_modified_at',
  resourceType: 'resource_type',
};

/** Audit pages sort by the event order (sequence numbers follow commit order per project). */
const SORTABLE_AUDIT_FIELDS: Record<string, string> = { createdAt: 'sequence_number', sequenceNumber: 'sequence_number' };

function toDocument(row: ImportProfileRow): ProfileDocument {
  return {
    key: row.key,
    ...(row.name !== null ? { name: row.name } : {}),
    resourceType: row.resource_type,
    ...(row.format !== null ? { format: row.format } : {}),
    ...(row.settings !== null ? { settings: row.settings } : {}),
    ...(row.mapping !== null ? { mapping: row.mapping } : {}),
    ...(row.reference !== null ? { reference: row.reference } : {}),
    ...(row.reference_origin !== null ? { referenceOrigin: row.reference_origin } : {}),
    ...(row.metadata !== null ? { metadata: row.metadata } : {}),
  };
}

export function toProfileView(row: ImportProfileRow): ImportProfileView {
  return { id: row.id, version: row.version, ...toDocument(row), createdAt: row.created_at.toISOString(), lastModifiedAt: row.last_modified_at.toISOString() };
}

/** Column values of a document, in the order of the INSERT/UPDATE parameters below ($n+1 …). */
function documentParams(document: ProfileDocument): unknown[] {
  const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
  return [
    document.key,
    document.name ?? null,
    document.resourceType,
    document.format ?? null,
    json(document.settings),
    json(document.mapping),
    document.reference ?? null,
    document.referenceOrigin ?? null,
    json(document.metadata),
  ];
}

export const profileNotFound = (key: string) => new NotFound(`Import profile ${key} does not exist`);
const duplicateKey = (key: string) => new DuplicateField('key', key, `A duplicate value '"${key}"' exists for field 'key'.`);

/** Columns of `file_imports` the profile features read, or none while that table does not exist (see dependencies). */
async function fileImportColumns(manager: EntityManager): Promise<Set<string>> {
  const rows = (await manager.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'file_imports'`,
  )) as Array<{ column_name: string }>;
  return new Set(rows.map((row) => row.column_name));
}

/**
 * Import profiles (issue 18): named, versioned, reusable file-import definitions. Every change is recorded as an
 * event (ImportProfileCreated/Updated/Deleted) in the transaction of the change, with the acting client.
 */
@Injectable()
export class ImportProfilesService {
  constructor(private readonly dataSource: DataSource) {}

  async create(projectKey: string, body: unknown, actor?: string): Promise<ImportProfileView> {
    const { document } = parseProfileDocument(body, 'create');
    return this.insert(projectKey, document, actor);
  }

  async clone(projectKey: string, sourceKey: string, body: unknown, actor?: string): Promise<ImportProfileView> {
    const key = parseCloneKey(body);
    const source = await this.findRow(projectKey, sourceKey);
    if (!source) throw profileNotFound(sourceKey);
    return this.insert(projectKey, { ...toDocument(source), key }, actor, sourceKey);
  }

  private async insert(projectKey: string, document: ProfileDocument, actor: string | undefined, clonedFrom?: string): Promise<ImportProfileView> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('import_profiles:' || $1))`, [projectKey]);
        const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM import_profiles WHERE project_key = $1`, [projectKey])) as Array<{ count: number }>;
        if (count >= MAX_PROFILES_PER_PROJECT) {
          const message = `The project already has the maximum of ${MAX_PROFILES_PER_PROJECT} import profiles; delete one first.`;
          throw new BadRequest([{ code: 'InvalidOperation', message }], message);
        }
        const rows = (await manager.query(
          `INSERT INTO import_profiles (project_key, key, name, resource_type, format, settings, mapping, reference, reference_origin, metadata)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10::jsonb)
           RETURNING ${COLUMNS}`,
          [projectKey, ...documentParams(document)],
        )) as ImportProfileRow[];
        const view = toProfileView(rows[0]);
        await recordEvent(manager, {
          projectKey,
          type: 'ImportProfileCreated',
          resource: { typeId: 'import-profile', key: view.key, id: view.id },
          actor,
          data: { profile: view, ...(clonedFrom !== undefined ? { clonedFrom } : {}) },
        });
        return view;
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw duplicateKey(document.key);
      throw error;
    }
  }

  async findRow(projectKey: string, key: string, manager: EntityManager = this.dataSource.manager, forUpdate = false): Promise<ImportProfileRow | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM import_profiles WHERE project_key = $1 AND key = $2${forUpdate ? ' FOR UPDATE' : ''}`, [
      projectKey,
      key,
    ])) as ImportProfileRow[];
    return rows[0];
  }

  /** A profile as the defaults of a file import (`POST …/{key}/invoke`): its type, format, settings, mapping, reference and metadata. */
  async fileImportProfile(projectKey: string, key: string): Promise<{ key: string; options: Record<string, unknown> }> {
    const row = await this.findRow(projectKey, key);
    if (!row) throw profileNotFound(key);
    const document = toDocument(row);
    const options: Record<string, unknown> = {
      resourceType: document.resourceType,
      ...(document.format ? { format: document.format } : {}),
      ...(document.settings ?? {}),
      ...(document.mapping ? { mapping: document.mapping } : {}),
      ...(document.reference !== undefined ? { reference: document.reference } : {}),
      ...(document.referenceOrigin !== undefined ? { referenceOrigin: document.referenceOrigin } : {}),
      ...(document.metadata !== undefined ? { metadata: document.metadata } : {}),
    };
    return { key: row.key, options };
  }

  async get(projectKey: string, key: string): Promise<ImportProfileView> {
    const row = await this.findRow(projectKey, key);
    if (!row) throw profileNotFound(key);
    return toProfileView(row);
  }

  async query(projectKey: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<ImportProfileView>> {
    const page = parsePageQuery(rawQuery, SORTABLE_PROFILE_FIELDS, ['created_at ASC'], 'id ASC');
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM import_profiles WHERE project_key = $1`, [projectKey])) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(`SELECT ${COLUMNS} FROM import_profiles WHERE project_key = $1 ORDER BY ${page.orderBy.join(', ')} LIMIT $2 OFFSET $3`, [
            projectKey,
            page.limit,
            page.offset,
          ])) as ImportProfileRow[]);
    return pagedResponse(page, total, rows.map(toProfileView));
  }

  /** PUT: the whole profile and its current version. */
  async replace(projectKey: string, key: string, body: unknown, actor?: string): Promise<ImportProfileView> {
    const { document, version } = parseProfileDocument(body, 'replace');
    return this.update(projectKey, key, version as number, actor, () => document);
  }

  /** PATCH: a JSON merge patch (RFC 7396) of the profile, with its current version; the result is validated whole. */
  async patch(projectKey: string, key: string, patch: unknown, actor?: string): Promise<ImportProfileView> {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      const message = 'The merge patch must be a JSON object holding the current `version` and the fields to change (null removes a field).';
      throw new BadRequest([{ code: 'InvalidJsonInput', message }], message);
    }
    const { version: rawVersion, ...changes } = patch as Record<string, unknown>;
    const errors: ErrorObject[] = [];
    const version = checkVersion(rawVersion, errors);
    for (const name of READ_ONLY_FIELDS) {
      if (name in changes) errors.push(invalidField(name, changes[name], `Field '${name}' is maintained by Berth and cannot be patched.`));
    }
    if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
    return this.update(projectKey, key, version as number, actor, (current) => parseProfileDocument(applyMergePatch(current, changes), 'merged').document);
  }

  /**
   * The versioned write shared by PUT and PATCH. The row is locked first, so of concurrent updates with the same
   * version exactly one wins and the others see the new version (409).
   */
  private async update(projectKey: string, key: string, version: number, actor: string | undefined, next: (current: ProfileDocument) => ProfileDocument): Promise<ImportProfileView> {
    let target: string | undefined;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const current = await this.findRow(projectKey, key, manager, true);
        if (!current) throw profileNotFound(key);
        if (current.version !== version) throw new ConcurrentModification(version, current.version, current.id);
        const before = toDocument(current);
        const document = next(before);
        target = document.key;
        const rows = (await manager.query(
          `UPDATE import_profiles
              SET key = $3, name = $4, resource_type = $5, format = $6, settings = $7::jsonb, mapping = $8::jsonb,
                  reference = $9, reference_origin = $10, metadata = $11::jsonb, version = version + 1, last_modified_at = now()
            WHERE project_key = $1 AND id = $2
            RETURNING ${COLUMNS}`,
          [projectKey, current.id, ...documentParams(document)],
        )) as [ImportProfileRow[], number];
        const view = toProfileView(rows[0][0]);
        if (document.key !== key) await this.followRename(manager, projectKey, key, document.key);
        await recordEvent(manager, {
          projectKey,
          type: 'ImportProfileUpdated',
          resource: { typeId: 'import-profile', key: view.key, id: view.id },
          actor,
          data: { profile: view, changedFields: changedFields(before, document), ...(document.key !== key ? { previousKey: key } : {}) },
        });
        return view;
      });
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION && target !== undefined) throw duplicateKey(target);
      throw error;
    }
  }

  /** File imports name the profile they used by key: a rename carries them along, so dependencies stay complete. */
  private async followRename(manager: EntityManager, projectKey: string, from: string, to: string): Promise<void> {
    const columns = await fileImportColumns(manager);
    if (!columns.has('profile_key') || !columns.has('project_key')) return;
    await manager.query(`UPDATE file_imports SET profile_key = $3 WHERE project_key = $1 AND profile_key = $2`, [projectKey, from, to]);
  }

  async delete(projectKey: string, key: string, actor?: string): Promise<ImportProfileView> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(`DELETE FROM import_profiles WHERE project_key = $1 AND key = $2 RETURNING ${COLUMNS}`, [projectKey, key])) as [ImportProfileRow[], number];
      if (rows[0].length === 0) throw profileNotFound(key);
      const view = toProfileView(rows[0][0]);
      await recordEvent(manager, { projectKey, type: 'ImportProfileDeleted', resource: { typeId: 'import-profile', key: view.key, id: view.id }, actor, data: { profile: view } });
      return view;
    });
  }

  /**
   * The profile's events, newest first (`sort=createdAt asc` for oldest first), paged like containers. Events are
   * found by the profile's id, so the history survives renames and a new profile reusing a deleted one's key
   * starts with its own history (`GET /{projectKey}/import-events?resourceKey=` shows every event by key).
   */
  async audit(projectKey: string, key: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<ImportEvent>> {
    const page = parsePageQuery(rawQuery, SORTABLE_AUDIT_FIELDS, ['sequence_number DESC'], 'sequence_number DESC');
    const profile = await this.findRow(projectKey, key);
    if (!profile) throw profileNotFound(key);
    const where = `project_key = $1 AND resource_type_id = 'import-profile' AND resource_id = $2`;
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM import_events WHERE ${where}`, [projectKey, profile.id])) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(`SELECT ${EVENT_COLUMNS} FROM import_events WHERE ${where} ORDER BY ${page.orderBy.join(', ')} LIMIT $3 OFFSET $4`, [
            projectKey,
            profile.id,
            page.limit,
            page.offset,
          ])) as ImportEventRow[]);
    return pagedResponse(page, total, rows.map(toEventView));
  }

  /**
   * The containers and file imports that used the profile: file imports record the profile they were invoked with
   * (`file_imports.profile_key`), and their containers. Until the file-imports table exists there are none.
   */
  async dependencies(projectKey: string, key: string): Promise<{ results: ProfileDependencyView[] }> {
    const profile = await this.findRow(projectKey, key);
    if (!profile) throw profileNotFound(key);
    const columns = await fileImportColumns(this.dataSource.manager);
    if (!columns.has('profile_key') || !columns.has('project_key') || !columns.has('id')) return { results: [] };
    const containerColumn = ['import_container_key', 'container_key'].find((name) => columns.has(name));
    const results: ProfileDependencyView[] = [];
    if (containerColumn) {
      const containers = (await this.dataSource.query(
        `SELECT DISTINCT ${containerColumn} AS key FROM file_imports WHERE project_key = $1 AND profile_key = $2 ORDER BY 1`,
        [projectKey, key],
      )) as Array<{ key: string }>;
      results.push(...containers.map((row) => ({ typeId: 'import-container' as const, key: row.key })));
    }
    const order = columns.has('created_at') ? 'created_at DESC, id' : 'id';
    const fileImports = (await this.dataSource.query(`SELECT id::text AS id FROM file_imports WHERE project_key = $1 AND profile_key = $2 ORDER BY ${order} LIMIT $3`, [
      projectKey,
      key,
      MAX_DEPENDENT_FILE_IMPORTS,
    ])) as Array<{ id: string }>;
    results.push(...fileImports.map((row) => ({ typeId: 'file-import' as const, id: row.id })));
    return { results };
  }
}

/** The body of a clone request: `{key}` alone. */
export function parseCloneKey(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const message = 'The request body must be a JSON object {"key": "<new key>"}.';
    throw new BadRequest([{ code: 'InvalidJsonInput', message }], message);
  }
  const errors: ErrorObject[] = [];
  const record = body as Record<string, unknown>;
  for (const name of Object.keys(record)) if (name !== 'key') errors.push(invalidField(name, record[name], `A clone request has only 'key'; '${name}' is not allowed.`));
  const key = record.key;
  if (key === undefined || key === null) errors.push(invalidField('key', null, "Missing required field 'key'."));
  else if (typeof key !== 'string' || key.length < PROFILE_LIMITS.minKeyLength || key.length > PROFILE_LIMITS.maxKeyLength || !PROFILE_KEY_PATTERN.test(key)) {
    errors.push(invalidField('key', key, `The value ${JSON.stringify(key)} is not valid for field 'key': it must match ${PROFILE_KEY_PATTERN.source} with ${PROFILE_LIMITS.minKeyLength} to ${PROFILE_LIMITS.maxKeyLength} characters.`));
  }
  if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
  return key as string;
}
