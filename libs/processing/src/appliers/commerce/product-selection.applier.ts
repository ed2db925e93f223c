import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { ImportCustom, customFieldErrors, customFields, idReference, resolvableReferences } from '../../../../catalog/src/customers/commerce-support';
import { findByKey } from '../../../../catalog/src/documents';
import { LocalizedString, compact, sameData } from '../../../../catalog/src/products/product-model';
import { PRODUCT_SELECTIONS_TABLE } from '../../../../catalog/src/tables';

export interface ProductSelectionImport {
  key: string;
  name: LocalizedString;
  mode?: 'Individual' | 'IndividualExclusion';
  custom?: ImportCustom;
  assignments?: Array<{ product: KeyReference; variantSelection?: { type: string; skus?: string[] }; variantExclusion?: { skus?: string[] } }>;
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
    const mode = resource.mode ?? 'Individual';
    const errors: ErrorObject[] = await customFieldErrors(context, [['product-selection', resource.custom, 'custom']]);
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
      return compact({ product: idReference(context, assignment.product), variantSelection: assignment.variantSelection, variantExclusion: assignment.variantExclusion });
    });
    if (errors.length > 0) return { state: 'validationFailed', errors };
    const data = compact({ name: resource.name, productCount: assignments.length, mode, custom: customFields(context, resource.custom) });

    const existing = await findByKey(context.manager, PRODUCT_SELECTIONS_TABLE, context.projectKey, resource.key, true);
    if (!existing) {
      const rows = (await context.manager.query(`INSERT INTO ${PRODUCT_SELECTIONS_TABLE} (project_key, key, data, assignments) VALUES ($1, $2, $3, $4) RETURNING version`, [
        context.projectKey,
        resource.key,
        JSON.stringify(data),
        JSON.stringify(assignments),
      ])) as Array<{ version: number }>;
      context.created('product-selection', resource.key);
      return { state: 'imported', resourceVersion: rows[0].version };
    }
    const [current] = (await context.manager.query(`SELECT assignments FROM ${PRODUCT_SELECTIONS_TABLE} WHERE project_key = $1 AND id = $2`, [context.projectKey, existing.id])) as Array<{
      assignments: unknown;
    }>;
    if (sameData(existing.data, data) && sameData(current.assignments, assignments)) return { state: 'imported', resourceVersion: existing.version };
    const [updated] = (await context.manager.query(
      `UPDATE ${PRODUCT_SELECTIONS_TABLE} SET data = $3, assignments = $4, version = version + 1, last_modified_at = now() WHERE project_key = $1 AND id = $2 RETURNING version`,
      [context.projectKey, existing.id, JSON.stringify(data), JSON.stringify(assignments)],
    )) as [Array<{ version: number }>, number];
    return { state: 'imported', resourceVersion: updated[0].version };
  },
};
