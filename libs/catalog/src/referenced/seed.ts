import * as fs from 'node:fs';
import { DataSource } from 'typeorm';
import { CtException, ErrorObject } from '../../../common/src';
import { REFERENCED_RESOURCES } from './referenced-resources';
import { ReferencedResourcesService } from './referenced-resources.service';
import { ResourcesCreatedListener } from './resources-created';

/**
 * A seed file: `{"projectKey": "demo", "channels": [drafts…], "taxCategories": […], …}`, one array of commercetools
 * drafts per referenced-only resource type (see `seedField` of REFERENCED_RESOURCES).
 */
export type SeedFile = { projectKey: string } & Partial<Record<string, unknown[]>>;

export interface InvalidSeedDraft {
  /** Seed field, e.g. `taxCategories`. */
  resource: string;
  index: number;
  key: unknown;
  errors: ErrorObject[];
}

export interface SeedResult {
  projectKey: string;
  /** Created resources per seed field. */
  created: Record<string, number>;
  /** Drafts whose key already existed, per seed field. */
  skipped: Record<string, number>;
  invalid: InvalidSeedDraft[];
}

export class SeedFileError extends Error {}

const PROJECT_KEY = /^[A-Za-z0-9_-]{2,256}$/;
const SEED_FIELDS = REFERENCED_RESOURCES.map((definition) => definition.seedField);

/** Reads and checks the outline of a seed file (the drafts themselves are validated one by one when seeding). */
export function readSeedFile(path: string): SeedFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SeedFileError(`cannot read seed file ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return checkSeedFile(parsed);
}

export function checkSeedFile(parsed: unknown): SeedFile {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SeedFileError('a seed file is a JSON object');
  const seed = parsed as Record<string, unknown>;
  if (typeof seed.projectKey !== 'string' || !PROJECT_KEY.test(seed.projectKey)) throw new SeedFileError('the seed file needs a valid "projectKey"');
  for (const [field, value] of Object.entries(seed)) {
    if (field === 'projectKey') continue;
    if (!SEED_FIELDS.includes(field)) throw new SeedFileError(`unknown seed field "${field}" (expected ${SEED_FIELDS.join(', ')})`);
    if (!Array.isArray(value)) throw new SeedFileError(`"${field}" must be an array of drafts`);
  }
  return seed as SeedFile;
}

/**
 * Creates every draft of the seed (a path or an already parsed file) in dependency order. Drafts whose key exists are
 * skipped, so seeding twice is harmless; invalid drafts are collected, the others still created. `listeners` are told
 * of each created resource (the CLI passes the pipeline's, which wakes import operations waiting for it).
 */
export async function seedReferenced(dataSource: DataSource, file: unknown, listeners: ResourcesCreatedListener[] = []): Promise<SeedResult> {
  const seed = typeof file === 'string' ? readSeedFile(file) : checkSeedFile(file);
  const service = new ReferencedResourcesService(dataSource, listeners);
  const result: SeedResult = { projectKey: seed.projectKey, created: {}, skipped: {}, invalid: [] };
  for (const definition of REFERENCED_RESOURCES) {
    const drafts = seed[definition.seedField] ?? [];
    result.created[definition.seedField] = 0;
    result.skipped[definition.seedField] = 0;
    for (const [index, draft] of drafts.entries()) {
      try {
        await service.create(definition, seed.projectKey, draft);
        result.created[definition.seedField]++;
      } catch (error) {
        if (!(error instanceof CtException) || error.statusCode !== 400) throw error;
        if (error.errors.length === 1 && error.errors[0].code === 'DuplicateField' && error.errors[0].field === 'key') {
          result.skipped[definition.seedField]++;
        } else {
          const key = draft !== null && typeof draft === 'object' ? (draft as Record<string, unknown>).key : undefined;
          result.invalid.push({ resource: definition.seedField, index, key: key ?? null, errors: error.errors });
        }
      }
    }
  }
  return result;
}
