/**
 * Write-time validation of profile mappings (`[{extract, generate}]`, issue 18): every `generate` must be a path
 * the official Import API schema (`import-api.schemas.json`) gives the profile's resource type.
 *
 * A target path is dot segments, each a property name optionally followed by array indexes (`prices[0]`). It is
 * walked through the schema: `$ref`s are followed, a `oneOf` (attributes, typed money, custom fields) offers the
 * union of its branches, maps (`additionalProperties`: localized strings, custom field containers) take any name
 * their `propertyNames` pattern allows, arrays take only indexes. A path may end anywhere the walk reaches — at a
 * scalar, at an object or at an array: `productType` alone means the reference (a string there is its key),
 * `productType.key` its key field. For `product-draft`, `variant.<path>` addresses the row's variant (a
 * ProductVariantDraftImport path), as the file-import grouping of variant rows defines.
 *
 * Pure: no I/O, no Nest. The file-import helper has its own resolver; the two are meant to be unified.
 */
import schemaDocument from '../../import/src/validation/import-api.schemas.json';

type Schema = Record<string, unknown>;

export interface MappingProblem {
  /** Index of the entry in the mapping array. */
  index: number;
  /** The entry's property at fault, when the problem is in one (`extract` or `generate`). */
  field?: 'extract' | 'generate';
  message: string;
}

/** Bounds that keep a mapping cheap to apply: entries per mapping, characters per path, array index. */
export const MAPPING_LIMITS = { maxEntries: 1000, maxPathLength: 1024, maxSegments: 32, maxArrayIndex: 999 } as const;

const DEFINITIONS = schemaDocument.definitions as unknown as Record<string, Schema>;
const REQUESTS = schemaDocument['x-import-requests'] as unknown as Record<string, { resource: string }>;
const DEFINITION_PREFIX = '#/definitions/';
/** Names that would reach an object's prototype when a file import builds the resource. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);
const SEGMENT = /^([^.[\]]+)((?:\[(?:0|[1-9]\d*)\])*)$/;
const VARIANT_PREFIX = 'variant';
const VARIANT_SCHEMA = 'ProductVariantDraftImport';

/** A node of the walk: a schema, or ANY (a free-form value: whatever lies below it is accepted). */
type Node = Schema | 'ANY';

/** The resource schema name of an ImportResourceType, or undefined for an unknown type. */
export function resourceSchemaName(resourceType: string): string | undefined {
  return Object.hasOwn(REQUESTS, resourceType) ? REQUESTS[resourceType].resource : undefined;
}

function resolve(schema: Schema, seen: Set<Schema> = new Set()): Schema[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith(DEFINITION_PREFIX)) {
    const target = DEFINITIONS[schema.$ref.slice(DEFINITION_PREFIX.length)];
    return target ? resolve(target, seen) : [];
  }
  const out: Schema[] = [schema];
  for (const branch of [...((schema.oneOf as Schema[] | undefined) ?? []), ...((schema.anyOf as Schema[] | undefined) ?? []), ...((schema.allOf as Schema[] | undefined) ?? [])]) {
    out.push(...resolve(branch, seen));
  }
  if (schema.then && typeof schema.then === 'object') out.push(...resolve(schema.then as Schema, seen));
  return out;
}

function types(schema: Schema): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  return typeof schema.type === 'string' ? [schema.type] : [];
}

/** A schema saying nothing about its value (`{}`, a bare `type: object`): any path below it is accepted. */
function isFreeForm(schema: Schema): boolean {
  const kinds = types(schema);
  if (kinds.length > 0 && !kinds.includes('object')) return false;
  return schema.properties === undefined && schema.additionalProperties === undefined && schema.oneOf === undefined && schema.items === undefined && schema.enum === undefined && schema.then === undefined;
}

function childByName(node: Node, name: string): Node[] {
  if (node === 'ANY') return ['ANY'];
  const out: Node[] = [];
  for (const schema of resolve(node)) {
    if (isFreeForm(schema)) {
      out.push('ANY');
      continue;
    }
    const properties = schema.properties as Record<string, Schema> | undefined;
    if (properties && Object.hasOwn(properties, name)) {
      out.push(properties[name]);
      continue;
    }
    const additional = schema.additionalProperties;
    if (additional && typeof additional === 'object') {
      const pattern = (schema.propertyNames as { pattern?: string } | undefined)?.pattern;
      if (pattern === undefined || new RegExp(pattern).test(name)) out.push(additional as Schema);
    } else if (additional === true) {
      out.push('ANY');
    }
  }
  return out;
}

function childByIndex(node: Node, index: number): Node[] {
  if (node === 'ANY') return ['ANY'];
  const out: Node[] = [];
  for (const schema of resolve(node)) {
    if (!types(schema).includes('array')) continue;
    const maxItems = typeof schema.maxItems === 'number' ? schema.maxItems : undefined;
    if (maxItems !== undefined && index >= maxItems) continue;
    out.push(schema.items && typeof schema.items === 'object' ? (schema.items as Schema) : 'ANY');
  }
  return out;
}

/**
 * Checks one target path for a resource type. Returns undefined when the path is valid, else why not.
 */
export function checkTargetPath(resourceType: string, path: string): string | undefined {
  const resourceSchema = resourceSchemaName(resourceType);
  if (!resourceSchema) return `'${resourceType}' is not an import resource type.`;
  if (path.length === 0) return 'The target path is empty.';
  if (path.length > MAPPING_LIMITS.maxPathLength) return `The target path is longer than ${MAPPING_LIMITS.maxPathLength} characters.`;
  const segments = path.split('.');
  if (segments.length > MAPPING_LIMITS.maxSegments) return `The target path has more than ${MAPPING_LIMITS.maxSegments} segments.`;

  let nodes: Node[] = [DEFINITIONS[resourceSchema]];
  let walked = '';
  let first = true;
  for (const segment of segments) {
    const match = SEGMENT.exec(segment);
    if (!match) return `'${path}' is not a target path: segment '${segment}' must be a field name optionally followed by [index] (e.g. prices[0]).`;
    const name = match[1];
    if (FORBIDDEN_SEGMENTS.has(name)) return `'${name}' is not allowed in a target path.`;
    const indexes = [...match[2].matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    if (first && name === VARIANT_PREFIX && resourceType === 'product-draft') {
      nodes = [DEFINITIONS[VARIANT_SCHEMA]];
    } else {
      nodes = nodes.flatMap((node) => childByName(node, name));
    }
    first = false;
    walked = walked ? `${walked}.${name}` : name;
    if (nodes.length === 0) return `'${walked}' is not a field of ${resourceType} (target path '${path}').`;
    for (const index of indexes) {
      if (index > MAPPING_LIMITS.maxArrayIndex) return `The array index ${index} in '${path}' is above the maximum of ${MAPPING_LIMITS.maxArrayIndex}.`;
      nodes = nodes.flatMap((node) => childByIndex(node, index));
      walked = `${walked}[${index}]`;
      if (nodes.length === 0) return `'${walked}' is not an array element of ${resourceType} (target path '${path}').`;
    }
  }
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a mapping for a resource type: each entry an object with exactly a non-empty string `extract` and a
 * `generate` that is a target path of the type (see `checkTargetPath`), no target generated twice. Returns every
 * problem (empty when the mapping is valid). `resourceType` must be an import resource type.
 */
export function validateMapping(resourceType: string, mapping: readonly unknown[]): MappingProblem[] {
  if (!resourceSchemaName(resourceType)) throw new TypeError(`validateMapping: '${resourceType}' is not an import resource type`);
  const problems: MappingProblem[] = [];
  if (mapping.length > MAPPING_LIMITS.maxEntries) {
    return [{ index: MAPPING_LIMITS.maxEntries, message: `A mapping has at most ${MAPPING_LIMITS.maxEntries} entries.` }];
  }
  const generatedBy = new Map<string, number>();
  mapping.forEach((entry, index) => {
    if (!isPlainObject(entry)) {
      problems.push({ index, message: 'A mapping entry must be an object {"extract": "...", "generate": "..."}.' });
      return;
    }
    const unknown = Object.keys(entry).filter((name) => name !== 'extract' && name !== 'generate');
    if (unknown.length > 0) problems.push({ index, message: `A mapping entry has only 'extract' and 'generate'; '${unknown[0]}' is not allowed.` });
    const { extract, generate } = entry;
    if (typeof extract !== 'string' || extract.length === 0) {
      problems.push({ index, field: 'extract', message: "'extract' must be a non-empty string (a column name, a column position or a dot path into the record)." });
    } else if (extract.length > MAPPING_LIMITS.maxPathLength) {
      problems.push({ index, field: 'extract', message: `'extract' is longer than ${MAPPING_LIMITS.maxPathLength} characters.` });
    }
    if (typeof generate !== 'string' || generate.length === 0) {
      problems.push({ index, field: 'generate', message: `'generate' must be a non-empty string (a target path of ${resourceType}).` });
      return;
    }
    const problem = checkTargetPath(resourceType, generate);
    if (problem) {
      problems.push({ index, field: 'generate', message: problem });
      return;
    }
    const earlier = generatedBy.get(generate);
    if (earlier !== undefined) problems.push({ index, field: 'generate', message: `The target '${generate}' is already generated by mapping[${earlier}].` });
    else generatedBy.set(generate, index);
  });
  return problems;
}
