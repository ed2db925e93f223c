import { EntityManager } from 'typeorm';
import { ErrorObject } from '../../common/src';
import { KeyReference } from './references';
import { findByKey } from './documents';
import { ImportMoney, resolveReferences, toMoney } from './products/product-model';

/** A custom field as the Import API carries it: typed (`{type: 'String', value: 'x'}`). */
export interface ImportCustomField {
  type: string;
  value: unknown;
}

/** `custom` of an import resource: the Type by key and its typed field values. */
export interface ImportCustom {
  type: KeyReference;
  fields?: Record<string, ImportCustomField>;
}

/** A FieldType of a stored Type (`{name: 'Enum', values: […]}`, `{name: 'Set', elementType}`, …). */
interface FieldType {
  name: string;
  values?: Array<{ key: string }>;
  referenceTypeId?: string;
  elementType?: FieldType;
}

interface FieldDefinition {
  name: string;
  required?: boolean;
  type: FieldType;
}

interface TypeData {
  resourceTypeIds?: string[];
  fieldDefinitions?: FieldDefinition[];
}

export const TYPES_TABLE = 'types';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** Whether one (non-set) value fits a field type. */
function fitsElement(type: FieldType, value: unknown): boolean {
  switch (type.name) {
    case 'Boolean':
      return typeof value === 'boolean';
    case 'String':
      return typeof value === 'string';
    case 'Number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'LocalizedString':
      return isRecord(value) && Object.values(value).every((text) => typeof text === 'string');
    case 'Enum':
    case 'LocalizedEnum':
      return typeof value === 'string' && (type.values ?? []).some((enumValue) => enumValue.key === value);
    case 'Money':
      return isRecord(value) && typeof value.currencyCode === 'string' && Number.isInteger(value.centAmount);
    case 'Date':
      return typeof value === 'string' && DATE.test(value);
    case 'Time':
      return typeof value === 'string' && TIME.test(value);
    case 'DateTime':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'Reference':
      return isRecord(value) && value.typeId === type.referenceTypeId && typeof value.key === 'string';
    default:
      return false;
  }
}

/** Whether an import field (`{type, value}`) fits the field type of its definition. */
function fits(type: FieldType, field: ImportCustomField): boolean {
  if (type.name === 'Set') {
    const element = type.elementType;
    return !!element && field.type === `${element.name}Set` && Array.isArray(field.value) && field.value.every((value) => fitsElement(element, value));
  }
  return field.type === type.name && fitsElement(type, field.value);
}

const typeName = (type: FieldType): string => (type.name === 'Set' && type.elementType ? `Set of ${typeName(type.elementType)}` : type.name);

/**
 * Checks `custom` of an import resource against its Type: the Type must be meant for `typeId` (the commercetools
 * resource type id, e.g. `category`, `inventory-entry`), every field must be defined with a matching type, and
 * required fields must be present. Returns no errors when the Type does not exist (the caller lists the Type in its
 * references, so it does exist by the time it is applied). `path` prefixes the error fields (e.g. `assets.0.custom`).
 */
export async function validateCustomFields(
  manager: EntityManager,
  projectKey: string,
  typeId: string,
  custom: ImportCustom | undefined,
  path = 'custom',
): Promise<ErrorObject[]> {
  if (!custom) return [];
  const row = await findByKey(manager, TYPES_TABLE, projectKey, custom.type.key);
  if (!row) return [];
  const type = row.data as TypeData;
  const errors: ErrorObject[] = [];
  if (type.resourceTypeIds && !type.resourceTypeIds.includes(typeId)) {
    errors.push({
      code: 'InvalidField',
      message: `The type '${custom.type.key}' cannot be used for resources of type '${typeId}' (it is for ${type.resourceTypeIds.join(', ')}).`,
      field: `${path}.type`,
      invalidValue: custom.type,
    });
  }
  const definitions = new Map((type.fieldDefinitions ?? []).map((definition) => [definition.name, definition]));
  const fields = custom.fields ?? {};
  for (const [name, field] of Object.entries(fields)) {
    const definition = definitions.get(name);
    const fieldPath = `${path}.fields.${name}`;
    if (!definition) {
      errors.push({ code: 'InvalidField', message: `The field '${name}' is not defined in type '${custom.type.key}'.`, field: fieldPath, invalidValue: field.value ?? null });
    } else if (!fits(definition.type, field)) {
      errors.push({
        code: 'InvalidField',
        message: `The value ${JSON.stringify(field.value ?? null)} of type '${field.type}' is not valid for field '${name}' of type '${typeName(definition.type)}'.`,
        field: fieldPath,
        invalidValue: field.value ?? null,
      });
    }
  }
  for (const definition of definitions.values()) {
    if (definition.required && !(definition.name in fields)) {
      errors.push({ code: 'RequiredField', message: `The field '${definition.name}' is required by type '${custom.type.key}'.`, field: `${path}.fields.${definition.name}` });
    }
  }
  return errors;
}

function fieldValue(field: ImportCustomField, resolved: Map<string, string>): unknown {
  switch (field.type) {
    case 'Money':
      return toMoney(field.value as ImportMoney);
    case 'MoneySet':
      return (field.value as ImportMoney[]).map(toMoney);
    case 'Reference':
    case 'ReferenceSet':
      return resolveReferences(field.value, resolved);
    default:
      return field.value;
  }
}

/**
 * The commercetools representation of `custom` (`{type: {typeId: 'type', id}, fields: {name: value}}`): plain values,
 * money as TypedMoney, references by id. Needs the Type and any referenced resources in `resolved`.
 */
export function toCustomFields(custom: ImportCustom | undefined, resolved: Map<string, string>): Record<string, unknown> | undefined {
  if (!custom) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(custom.fields ?? {})) fields[name] = fieldValue(field, resolved);
  return { type: resolveReferences(custom.type, resolved), fields };
}
