import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BadRequest, DuplicateField, ErrorObject } from '../../../common/src';
import { DocumentRow, toResource } from '../documents';
import { compileDraftValidators, validateDraft } from './draft-validation';
import { DraftReference, REFERENCED_RESOURCES, ReferencedResourceDefinition } from './referenced-resources';
import { RESOURCES_CREATED_LISTENERS, ResourcesCreatedListener } from './resources-created';

/**
 * Creates the referenced-only resources (channels, tax categories, …) from commercetools drafts. One generic
 * implementation driven by REFERENCED_RESOURCES; used by the HTTP API and by the seed command.
 */
@Injectable()
export class ReferencedResourcesService {
  constructor(
    private readonly dataSource: DataSource,
    @Optional() @Inject(RESOURCES_CREATED_LISTENERS) private readonly listeners: ResourcesCreatedListener[] = [],
  ) {
    compileDraftValidators(REFERENCED_RESOURCES);
  }

  /**
   * Validates the draft and stores the resource; 400 InvalidField for a bad draft, 400 DuplicateField when the key
   * exists. Once it is committed, the listeners are told (the pipeline's wakes import operations waiting for the key).
   */
  async create(definition: ReferencedResourceDefinition, projectKey: string, input: unknown): Promise<Record<string, unknown>> {
    const validation = validateDraft(definition, input);
    if (!validation.valid) throw new BadRequest(validation.errors);
    const { key, ...fields } = validation.draft as { key: string } & Record<string, unknown>;
    const created = await this.dataSource.transaction(async (manager) => {
      await this.resolveReferences(manager, definition, projectKey, fields);
      const data = { ...(definition.finalize ? definition.finalize(fields) : fields), ...definition.serverFields?.() };
      const rows = (await manager.query(
        `INSERT INTO ${definition.table} (project_key, key, data) VALUES ($1, $2, $3)
         ON CONFLICT (project_key, key) DO NOTHING
         RETURNING id, key, version, data, created_at, last_modified_at`,
        [projectKey, key, JSON.stringify(data)],
      )) as DocumentRow[];
      if (rows.length === 0) throw new DuplicateField('key', key, `A duplicate value '"${key}"' exists for field 'key'.`);
      return toResource(rows[0]);
    });
    // After the commit: e.g. imports that could not resolve a reference to this key go back to `processing`.
    for (const listener of this.listeners) await listener.created(projectKey, [{ typeId: definition.typeId, key }]);
    return created;
  }

  /** Replaces every `{typeId, key}` / `{typeId, id}` the definition names with the stored `{typeId, id}`. */
  private async resolveReferences(manager: EntityManager, definition: ReferencedResourceDefinition, projectKey: string, fields: Record<string, unknown>): Promise<void> {
    const errors: ErrorObject[] = [];
    for (const reference of definition.references ?? []) {
      for (const holder of referenceHolders(fields, reference)) {
        const value = holder.parent[holder.property] as { typeId: string; key?: string; id?: string };
        const target = REFERENCED_RESOURCES.find((candidate) => candidate.typeId === reference.typeId);
        if (!target) throw new Error(`no table for typeId ${reference.typeId}`);
        const rows = (await manager.query(
          value.key !== undefined
            ? `SELECT id FROM ${target.table} WHERE project_key = $1 AND key = $2`
            : `SELECT id FROM ${target.table} WHERE project_key = $1 AND id = $2::uuid`,
          [projectKey, value.key ?? value.id],
        )) as Array<{ id: string }>;
        if (rows.length === 0) {
          const by = value.key !== undefined ? `key '${value.key}'` : `ID '${value.id}'`;
          errors.push({
            code: 'ReferencedResourceNotFound',
            message: `The referenced object of type '${reference.typeId}' with ${by} was not found. It either doesn't exist, or it can't be accessed from this endpoint (e.g., if the endpoint filters by store or customer account).`,
            typeId: reference.typeId,
            ...(value.key !== undefined ? { key: value.key } : { id: value.id }),
          });
          continue;
        }
        holder.parent[holder.property] = { typeId: reference.typeId, id: rows[0].id };
      }
    }
    if (errors.length > 0) throw new BadRequest(errors);
  }
}

/** The objects holding a reference at `path` (`a.b`, `list[].item`), so it can be replaced in place. */
function referenceHolders(root: Record<string, unknown>, reference: DraftReference): Array<{ parent: Record<string, unknown>; property: string }> {
  let parents: Array<Record<string, unknown>> = [root];
  const segments = reference.path.split('.');
  const last = segments.pop() as string;
  for (const segment of segments) {
    const isArray = segment.endsWith('[]');
    const name = isArray ? segment.slice(0, -2) : segment;
    const next: Array<Record<string, unknown>> = [];
    for (const parent of parents) {
      const value = parent[name];
      if (isArray && Array.isArray(value)) next.push(...(value as Array<Record<string, unknown>>));
      else if (!isArray && value && typeof value === 'object') next.push(value as Record<string, unknown>);
    }
    parents = next;
  }
  return parents.filter((parent) => parent[last] !== undefined).map((parent) => ({ parent, property: last }));
}
