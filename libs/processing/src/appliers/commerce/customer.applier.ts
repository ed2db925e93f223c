import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { compact, sameData } from '../../../../catalog/src/products/product-model';
import { AddressIndexes, ImportCustom, addressCustoms, addressFields, customFieldErrors, resolvableReferences, customFields, duplicateField, idReference, lockValue, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { hashPassword, verifyPassword } from '../../../../catalog/src/customers/password';
import { CustomerWrite, StoredCustomer, findEmailHolder, insertCustomer, lockByKey, updateCustomer } from '../../../../catalog/src/customers/customers.repository';
import { ResolvedScope } from '../../../../catalog/src/scope';

export interface CustomerImport extends AddressIndexes {
  key: string;
  customerNumber?: string;
  email: string;
  password?: string;
  stores?: KeyReference[];
  firstName?: string;
  lastName?: string;
  middleName?: string;
  title?: string;
  salutation?: string;
  externalId?: string;
  dateOfBirth?: string;
  companyName?: string;
  vatId?: string;
  isEmailVerified?: boolean;
  customerGroup?: KeyReference;
  locale?: string;
  custom?: ImportCustom;
  authenticationMode?: 'Password' | 'ExternalAuth';
}

const authenticationModeOf = (resource: CustomerImport) => resource.authenticationMode ?? 'Password';

/** Pure: the import's own validation (before anything is read): a password is required in 'Password' mode. */
export function checkCustomer(resource: CustomerImport): ApplyResult | undefined {
  if (authenticationModeOf(resource) === 'Password' && !resource.password) {
    return {
      state: 'validationFailed',
      errors: [{ code: 'InvalidField', message: "The field 'password' is required when 'authenticationMode' is 'Password'.", field: 'password', invalidValue: null }],
    };
  }
  return undefined;
}

/** The distinct keys of the stores a customer belongs to. */
export const storeKeysOf = (resource: CustomerImport): string[] => [...new Set((resource.stores ?? []).map((store) => store.key))];

/** Pure: the rejection when another customer (`holder`, undefined: none) holds the email. */
export function emailClash(resource: CustomerImport, holder: string | undefined): ApplyResult | undefined {
  if (holder === undefined) return undefined;
  const where = storeKeysOf(resource).length > 0 ? ' in one of the stores' : '';
  return { state: 'rejected', errors: [duplicateField('email', resource.email, `There is already an existing customer with the email '${resource.email}'${where}.`)] };
}

/**
 * Pure: the Customer document from the import and the stored customer's data (address ids are kept by address
 * key), or validationFailed with the custom-field errors followed by the address-index errors.
 */
export function decideCustomer(
  resource: CustomerImport,
  scope: ResolvedScope,
  previous: Record<string, unknown> | undefined,
  customErrors: ErrorObject[],
): { result: ApplyResult } | { data: Record<string, unknown> } {
  const errors = [...customErrors];
  const data = customerData(scope, resource, authenticationModeOf(resource), previous, errors);
  if (errors.length > 0) return { result: { state: 'validationFailed', errors } };
  return { data };
}

/** Pure: whether a write would leave the stored customer as it is (then its version stays). */
export const unchanged = (existing: StoredCustomer, write: CustomerWrite): boolean => sameData(existing.data, write.data) && existing.password_hash === write.passwordHash;

/**
 * CustomerImport → Customer, upsert by key. The email is unique (case-insensitively) per project, or per store
 * for customers of stores. Only a scrypt hash of the password is kept, in its own column: never in `data`, so
 * the read API cannot return it.
 */
export const customerApplier: Applier<CustomerImport> = {
  resourceType: 'customer',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: CustomerImport, context: ApplyContext): Promise<ApplyResult> {
    const invalid = checkCustomer(resource);
    if (invalid) return invalid;
    const emailLower = resource.email.toLowerCase();
    const storeKeys = storeKeysOf(resource);
    await lockValue(context, 'customer-email', emailLower);
    const clash = emailClash(resource, await findEmailHolder(context, emailLower, resource.key, storeKeys));
    if (clash) return clash;

    const existing = await lockByKey(context, resource.key);
    const customErrors = await customFieldErrors(context, [['customer', resource.custom, 'custom'], ...addressCustoms(resource)]);
    const decision = decideCustomer(resource, context, existing?.data, customErrors);
    if ('result' in decision) return decision.result;

    let passwordHash: string | null = null;
    if (authenticationModeOf(resource) === 'Password' && resource.password) {
      const keep = existing?.password_hash && (await verifyPassword(resource.password, existing.password_hash));
      passwordHash = keep && existing.password_hash ? existing.password_hash : await hashPassword(resource.password);
    }
    const write: CustomerWrite = { data: decision.data, emailLower, storeKeys, passwordHash };

    if (!existing) {
      const version = await insertCustomer(context, resource.key, write);
      context.created('customer', resource.key);
      return { state: 'imported', resourceVersion: version };
    }
    if (unchanged(existing, write)) return { state: 'imported', resourceVersion: existing.version };
    return { state: 'imported', resourceVersion: await updateCustomer(context, existing.id, write) };
  },
};

function customerData(
  context: ResolvedScope,
  resource: CustomerImport,
  authenticationMode: string,
  previous: Record<string, unknown> | undefined,
  errors: ErrorObject[],
): Record<string, unknown> {
  const custom = customFields(context, resource.custom);
  return compact({
    customerNumber: resource.customerNumber,
    email: resource.email,
    firstName: resource.firstName,
    lastName: resource.lastName,
    middleName: resource.middleName,
    title: resource.title,
    salutation: resource.salutation,
    dateOfBirth: resource.dateOfBirth,
    companyName: resource.companyName,
    vatId: resource.vatId,
    ...addressFields(context, resource, previous?.addresses as Array<Record<string, unknown>> | undefined, errors),
    isEmailVerified: resource.isEmailVerified ?? false,
    externalId: resource.externalId,
    customerGroup: resource.customerGroup ? idReference(context, resource.customerGroup) : undefined,
    custom,
    locale: resource.locale,
    stores: (resource.stores ?? []).map(storeKeyReference),
    authenticationMode,
  });
}
