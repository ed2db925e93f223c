import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { ImportCustom, customFieldErrors, customFields, idReference, resolvableReferences } from '../../../../catalog/src/customers/commerce-support';
import { LocalizedString, compact, sameData } from '../../../../catalog/src/products/product-model';
import { findAssignments, insertSelection, lockByKey, updateSelection } from '../../../../catalog/src/product-selections/product-selections.repository';
import { ResolvedScope } from '../../../../catalog/src/scope';

export interface ProductSelectionImport {
  key: string;
  name: LocalizedString;
  mode?: 'Individual' | 'IndividualExclusion';
  custom?: ImportCustom;
  assignments?: Array<{ product: KeyReference; variantSelection?: { type: string; skus?: string[] }; variantExclusion?: { skus?: string[] } }>;
}

/**
 * Pure: the ProductSelection document and its assignments from the import, or validationFailed with the
 * custom-field errors followed by the assignments' errors (a selection or exclusion that does not fit the mode,
 * a product assigned twice).
 */
export function decideSelection(
  resource: ProductSelectionImport,
  scope: ResolvedScope,
  customErrors: ErrorObject[],
): { result: ApplyResult } | { data: Record<string, unknown>; assignments: Array<Record<string, unknown>> } {
  const mode = resource.mode ?? 'Individual';
  const errors: ErrorObject[] = [...customErrors];
  const seen = new Set<string>();
  const assignments = (resource.assignments ?? []).map((assignment, index) => {
    if (mode === 'Individual' && assignment.variantExclusion) {
      errors.push({ code: 'InvalidField', message: "A variantExclusion needs the mode 'IndividualExclusion'.", field: `assignments.${index}.variantExclusion`, invalidValue: assignment.variantExclusion });
    }
    if (mode === 'IndividualExclusion' && assignment.variantSelection) {
      errors.push({ code: 'InvalidField', message: "A variantSelection needs the mode 'Individual'.", field: `assignments.${index}.variantSelection`, invalidValue: assignment.variantSelection });
    }
    if (seen.has(assignment.product.key)) {
      errors.push({ code: 'DuplicateField', message: `The product '${assignment.product.key}' is assigned twice.`, field: `assignments.${index}.product`, duplicateValue: assignment.product.key });
    }
    seen.add(assignment.product.key);
    return compact({ product: idReference(scope, assignment.product), variantSelection: assignment.variantSelection, variantExclusion: assignment.variantExclusion });
  });
  if (errors.length > 0) return { result: { state: 'validationFailed', errors } };
  return { data: compact({ name: resource.name, productCount: assignments.length, mode, custom: customFields(scope, resource.custom) }), assignments };
}

/**
 * ProductSelectionImport → ProductSelection, upsert by key. The assignments (products with their variant
 * selection or exclusion) are kept beside the document, as commercetools lists them apart
 * (`productCount` is in the document).
 */
export const productSelectionApplier: Applier<ProductSelectionImport> = {
  resourceType: 'product-selection',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: ProductSelectionImport, context: ApplyContext): Promise<ApplyResult> {
    const decision = decideSelection(resource, context, await customFieldErrors(context, [['product-selection', resource.custom, 'custom']]));
    if ('result' in decision) return decision.result;
    const { data, assignments } = decision;

    const existing = await lockByKey(context, resource.key);
    if (!existing) {
      const version = await insertSelection(context, resource.key, data, assignments);
      context.created('product-selection', resource.key);
      return { state: 'imported', resourceVersion: version };
    }
    const current = await findAssignments(context, existing.id);
    if (sameData(existing.data, data) && sameData(current, assignments)) return { state: 'imported', resourceVersion: existing.version };
    return { state: 'imported', resourceVersion: await updateSelection(context, existing.id, data, assignments) };
  },
};
