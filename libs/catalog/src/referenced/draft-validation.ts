import Ajv, { type ErrorObject as AjvError, type ValidateFunction } from 'ajv';
import { ErrorObject, invalidField } from '../../../common/src';
import { KEY_SCHEMA, ReferencedResourceDefinition } from './referenced-resources';

/**
 * Draft validation of the referenced-only resources: each definition's schema compiled once with ajv. Valid drafts
 * come back cleaned (unknown fields dropped, defaults filled in); problems come back as commercetools `InvalidField`
 * errors with `field` (dotted path) and `invalidValue` (`null` when the field is missing).
 */
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  strictTypes: false, // `anyOf: [{required}]` branches (reference by key or id) name properties declared one level up
  strictRequired: false,
  messages: false, // messages are built below, commercetools style
  useDefaults: true,
  removeAdditional: true, // only where a schema says `additionalProperties: false`
});

const compiled = new Map<string, ValidateFunction>();

function validatorFor(definition: ReferencedResourceDefinition): ValidateFunction {
  let validate = compiled.get(definition.path);
  if (!validate) {
    const draft = definition.draft as { properties?: Record<string, unknown>; required?: string[] };
    validate = ajv.compile({ ...draft, properties: { ...draft.properties, key: KEY_SCHEMA }, required: [...new Set(['key', ...(draft.required ?? [])])] });
    compiled.set(definition.path, validate);
  }
  return validate;
}

/** Compiles every definition's validator now (start-up) rather than on first use. */
export function compileDraftValidators(definitions: ReferencedResourceDefinition[]): void {
  for (const definition of definitions) validatorFor(definition);
}

export type DraftValidation = { valid: true; draft: Record<string, unknown> } | { valid: false; errors: ErrorObject[] };

export function validateDraft(definition: ReferencedResourceDefinition, input: unknown): DraftValidation {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { valid: false, errors: [{ code: 'InvalidJsonInput', message: `The ${definition.name} draft must be a JSON object.` }] };
  }
  // ajv fills in defaults and drops unknown fields in place: work on a copy, never on the caller's object.
  const draft = structuredClone(input) as Record<string, unknown>;
  const validate = validatorFor(definition);
  if (validate(draft)) return { valid: true, draft };
  return { valid: false, errors: toInvalidFields(validate.errors ?? [], draft) };
}

function toInvalidFields(errors: AjvError[], draft: Record<string, unknown>): ErrorObject[] {
  const byField = new Map<string, ErrorObject>();
  for (const error of errors) {
    // The branches of `anyOf` (reference by key or id) explain nothing on their own; the anyOf error does.
    if (error.schemaPath.includes('/anyOf/')) continue;
    const segments = pointerSegments(error.instancePath);
    let field = segments.join('.');
    let invalidValue = valueAt(draft, segments);
    let message: string | undefined;
    const extra: Record<string, unknown> = {};
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty;
      field = field ? `${field}.${missing}` : missing;
      invalidValue = null;
      message = `The required field '${field}' is missing.`;
    } else if (error.propertyName !== undefined) {
      // a bad map key, e.g. a locale of a LocalizedString
      invalidValue = error.propertyName;
      message = `The key '${error.propertyName}' is not valid for field '${field}'.`;
    } else if (error.keyword === 'propertyNames') {
      continue; // reported by its inner error, which carries the offending key
    } else if (error.keyword === 'enum') {
      extra.allowedValues = (error.params as { allowedValues: unknown[] }).allowedValues;
    }
    if (!byField.has(field)) byField.set(field, invalidField(field, invalidValue, message, extra));
  }
  return [...byField.values()];
}

function pointerSegments(pointer: string): string[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(root: unknown, segments: string[]): unknown {
  let value = root;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return null;
    value = (value as Record<string, unknown>)[segment];
  }
  return value === undefined ? null : value;
}
