import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference } from '../../../../catalog/src/references';
import { AddressIndexes, ImportCustom, addressCustoms, addressFields, customFieldErrors, customFields, idReference, resolvableReferences, storeKeyReference } from '../../../../catalog/src/customers/commerce-support';
import { findByKey, upsertDocument } from '../../../../catalog/src/documents';
import { compact } from '../../../../catalog/src/products/product-model';
import { BUSINESS_UNITS_TABLE } from '../../../../catalog/src/tables';

export interface BusinessUnitImport extends AddressIndexes {
  unitType: 'Company' | 'Division';
  key: string;
  name: string;
  status?: string;
  contactEmail?: string;
  associates?: Array<{ customer: KeyReference; associateRoleAssignments: Array<{ associateRole: KeyReference; inheritance: string }> }>;
  stores?: KeyReference[];
  custom?: ImportCustom;
  storeMode?: string;
  parentUnit?: KeyReference;
  associateMode?: string;
  approvalRuleMode?: string;
}

/**
 * BusinessUnitImport → BusinessUnit (Company or Division), upsert by key. A division waits for its parent
 * unit; its top-level unit is the parent's. Associate roles are kept as key references (Berth holds no
 * associate roles).
 */
export const businessUnitApplier: Applier<BusinessUnitImport> = {
  resourceType: 'business-unit',
  references: (resource) => resolvableReferences(resource),
  async apply(resource: BusinessUnitImport, context: ApplyContext): Promise<ApplyResult> {
    const errors: ErrorObject[] = await customFieldErrors(context, [['business-unit', resource.custom, 'custom'], ...addressCustoms(resource)]);
    const previous = await findByKey(context.manager, BUSINESS_UNITS_TABLE, context.projectKey, resource.key, true);
    if (previous && previous.data.unitType !== resource.unitType) {
      return {
        state: 'rejected',
        errors: [{ code: 'InvalidOperation', message: `The unitType of business unit '${resource.key}' cannot change from '${String(previous.data.unitType)}'.`, field: 'unitType' }],
      };
    }
    let topLevelUnit: KeyReference = { typeId: 'business-unit', key: resource.key };
    if (resource.unitType === 'Division' && resource.parentUnit) {
      if (resource.parentUnit.key === resource.key) {
        errors.push({ code: 'InvalidField', message: 'A business unit cannot be its own parent.', field: 'parentUnit', invalidValue: resource.parentUnit });
      } else {
        const parent = await findByKey(context.manager, BUSINESS_UNITS_TABLE, context.projectKey, resource.parentUnit.key);
        const parentTop = parent?.data.topLevelUnit as KeyReference | undefined;
        if (parentTop?.key === resource.key) {
          errors.push({ code: 'InvalidField', message: 'The parent unit is a division of this business unit.', field: 'parentUnit', invalidValue: resource.parentUnit });
        }
        topLevelUnit = { typeId: 'business-unit', key: parentTop?.key ?? resource.parentUnit.key };
      }
    }
    const division = resource.unitType === 'Division';
    const data = compact({
      unitType: resource.unitType,
      name: resource.name,
      status: resource.status ?? 'Active',
      contactEmail: resource.contactEmail,
      associates: (resource.associates ?? []).map((associate) => ({
        customer: idReference(context, associate.customer),
        associateRoleAssignments: associate.associateRoleAssignments.map((assignment) => ({
          associateRole: { typeId: 'associate-role', key: assignment.associateRole.key },
          inheritance: assignment.inheritance,
        })),
      })),
      ...addressFields(context, resource, previous?.data.addresses as Array<Record<string, unknown>> | undefined, errors),
      stores: (resource.stores ?? []).map(storeKeyReference),
      storeMode: resource.storeMode ?? (division ? 'FromParent' : 'Explicit'),
      custom: customFields(context, resource.custom),
      parentUnit: division && resource.parentUnit ? { typeId: 'business-unit', key: resource.parentUnit.key } : undefined,
      topLevelUnit,
      associateMode: resource.associateMode ?? (division ? 'ExplicitAndFromParent' : 'Explicit'),
      approvalRuleMode: resource.approvalRuleMode ?? (division ? 'ExplicitAndFromParent' : 'Explicit'),
    });
    if (errors.length > 0) return { state: 'validationFailed', errors };
    const result = await upsertDocument(context.manager, BUSINESS_UNITS_TABLE, context.projectKey, resource.key, data);
    if (result.created) context.created('business-unit', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
