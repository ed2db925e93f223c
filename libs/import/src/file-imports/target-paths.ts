/**
 * Target paths of a file import mapping (`name.en`, `masterVariant.prices[0].value.centAmount`, `variant.sku`) and
 * the conversion of file values (text, for CSV and XML) to the types the official Import API schema gives them.
 *
 * Both walk the same JSON Schema document the request validator compiles (`import-api.schemas.json`), so a path is
 * valid exactly when the schema has it, and a value is converted to what the schema expects there: integers,
 * numbers, booleans, and a string on a key reference (`productType`, `categories[0]`) becomes `{typeId, key}` with
 * the typeId the schema fixes.
 */
import { BadRequest, ErrorObject, invalidField } from '../../../common/src';
import schemaDocument from '../validation/import-api.schemas.json';
import { IMPORT_RESOURCE_TYPES, ImportResourceType } from '../validation/import-request.validator';

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  oneOf?: Schema[];
  discriminator?: { propertyName: string };
}

const DEFINITIONS = (schemaDocument as unknown as { definitions: Record<string, Schema> }).definitions;
const REQUESTS = (schemaDocument as unknown as { 'x-import-requests': Record<string, { resource: string }> })['x-import-requests'];

/** For product-draft rows: targets under `variant.` fill the row's variant (master variant, then variants[0], …). */
export const VARIANT_PREFIX = 'variant';

export type PathSegment = string | number;

export type TargetKind = 'string' | 'integer' | 'number' | 'boolean' | 'reference' | 'object' | 'array' | 'any';

export interface ResolvedTarget {
  kind: TargetKind;
  /** For key references: the typeId the schema fixes. */
  typeId?: string;
}

function deref(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let i = 0; current?.$ref && i < 32; i++) current = DEFINITIONS[current.$ref.replace('#/definitions/', '')];
  return current;
}

/** The schema of one import resource (e.g. `ProductDraftImport` for `product-draft`). */
export function resourceSchema(resourceType: ImportResourceType): Schema {
  const schema = DEFINITIONS[REQUESTS[resourceType].resource];
  if (!schema) throw new TypeError(`No schema for import resource type '${resourceType}'`);
  return schema;
}

export function isImportResourceType(value: unknown): value is ImportResourceType {
  return typeof value === 'string' && (IMPORT_RESOURCE_TYPES as readonly string[]).includes(value);
}

/** `masterVariant.prices[0].value.centAmount` → ['masterVariant', 'prices', 0, 'value', 'centAmount']; undefined when malformed. */
export function parseTargetPath(path: string): PathSegment[] | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > 500) return undefined;
  const segments: PathSegment[] = [];
  const pattern = /([^.[\]]+)|\[(\d{1,6})\]/gy;
  let position = 0;
  while (position < path.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(path);
    if (!match) return undefined;
    segments.push(match[1] !== undefined ? (/^\d+$/.test(match[1]) && segments.length > 0 ? Number(match[1]) : match[1]) : Number(match[2]));
    position = pattern.lastIndex;
    if (position < path.length && path[position] === '.') {
      position++;
      if (position === path.length) return undefined;
    }
  }
  return segments;
}

function keyReferenceTypeId(schema: Schema): string | undefined {
  const typeId = schema.properties?.typeId;
  if (!typeId || !schema.properties?.key || !Array.isArray(typeId.enum) || typeId.enum.length !== 1) return undefined;
  const required = schema.required ?? [];
  if (!required.every((name) => name === 'typeId' || name === 'key')) return undefined;
  return String(typeId.enum[0]);
}

function typeOf(schema: Schema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  return schema.type;
}

function childSchemas(schema: Schema, segment: PathSegment): Schema[] {
  const s = deref(schema);
  if (!s) return [];
  if (s.oneOf) return s.oneOf.flatMap((branch) => childSchemas(branch, segment));
  if (typeof segment === 'number') return typeOf(s) === 'array' && s.items ? [s.items] : [];
  const property = s.properties?.[segment];
  if (property) return [property];
  if (typeof s.additionalProperties === 'object') return [s.additionalProperties];
  return [];
}

function kindOf(schema: Schema): ResolvedTarget {
  const s = deref(schema) ?? {};
  const typeId = keyReferenceTypeId(s);
  if (typeId) return { kind: 'reference', typeId };
  const type = typeOf(s);
  if (type === 'string' || type === 'integer' || type === 'number' || type === 'boolean' || type === 'object' || type === 'array') return { kind: type };
  return { kind: s.oneOf ? 'object' : 'any' };
}

/** What the schema expects at a target path of a resource type, or undefined when the schema has no such path. */
export function resolveTarget(resourceType: ImportResourceType, segments: PathSegment[]): ResolvedTarget | undefined {
  let schemas: Schema[] = [resourceSchema(resourceType)];
  let rest = segments;
  if (resourceType === 'product-draft' && segments[0] === VARIANT_PREFIX) {
    schemas = [DEFINITIONS.ProductVariantDraftImport];
    rest = segments.slice(1);
  }
  for (const segment of rest) {
    schemas = schemas.flatMap((schema) => childSchemas(schema, segment));
    if (schemas.length === 0) return undefined;
  }
  return kindOf(schemas[0]);
}

export interface MappingEntry {
  extract: string;
  generate: string;
}

/**
 * Checks a mapping `[{extract, generate}]` against the official schema of the resource type: each entry needs a
 * non-empty `extract` and a `generate` the schema has (for product-draft also under `variant.`). Throws 400
 * InvalidField naming the first bad entries (`mapping[2].generate`). Exported for import profiles.
 */
export function validateMapping(resourceType: ImportResourceType, mapping: unknown, field = 'mapping'): MappingEntry[] {
  if (!Array.isArray(mapping)) throw new BadRequest([invalidField(field, mapping, `The field '${field}' must be an array of {extract, generate} entries.`)]);
  const errors: ErrorObject[] = [];
  mapping.forEach((entry: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(invalidField(at, entry, `The entry '${at}' must be an object {extract, generate}.`));
      return;
    }
    const { extract, generate, ...extra } = entry as Record<string, unknown>;
    for (const name of Object.keys(extra)) errors.push(invalidField(`${at}.${name}`, extra[name], `Unknown field '${name}' in '${at}': expected extract and generate.`));
    if (typeof extract !== 'string' || extract.length === 0) errors.push(invalidField(`${at}.extract`, extract ?? null, `The field '${at}.extract' must be a non-empty string.`));
    if (typeof generate !== 'string' || generate.length === 0) {
      errors.push(invalidField(`${at}.generate`, generate ?? null, `The field '${at}.generate' must be a non-empty string.`));
      return;
    }
    const segments = parseTargetPath(generate);
    if (!segments || !resolveTarget(resourceType, segments)) {
      errors.push(invalidField(`${at}.generate`, generate, `The target path '${generate}' of '${at}.generate' does not exist in a ${resourceType} resource.`));
    }
  });
  if (errors.length > 0) throw new BadRequest(errors.slice(0, 100), errors[0].message);
  return mapping as MappingEntry[];
}

// ---------------------------------------------------------------------------------------------------------------------
// conversion
// ---------------------------------------------------------------------------------------------------------------------

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function convertScalar(kind: TargetKind, value: string): unknown {
  const text = value.trim();
  switch (kind) {
    case 'integer':
      return INTEGER.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : value;
    case 'number':
      return NUMBER.test(text) ? Number(text) : value;
    case 'boolean':
      if (/^(true|1)$/i.test(text)) return true;
      if (/^(false|0)$/i.test(text)) return false;
      return value;
    default:
      return value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The union branch for an object: by its discriminator value, or (when absent) the smallest branch that has all its fields. */
function branchFor(schema: Schema, value: Record<string, unknown>): { branch: Schema; tag?: [string, unknown] } | undefined {
  const branches = (schema.oneOf ?? []).map((b) => deref(b) ?? {});
  const property = schema.discriminator?.propertyName;
  if (property && value[property] !== undefined) {
    const branch = branches.find((b) => b.properties?.[property]?.enum?.includes(value[property]));
    return branch ? { branch } : undefined;
  }
  const fitting = branches
    .filter((b) => Object.keys(value).every((name) => b.properties?.[name] !== undefined))
    .sort((a, b) => Object.keys(a.properties ?? {}).length - Object.keys(b.properties ?? {}).length);
  if (fitting.length === 0) return undefined;
  const size = (b: Schema) => Object.keys(b.properties ?? {}).length;
  if (fitting.length > 1 && size(fitting[0]) === size(fitting[1])) return undefined;
  const tagEnum = property ? fitting[0].properties?.[property]?.enum : undefined;
  return { branch: fitting[0], tag: property && tagEnum?.length === 1 ? [property, tagEnum[0]] : undefined };
}

/**
 * Converts a value to what the schema expects, recursively: text to integers, numbers and booleans, a string on a key
 * reference to `{typeId, key}`, a single value where the schema wants an array to a one-item array. Values the
 * schema does not describe, or that do not convert, are left as they are (the validator then reports them).
 */
export function convertBySchema(value: unknown, schema: Schema | undefined): unknown {
  const s = deref(schema);
  if (!s || value === undefined || value === null) return value;
  const typeId = keyReferenceTypeId(s);
  if (typeId && typeof value === 'string') return { typeId, key: value };
  if (s.oneOf) {
    if (isPlainObject(value)) {
      const chosen = branchFor(s, value);
      if (!chosen) return value;
      const converted = convertBySchema(value, chosen.branch) as Record<string, unknown>;
      return chosen.tag ? { [chosen.tag[0]]: chosen.tag[1], ...converted } : converted;
    }
    return value;
  }
  const type = typeOf(s);
  if (type === 'array') {
    const list = Array.isArray(value) ? value : [value];
    return list.map((item) => convertBySchema(item, s.items));
  }
  if (type === 'object' || s.properties) {
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(value)) {
      const childSchema = s.properties?.[name] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      out[name] = convertBySchema(child, childSchema);
    }
    return out;
  }
  if (typeof value === 'string' && (type === 'integer' || type === 'number' || type === 'boolean')) return convertScalar(type, value);
  return value;
}

/** Converts one resource of a type (see convertBySchema); for product-draft rows also the row's `variant`. */
export function convertResource(resourceType: ImportResourceType, resource: Record<string, unknown>): Record<string, unknown> {
  if (resourceType === 'product-draft' && resource[VARIANT_PREFIX] !== undefined) {
    const { [VARIANT_PREFIX]: variant, ...rest } = resource;
    const converted = convertBySchema(rest, resourceSchema(resourceType)) as Record<string, unknown>;
    return { ...converted, [VARIANT_PREFIX]: convertBySchema(variant, DEFINITIONS.ProductVariantDraftImport) };
  }
  return convertBySchema(resource, resourceSchema(resourceType)) as Record<string, unknown>;
}

/** Sets a value at a path, creating objects and arrays on the way. */
export function setPath(target: Record<string, unknown>, segments: PathSegment[], value: unknown): void {
  let current: Record<string | number, unknown> | unknown[] = target;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    const last = i === segments.length - 1;
    const container = current as Record<string | number, unknown>;
    if (last) {
      container[segment] = value;
      return;
    }
    let next = container[segment];
    if (typeof next !== 'object' || next === null) {
      next = typeof segments[i + 1] === 'number' ? [] : {};
      container[segment] = next;
    }
    current = next as Record<string | number, unknown>;
  }
}

/** Removes the holes a sparse mapping leaves in arrays (`prices[1]` without `prices[0]`). */
export function compactArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== undefined && item !== null).map(compactArrays);
  if (isPlainObject(value)) {
    for (const [name, child] of Object.entries(value)) value[name] = compactArrays(child);
  }
  return value;
}
