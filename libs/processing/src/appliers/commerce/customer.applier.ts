import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { compact, sameData } from '../../../../catalog/src/products/product-model';
import { AddressIndexes, ImportCustom, addressCustoms, addressFields, customFieldErrors, resolvableReferences, customFields, duplicateField, idReference, lockValue, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { hashPassword, verifyPassword } from '../../../../catalog/src/customers/password';
import { CUSTOMERS_TABLE } from '../../../../catalog/src/tables';

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

interface CustomerRow {
  id: string;
  version: number;
  data: Record<string, unknown>;
  password_hash: string | null;
}

/**
 * CustomerImport → Customer, upsert by key. The email is unique (case-insensitively) per project, or per store
 * for customers of stores. Only a scrypt hash of the password is kept, in its own column: never in `data`, so
 * the read API cannot return it.
 */
export const customerApplier: Applier<CustomerImport> = {
  resourceType: 'customer',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: CustomerImport, context: ApplyContext): Promise<ApplyResult> {
    const authenticationMode = resource.authenticationMode ?? 'Password';
    if (authenticationMode === 'Password' && !resource.password) {
      return {
        state: 'validationFailed',
        errors: [{ code: 'InvalidField', message: "The field 'password' is required when 'authenticationMode' is 'Password'.", field: 'password', invalidValue: null }],
      };
    }
    const emailLower = resource.email.toLowerCase();
    const storeKeys = [...new Set((resource.stores ?? []).map((store) => store.key))];
    await lockValue(context, 'customer-email', emailLower);
    const clash = (await context.manager.query(
      `SELECT key FROM ${CUSTOMERS_TABLE}
        WHERE project_key = $1 AND email_lower = $2 AND key <> $3
          AND (cardinality(store_keys) = 0 OR cardinality($4::text[]) = 0 OR store_keys && $4::text[])
        LIMIT 1`,
      [context.projectKey, emailLower, resource.key, storeKeys],
    )) as Array<{ key: string }>;
    if (clash.length > 0) {
      const where = storeKeys.length > 0 ? ' in one of the stores' : '';
      return { state: 'rejected', errors: [duplicateField('email', resource.email, `There is already an existing customer with the email '${resource.email}'${where}.`)] };
    }

    const rows = (await context.manager.query(`SELECT id, version, data, password_hash FROM ${CUSTOMERS_TABLE} WHERE project_key = $1 AND key = $2 FOR UPDATE`, [
      context.projectKey,
      resource.key,
    ])) as CustomerRow[];
    const existing = rows[0];
    const errors: ErrorObject[] = await customFieldErrors(context, [['customer', resource.custom, 'custom'], ...addressCustoms(resource)]);
    const data = customerData(context, resource, authenticationMode, existing?.data, errors);
    if (errors.length > 0) return { state: 'validationFailed', errors };

    let passwordHash: string | null = null;
    if (authenticationMode === 'Password' && resource.password) {
      const keep = existing?.password_hash && (await verifyPassword(resource.password, existing.password_hash));
      passwordHash = keep && existing.password_hash ? existing.password_hash : await hashPassword(resource.password);
    }

    if (!existing) {
      const inserted = (await context.manager.query(
        `INSERT INTO ${CUSTOMERS_TABLE} (project_key, key, data, email_lower, store_keys, password_hash) VALUES ($1, $2, $3, $4, $5, $6) RETURNING version`,
        [context.projectKey, resource.key, JSON.stringify(data), emailLower, storeKeys, passwordHash],
      )) as Array<{ version: number }>;
      context.created('customer', resource.key);
      return { state: 'imported', resourceVersion: inserted[0].version };
    }
    if (sameData(existing.data, data) && existing.password_hash === passwordHash) return { state: 'imported', resourceVersion: existing.version };
    const [updated] = (await context.manager.query(
      `UPDATE ${CUSTOMERS_TABLE} SET data = $3, email_lower = $4, store_keys = $5, password_hash = $6, version = version + 1, last_modified_at = now()
        WHERE project_key = $1 AND id = $2 RETURNING version`,
      [context.projectKey, existing.id, JSON.stringify(data), emailLower, storeKeys, passwordHash],
    )) as [Array<{ version: number }>, number];
    return { state: 'imported', resourceVersion: updated[0].version };
  },
};

function customerData(
  context: ApplyContext,
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
