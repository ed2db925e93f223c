import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { ImportCustom, customFieldErrors, customFields, duplicateField, idReference, lockValue, resolvableReferences } from '../../../../catalog/src/customers/commerce-support';
import { findCodeHolder, upsertDiscountCode } from '../../../../catalog/src/discount-codes/discount-codes.repository';
import { LocalizedString, compact } from '../../../../catalog/src/products/product-model';

export interface DiscountCodeImport {
  key: string;
  code: string;
  name?: LocalizedString;
  description?: LocalizedString;
  cartDiscounts: KeyReference[];
  cartPredicate?: string;
  isActive: boolean;
  maxApplications?: number;
  maxApplicationsPerCustomer?: number;
  groups?: string[];
  validFrom?: string;
  validUntil?: string;
  custom?: ImportCustom;
}

/** Pure: the rejection when another discount code (`holder`, undefined: none) has the code, or the dates' validation. */
export function checkDiscountCode(resource: DiscountCodeImport, holder: string | undefined): ApplyResult | undefined {
  if (holder !== undefined) {
    return { state: 'rejected', errors: [duplicateField('code', resource.code, `A discount code with code '${resource.code}' already exists.`)] };
  }
  if (resource.validFrom && resource.validUntil && Date.parse(resource.validFrom) >= Date.parse(resource.validUntil)) {
    return {
      state: 'validationFailed',
      errors: [{ code: 'InvalidField', message: "'validUntil' must be after 'validFrom'.", field: 'validUntil', invalidValue: resource.validUntil }],
    };
  }
  return undefined;
}

/** DiscountCodeImport → DiscountCode, upsert by key. The code is unique per project. */
export const discountCodeApplier: Applier<DiscountCodeImport> = {
  resourceType: 'discount-code',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: DiscountCodeImport, context: ApplyContext): Promise<ApplyResult> {
    await lockValue(context, 'discount-code', resource.code);
    const invalid = checkDiscountCode(resource, await findCodeHolder(context, resource.code, resource.key));
    if (invalid) return invalid;
    const customErrors = await customFieldErrors(context, [['discount-code', resource.custom, 'custom']]);
    if (customErrors.length > 0) return { state: 'validationFailed', errors: customErrors };
    const data = compact({
      code: resource.code,
      name: resource.name,
      description: resource.description,
      cartDiscounts: resource.cartDiscounts.map((reference) => idReference(context, reference)),
      cartPredicate: resource.cartPredicate,
      isActive: resource.isActive,
      references: [],
      maxApplications: resource.maxApplications,
      maxApplicationsPerCustomer: resource.maxApplicationsPerCustomer,
      groups: resource.groups ?? [],
      validFrom: resource.validFrom,
      validUntil: resource.validUntil,
      applicationVersion: 1,
      custom: customFields(context, resource.custom),
    });
    const result = await upsertDiscountCode(context, resource.key, resource.code, data);
    if (result.created) context.created('discount-code', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
