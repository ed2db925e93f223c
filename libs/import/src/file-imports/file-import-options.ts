import { BadRequest, ErrorObject, invalidField } from '../../../common/src';
import { IMPORT_RESOURCE_TYPES, ImportResourceType } from '../validation/import-request.validator';
import { ENCODINGS, FILE_FORMATS, FileEncoding, FileFormat } from './record-sources';
import { isImportResourceType, MappingEntry, validateMapping } from './target-paths';

export const ERROR_POLICIES = ['skipFailedRows', 'rejectAll'] as const;
export type ErrorPolicy = (typeof ERROR_POLICIES)[number];

/** The options of one file import, from the query, a multipart `settings` part, an inline body or a profile. */
export interface FileImportOptions {
  resourceType: ImportResourceType;
  format: FileFormat;
  mapping?: MappingEntry[];
  delimiter: string;
  quote: string;
  header: boolean;
  encoding: FileEncoding;
  reference?: string;
  referenceOrigin?: string;
  metadata?: Record<string, unknown>;
  dryRun: boolean;
  errorPolicy: ErrorPolicy;
  cleanup: boolean;
  wait: number;
  /** Set when an import profile starts the file import. */
  profileKey?: string;
}

export const OPTION_NAMES = [
  'resourceType',
  'format',
  'mapping',
  'delimiter',
  'quote',
  'header',
  'encoding',
  'reference',
  'referenceOrigin',
  'metadata',
  'dryRun',
  'errorPolicy',
  'cleanup',
  'wait',
] as const;

export const MAX_WAIT_SECONDS = 30;

const fail = (name: string, value: unknown, expected: string): never => {
  const shown = typeof value === 'string' ? value.slice(0, 200) : value;
  throw new BadRequest([invalidField(name, shown, `The value ${JSON.stringify(shown)} is not valid for option '${name}': ${expected}.`)]);
};

function parseBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(name, value, 'expected true or false');
}

function parseJson(name: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return fail(name, value, 'expected URL-encoded JSON');
  }
}

function parseText(name: string, value: unknown, max = 256): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || value.includes('\u0000')) return fail(name, value, `expected a string of 1..${max} characters`);
  return value;
}

/**
 * Parses and checks the options (every value may come as a string, as in the query form). Unknown option names and
 * unknown values are a 400 naming the option; the mapping is checked against the resource type's schema.
 */
export function parseFileImportOptions(raw: Record<string, unknown>, defaults: { format?: FileFormat; profileKey?: string } = {}): FileImportOptions {
  const unknown = Object.keys(raw).filter((name) => !(OPTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    const errors: ErrorObject[] = unknown.map((name) => ({ code: 'InvalidInput', message: `Unknown option '${name}': expected one of ${OPTION_NAMES.join(', ')}.`, field: name }));
    throw new BadRequest(errors, errors[0].message);
  }
  for (const [name, value] of Object.entries(raw)) if (Array.isArray(value) && name !== 'mapping') fail(name, value, 'given more than once');
  if (raw.resourceType === undefined) {
    throw new BadRequest([{ code: 'InvalidInput', message: `The option 'resourceType' is required: one of ${IMPORT_RESOURCE_TYPES.join(', ')}.`, field: 'resourceType' }]);
  }
  if (!isImportResourceType(raw.resourceType)) fail('resourceType', raw.resourceType, `expected one of ${IMPORT_RESOURCE_TYPES.join(', ')}`);
  const resourceType = raw.resourceType as ImportResourceType;
  const format = raw.format ?? defaults.format;
  if (format === undefined) {
    throw new BadRequest([{ code: 'InvalidInput', message: `The file format is unknown: send Content-Type text/csv, application/json, application/x-ndjson or application/xml, or the option 'format'.`, field: 'format' }]);
  }
  if (!(FILE_FORMATS as readonly unknown[]).includes(format)) fail('format', format, `expected one of ${FILE_FORMATS.join(', ')}`);
  const mapping = raw.mapping === undefined ? undefined : validateMapping(resourceType, parseJson('mapping', raw.mapping));
  const delimiter = raw.delimiter ?? ',';
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '\n' || delimiter === '\r') fail('delimiter', delimiter, 'expected one character');
  const quote = raw.quote ?? '"';
  if (typeof quote !== 'string' || quote.length !== 1 || quote === delimiter) fail('quote', quote, 'expected one character other than the delimiter');
  const encoding = typeof raw.encoding === 'string' ? raw.encoding.toLowerCase().replace(/^utf8$/, 'utf-8') : (raw.encoding ?? 'utf-8');
  if (!(ENCODINGS as readonly unknown[]).includes(encoding)) fail('encoding', raw.encoding, `expected one of ${ENCODINGS.join(', ')}`);
  const metadata = raw.metadata === undefined ? undefined : parseJson('metadata', raw.metadata);
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata) || JSON.stringify(metadata).length > 16_384)) {
    fail('metadata', raw.metadata, 'expected a JSON object (at most 16 KB)');
  }
  const errorPolicy = raw.errorPolicy ?? 'skipFailedRows';
  if (!(ERROR_POLICIES as readonly unknown[]).includes(errorPolicy)) fail('errorPolicy', errorPolicy, `expected one of ${ERROR_POLICIES.join(', ')}`);
  const waitRaw = raw.wait ?? 0;
  const wait = typeof waitRaw === 'string' && /^\d{1,2}$/.test(waitRaw) ? Number(waitRaw) : waitRaw;
  if (typeof wait !== 'number' || !Number.isInteger(wait) || wait < 0 || wait > MAX_WAIT_SECONDS) fail('wait', waitRaw, `expected an integer number of seconds 0..${MAX_WAIT_SECONDS}`);
  return {
    resourceType,
    format: format as FileFormat,
    mapping,
    delimiter: delimiter as string,
    quote: quote as string,
    header: parseBoolean('header', raw.header, true),
    encoding: encoding as FileEncoding,
    reference: parseText('reference', raw.reference),
    referenceOrigin: parseText('referenceOrigin', raw.referenceOrigin),
    metadata: metadata as Record<string, unknown> | undefined,
    dryRun: parseBoolean('dryRun', raw.dryRun, false),
    errorPolicy: errorPolicy as ErrorPolicy,
    cleanup: parseBoolean('cleanup', raw.cleanup, false),
    wait: wait as number,
    ...(defaults.profileKey ? { profileKey: defaults.profileKey } : {}),
  };
}

/** The format a Content-Type stands for (`application/json` is a JSON array or an inline-inputs object). */
export function formatOfContentType(contentType: string | undefined): FileFormat | 'multipart' | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'text/csv' || type === 'application/csv') return 'csv';
  if (type === 'application/json') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/ndjson' || type === 'application/jsonl' || type === 'application/x-jsonlines') return 'ndjson';
  if (type === 'application/xml' || type === 'text/xml') return 'xml';
  if (type === 'multipart/form-data') return 'multipart';
  return undefined;
}
