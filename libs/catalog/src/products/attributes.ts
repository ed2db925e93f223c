import { ErrorObject } from '../../../common/src';
import { ImportAttribute, ImportMoney, StoredAttribute, resolveReferences, toMoney } from './product-model';

export interface AttributeTypeDefinition {
  name: string;
  elementType?: AttributeTypeDefinition;
  values?: Array<{ key: string; label: unknown }>;
  referenceTypeId?: string;
}

export interface AttributeDefinition {
  name: string;
  type: AttributeTypeDefinition;
  isRequired?: boolean;
  attributeConstraint?: string;
  level?: string;
}

export interface ProductTypeInfo {
  id: string;
  key: string;
  attributes: AttributeDefinition[];
}

/** The Import API's attribute `type` matching a definition: `text`, `enum`, `text-set`, … */
export function importTypeOf(type: AttributeTypeDefinition): string {
  if (type.name === 'set' && type.elementType) return `${importTypeOf(type.elementType)}-set`;
  return type.name;
}

/** Localized strings of a patch may carry `null` to drop a locale. */
function withoutNullLocales(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, text]) => text !== null));
}

function elementValue(elementType: string, definition: AttributeTypeDefinition, value: unknown, resolved: Map<string, string>): unknown {
  switch (elementType) {
    case 'enum':
    case 'lenum': {
      const match = definition.values?.find((candidate) => candidate.key === value);
      return match ? { key: match.key, label: match.label } : value;
    }
    case 'money':
      return toMoney(value as ImportMoney);
    case 'ltext':
      return withoutNullLocales(value);
    case 'reference':
      return resolveReferences(value, resolved);
    default:
      return value;
  }
}

/** What is wrong with one value against its (element) definition, if anything. */
function elementProblem(elementType: string, definition: AttributeTypeDefinition, value: unknown): { message: string; allowedValues?: unknown[] } | undefined {
  if (elementType === 'enum' || elementType === 'lenum') {
    const allowed = (definition.values ?? []).map((candidate) => candidate.key);
    if (!allowed.includes(value as string)) return { message: `The value '${String(value)}' is not a defined enum value.`, allowedValues: allowed };
  }
  if (elementType === 'reference' && definition.referenceTypeId && value && typeof value === 'object') {
    const typeId = (value as { typeId?: unknown }).typeId;
    if (typeId !== definition.referenceTypeId) return { message: `The reference must have typeId '${definition.referenceTypeId}', not '${String(typeId)}'.`, allowedValues: [definition.referenceTypeId] };
  }
  return undefined;
}

/**
 * Validates one imported attribute against the product type and converts it to the stored
 * `{name, value}` (enum keys become `{key, label}`, money gets its fraction digits, references
 * become `{typeId, id}`). `field` names the attribute in errors, e.g. `masterVariant.attributes.color`.
 */
export function convertAttribute(
  name: string,
  attribute: ImportAttribute,
  productType: ProductTypeInfo,
  field: string,
  resolved: Map<string, string>,
  errors: ErrorObject[],
): StoredAttribute | undefined {
  const definition = productType.attributes.find((candidate) => candidate.name === name);
  if (!definition) {
    errors.push({ code: 'InvalidField', message: `The attribute '${name}' is not defined on the product type '${productType.key}'.`, field, invalidValue: attribute.value });
    return undefined;
  }
  const expected = importTypeOf(definition.type);
  if (attribute.type !== expected) {
    errors.push({
      code: 'InvalidField',
      message: `The attribute '${name}' has type '${expected}' on the product type '${productType.key}', not '${attribute.type}'.`,
      field,
      invalidValue: attribute.value,
      allowedValues: [expected],
    });
    return undefined;
  }
  const isSet = definition.type.name === 'set';
  const elementDefinition = isSet && definition.type.elementType ? definition.type.elementType : definition.type;
  const elementType = elementDefinition.name;
  const values = isSet ? (attribute.value as unknown[]) : [attribute.value];
  for (const value of values) {
    const problem = elementProblem(elementType, elementDefinition, value);
    if (problem) {
      errors.push({ code: 'InvalidField', message: `Attribute '${name}': ${problem.message}`, field, invalidValue: value, ...(problem.allowedValues ? { allowedValues: problem.allowedValues } : {}) });
      return undefined;
    }
  }
  const converted = values.map((value) => elementValue(elementType, elementDefinition, value, resolved));
  return { name, value: isSet ? converted : converted[0] };
}

/** Converts an attribute list (the last of equally named attributes wins). */
export function convertAttributes(
  attributes: ImportAttribute[] | undefined,
  productType: ProductTypeInfo,
  fieldPrefix: string,
  resolved: Map<string, string>,
  errors: ErrorObject[],
): StoredAttribute[] {
  const byName = new Map<string, StoredAttribute>();
  for (const attribute of attributes ?? []) {
    const name = attribute.name ?? '';
    const stored = convertAttribute(name, attribute, productType, `${fieldPrefix}.${name}`, resolved, errors);
    if (stored) byName.set(name, stored);
  }
  return [...byName.values()];
}
