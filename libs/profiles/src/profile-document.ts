/**
 * The editable part of an import profile and its validation (issue 18), shared by POST, PUT and the result of a
 * PATCH: every problem is reported at once as commercetools `InvalidField` errors naming the field
 * (`settings.delimiter`, `mapping[2].generate`); a body that is not a JSON object is `InvalidJsonInput`.
 * Unknown properties are refused (not dropped), so a typo never silently loses a setting. Pure.
 */
import { BadRequest, ErrorObject, invalidField, MAX_PG_INTEGER } from '../../common/src';
import { RESOURCE_TYPE_NAMES } from '../../import/src/resource-types';
import { validateMapping } from './mapping-targets';

export const PROFILE_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;
export const PROFILE_FORMATS = ['csv', 'json', 'ndjson', 'xml'] as const;
export const PROFILE_ENCODINGS = ['utf-8', 'utf-16le', 'latin1'] as const;
export const PROFILE_ERROR_POLICIES = ['skipFailedRows', 'rejectAll'] as const;
export const PROFILE_LIMITS = { minKeyLength: 2, maxKeyLength: 256, maxTextLength: 256, maxMetadataBytes: 16_384 } as const;

/** The file-import options a profile holds (issue 17's names and values). */
export interface ProfileSettings {
  delimiter?: string;
  quote?: string;
  header?: boolean;
  encoding?: (typeof PROFILE_ENCODINGS)[number];
  errorPolicy?: (typeof PROFILE_ERROR_POLICIES)[number];
  cleanup?: boolean;
  dryRun?: boolean;
}

export interface MappingEntry {
  extract: string;
  generate: string;
}

/** What a client sets on a profile (everything but id, version and the timestamps). */
export interface ProfileDocument {
  key: string;
  name?: string;
  resourceType: string;
  format?: (typeof PROFILE_FORMATS)[number];
  settings?: ProfileSettings;
  mapping?: MappingEntry[];
  reference?: string;
  referenceOrigin?: string;
  metadata?: Record<string, unknown>;
}

export const DOCUMENT_FIELDS = ['key', 'name', 'resourceType', 'format', 'settings', 'mapping', 'reference', 'referenceOrigin', 'metadata'] as const;
/** Fields of the representation that Berth maintains; a PUT may carry them back unchanged (they are ignored). */
export const READ_ONLY_FIELDS = ['id', 'createdAt', 'lastModifiedAt'] as const;
const SETTINGS_FIELDS = ['delimiter', 'quote', 'header', 'encoding', 'errorPolicy', 'cleanup', 'dryRun'] as const;

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export type DocumentMode =
  /** POST and clone sources: no version, no read-only fields. */
  | 'create'
  /** PUT: `version` required; id/createdAt/lastModifiedAt tolerated and ignored (a GET-edit-PUT round trip works). */
  | 'replace'
  /** A merged PATCH result (no version: the patch carried it). */
  | 'merged';

export interface ParsedDocument {
  document: ProfileDocument;
  version?: number;
}

/** Checks `version` (an integer 1..2^31-1) and returns it, or pushes an error. */
export function checkVersion(value: unknown, errors: ErrorObject[]): number | undefined {
  if (value === undefined || value === null) {
    errors.push(invalidField('version', null, "Missing required field 'version'."));
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PG_INTEGER) {
    errors.push(invalidField('version', value, `The value ${JSON.stringify(value)} is not valid for field 'version': it must be a positive integer.`));
    return undefined;
  }
  return value;
}

function optionalText(body: Record<string, unknown>, field: string, errors: ErrorObject[]): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > PROFILE_LIMITS.maxTextLength) {
    errors.push(invalidField(field, value, `The value ${JSON.stringify(value)} is not valid for field '${field}': it must be a string of 1 to ${PROFILE_LIMITS.maxTextLength} characters.`));
    return undefined;
  }
  return value;
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], errors: ErrorObject[]): T | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    errors.push(invalidField(field, value, `The value ${JSON.stringify(value)} is not valid for field '${field}': it must be one of ${allowed.join(', ')}.`, { allowedValues: [...allowed] }));
    return undefined;
  }
  return value as T;
}

function flag(field: string, value: unknown, errors: ErrorObject[]): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    errors.push(invalidField(field, value, `The value ${JSON.stringify(value)} is not valid for field '${field}': it must be true or false.`));
    return undefined;
  }
  return value;
}

function character(field: string, value: unknown, errors: ErrorObject[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || [...value].length !== 1 || value === '\n' || value === '\r') {
    errors.push(invalidField(field, value, `The value ${JSON.stringify(value)} is not valid for field '${field}': it must be a single character other than a line break.`));
    return undefined;
  }
  return value;
}

function parseSettings(value: unknown, errors: ErrorObject[]): ProfileSettings | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    errors.push(invalidField('settings', value, `The value of field 'settings' must be an object with ${SETTINGS_FIELDS.join(', ')}.`));
    return undefined;
  }
  for (const name of Object.keys(value)) {
    if (!(SETTINGS_FIELDS as readonly string[]).includes(name)) {
      errors.push(invalidField(`settings.${name}`, value[name], `'settings.${name}' is not a profile setting; the settings are ${SETTINGS_FIELDS.join(', ')}.`));
    }
  }
  const settings: ProfileSettings = {
    delimiter: character('settings.delimiter', value.delimiter, errors),
    quote: character('settings.quote', value.quote, errors),
    header: flag('settings.header', value.header, errors),
    encoding: oneOf('settings.encoding', value.encoding, PROFILE_ENCODINGS, errors),
    errorPolicy: oneOf('settings.errorPolicy', value.errorPolicy, PROFILE_ERROR_POLICIES, errors),
    cleanup: flag('settings.cleanup', value.cleanup, errors),
    dryRun: flag('settings.dryRun', value.dryRun, errors),
  };
  if (settings.delimiter !== undefined && settings.delimiter === settings.quote) {
    errors.push(invalidField('settings.quote', settings.quote, `The value ${JSON.stringify(settings.quote)} is not valid for field 'settings.quote': it must differ from the delimiter.`));
  }
  return stripUndefined(settings);
}

function parseMapping(value: unknown, resourceType: string | undefined, errors: ErrorObject[]): MappingEntry[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    errors.push(invalidField('mapping', value, "The value of field 'mapping' must be an array of {\"extract\": \"...\", \"generate\": \"...\"}."));
    return undefined;
  }
  // Without a valid resource type there is no schema to check the targets against (the type's own error says so).
  if (resourceType === undefined) return undefined;
  const problems = validateMapping(resourceType, value);
  for (const problem of problems) {
    const field = `mapping[${problem.index}]${problem.field ? `.${problem.field}` : ''}`;
    const invalidValue = problem.field && isPlainObject(value[problem.index]) ? (value[problem.index] as Record<string, unknown>)[problem.field] : value[problem.index];
    errors.push(invalidField(field, invalidValue, `The value ${JSON.stringify(invalidValue ?? null)} is not valid for field '${field}': ${problem.message}`));
  }
  return problems.length > 0 ? undefined : (value as MappingEntry[]).map((entry) => ({ extract: entry.extract, generate: entry.generate }));
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Validates a profile body and returns its normalized document (and `version` for `replace`).
 * Throws BadRequest listing every problem. `null` on an optional field means absent.
 */
export function parseProfileDocument(body: unknown, mode: DocumentMode): ParsedDocument {
  if (!isPlainObject(body)) {
    const message = 'The request body must be a JSON object describing the import profile.';
    throw new BadRequest([{ code: 'InvalidJsonInput', message }], message);
  }
  const errors: ErrorObject[] = [];
  const allowed = new Set<string>([...DOCUMENT_FIELDS, ...(mode === 'replace' ? ['version', ...READ_ONLY_FIELDS] : [])]);
  for (const name of Object.keys(body)) {
    if (allowed.has(name)) continue;
    const readOnly = (READ_ONLY_FIELDS as readonly string[]).includes(name) || name === 'version';
    errors.push(invalidField(name, body[name], readOnly ? `Field '${name}' is maintained by Berth and cannot be set here.` : `'${name}' is not a field of an import profile.`));
  }
  const version = mode === 'replace' ? checkVersion(body.version, errors) : undefined;

  const key = body.key;
  if (key === undefined || key === null) errors.push(invalidField('key', null, "Missing required field 'key'."));
  else if (typeof key !== 'string' || key.length < PROFILE_LIMITS.minKeyLength || key.length > PROFILE_LIMITS.maxKeyLength || !PROFILE_KEY_PATTERN.test(key)) {
    errors.push(invalidField('key', key, `The value ${JSON.stringify(key)} is not valid for field 'key': it must match ${PROFILE_KEY_PATTERN.source} with ${PROFILE_LIMITS.minKeyLength} to ${PROFILE_LIMITS.maxKeyLength} characters.`));
  }
  let resourceType: string | undefined;
  if (body.resourceType === undefined || body.resourceType === null) errors.push(invalidField('resourceType', null, "Missing required field 'resourceType'."));
  else resourceType = oneOf('resourceType', body.resourceType, RESOURCE_TYPE_NAMES, errors);

  let metadata: Record<string, unknown> | undefined;
  if (body.metadata !== undefined && body.metadata !== null) {
    if (!isPlainObject(body.metadata)) errors.push(invalidField('metadata', body.metadata, "The value of field 'metadata' must be a JSON object."));
    else if (Buffer.byteLength(JSON.stringify(body.metadata)) > PROFILE_LIMITS.maxMetadataBytes) {
      errors.push(invalidField('metadata', null, `The value of field 'metadata' exceeds ${PROFILE_LIMITS.maxMetadataBytes} bytes of JSON.`));
    } else metadata = body.metadata;
  }

  const document = stripUndefined<ProfileDocument>({
    key: key as string,
    name: optionalText(body, 'name', errors),
    resourceType: resourceType as string,
    format: oneOf('format', body.format, PROFILE_FORMATS, errors),
    settings: parseSettings(body.settings, errors),
    mapping: parseMapping(body.mapping, resourceType, errors),
    reference: optionalText(body, 'reference', errors),
    referenceOrigin: optionalText(body, 'referenceOrigin', errors),
    metadata,
  });
  if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
  return { document, ...(version !== undefined ? { version } : {}) };
}

/** JSON text with object keys sorted: jsonb reorders keys, so equal values must compare equal whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).sort().map((name) => `${JSON.stringify(name)}:${canonical(value[name])}`).join(',')}}`;
  return JSON.stringify(value ?? null);
}

/** Names of the document fields whose values differ (deep, by JSON value, whatever the key order). */
export function changedFields(before: ProfileDocument, after: ProfileDocument): string[] {
  return DOCUMENT_FIELDS.filter((name) => canonical(before[name]) !== canonical(after[name]));
}
