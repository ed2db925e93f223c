import { randomBytes } from 'node:crypto';
import { ErrorObject } from '../../../common/src';
import { KeyReference, collectKeyReferences } from '../references';
import { CatalogScope, ResolvedScope } from '../scope';
import { ImportCustom, toCustomFields, validateCustomFields } from '../custom-fields';
import { ImportMoney, compact, toMoney } from '../products/product-model';

/**
 * Helpers the commerce appliers (customers, discount codes, orders, business units, product selections and
 * tailorings) share: references by id, custom fields, addresses with ids, money.
 */

/** Reference typeIds Berth keeps no table for: left as key references in stored data instead of waiting forever. */
const UNRESOLVABLE_TYPE_IDS = new Set(['associate-role', 'payment', 'cart', 'key-value-document', 'price']);

/** The references an import needs resolved: every `{typeId, key}` in it, except those of types Berth cannot hold. */
export const resolvableReferences = (resource: object): KeyReference[] =>
  collectKeyReferences(resource).filter((reference) => !UNRESOLVABLE_TYPE_IDS.has(reference.typeId));

export interface IdReference {
  typeId: string;
  id: string;
}

/** A resolved `{typeId, id}` (the processor resolved every reference `references()` returned before `apply`). */
export function idReference(context: ResolvedScope, reference: KeyReference): IdReference {
  const id = context.resolved.get(`${reference.typeId}:${reference.key}`);
  if (!id) throw new Error(`reference ${reference.typeId}:${reference.key} was not resolved`);
  return { typeId: reference.typeId, id };
}

/** Store references stay key references in commercetools representations (`StoreKeyReference`). */
export const storeKeyReference = (reference: KeyReference): KeyReference => ({ typeId: 'store', key: reference.key });

export const money = (value: ImportMoney): Record<string, unknown> => toMoney(value);

/** Money inside any nested value: objects with `currencyCode` + `centAmount` get their defaulted `fractionDigits`. */
export function normalizeMoney(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeMoney);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.currencyCode === 'string' && typeof record.centAmount === 'number') {
      return toMoney({ type: (record.type as string | undefined) ?? 'centPrecision', ...record } as unknown as ImportMoney);
    }
    return Object.fromEntries(Object.entries(record).map(([key, nested]) => [key, normalizeMoney(nested)]));
  }
  return value;
}

export type { ImportCustom };

/** ImportCustom (`{type:{key}, fields:{name:{type, value}}}`) → CustomFields (`{type:{typeId, id}, fields:{name: value}}`). */
export const customFields = (context: ResolvedScope, custom: ImportCustom | undefined): Record<string, unknown> | undefined => toCustomFields(custom, context.resolved);

/**
 * Errors of custom fields against their Types: `entries` are `[commercetools resource typeId, custom, field path]`
 * (e.g. `['address', address.custom, 'addresses.0.custom']`).
 */
export async function customFieldErrors(context: CatalogScope, entries: Array<[string, ImportCustom | undefined, string]>): Promise<ErrorObject[]> {
  const errors: ErrorObject[] = [];
  for (const [typeId, custom, path] of entries) {
    if (custom) errors.push(...(await validateCustomFields(context.manager, context.projectKey, typeId, custom, path)));
  }
  return errors;
}

/** Address ids as commercetools makes them: short random strings, kept across re-imports for the same address key. */
export const newAddressId = (): string => randomBytes(6).toString('base64url');

export interface AddressIndexes {
  addresses?: Array<Record<string, unknown>>;
  defaultShippingAddress?: number;
  shippingAddresses?: number[];
  defaultBillingAddress?: number;
  billingAddresses?: number[];
}

/** The custom fields of a draft's addresses, as customFieldErrors entries. */
export const addressCustoms = (resource: AddressIndexes): Array<[string, ImportCustom | undefined, string]> =>
  (resource.addresses ?? []).map((address, index) => ['address', address.custom as ImportCustom | undefined, `addresses.${index}.custom`]);

/**
 * Addresses with ids (reused by key from the previous version) and the address fields of a Customer or
 * BusinessUnit, from the draft's indexes into `addresses`. The default addresses are part of the id lists, as
 * commercetools keeps them.
 */
export function addressFields(
  context: ResolvedScope,
  draft: AddressIndexes,
  previous: Array<Record<string, unknown>> | undefined,
  errors: ErrorObject[],
): Record<string, unknown> {
  const addresses = (draft.addresses ?? []).map((address, index) => {
    // Same address as before: same key, or (without keys) same position, so re-imports keep ids and versions.
    const known =
      typeof address.key === 'string'
        ? previous?.find((candidate) => candidate.key === address.key)
        : previous?.[index] && previous[index].key === undefined
          ? previous[index]
          : undefined;
    const custom = customFields(context, address.custom as ImportCustom | undefined);
    const id = typeof address.id === 'string' ? address.id : ((known?.id as string | undefined) ?? newAddressId());
    return compact({ ...address, id, ...(custom ? { custom } : {}) });
  });
  const idAt = (field: string, index: number | undefined): string | undefined => {
    if (index === undefined) return undefined;
    if (!Number.isInteger(index) || index < 0 || index >= addresses.length) {
      errors.push({ code: 'InvalidField', message: `The value '${index}' is not valid for field '${field}': there is no address at that index.`, field, invalidValue: index });
      return undefined;
    }
    return addresses[index].id as string;
  };
  const defaultShippingAddressId = idAt('defaultShippingAddress', draft.defaultShippingAddress);
  const defaultBillingAddressId = idAt('defaultBillingAddress', draft.defaultBillingAddress);
  const ids = (field: string, indexes: number[] | undefined, defaultId: string | undefined): string[] => {
    const list = (indexes ?? []).map((index, position) => idAt(`${field}.${position}`, index)).filter((id): id is string => id !== undefined);
    if (defaultId !== undefined && !list.includes(defaultId)) list.push(defaultId);
    return [...new Set(list)];
  };
  return {
    addresses,
    ...(defaultShippingAddressId !== undefined ? { defaultShippingAddressId } : {}),
    ...(defaultBillingAddressId !== undefined ? { defaultBillingAddressId } : {}),
    shippingAddressIds: ids('shippingAddresses', draft.shippingAddresses, defaultShippingAddressId),
    billingAddressIds: ids('billingAddresses', draft.billingAddresses, defaultBillingAddressId),
  };
}

/** Serializes writers of one unique value (e.g. a customer email) for the rest of the transaction. */
export async function lockValue(context: CatalogScope, namespace: string, value: string): Promise<void> {
  await context.manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${context.projectKey}/${namespace}/${value}`]);
}

export const duplicateField = (field: string, value: unknown, message: string): ErrorObject => ({ code: 'DuplicateField', message, field, duplicateValue: value });
