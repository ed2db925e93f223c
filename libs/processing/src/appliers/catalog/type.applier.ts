import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { TYPES_TABLE } from '../../../../catalog/src/custom-fields';
import { upsertDocument } from '../../../../catalog/src/documents';
import { compact } from '../../../../catalog/src/products/product-model';

interface TypeImport {
  key: string;
  name: Record<string, string>;
  description?: Record<string, string>;
  resourceTypeIds: string[];
  fieldDefinitions?: Array<{ name: string; [field: string]: unknown }>;
}

/** TypeImport → Type (custom field definitions for the listed resource types). */
export const typeApplier: Applier<TypeImport> = {
  resourceType: 'type',
  references: () => [],
  async apply(resource: TypeImport, context: ApplyContext): Promise<ApplyResult> {
    const definitions = resource.fieldDefinitions ?? [];
    const names = definitions.map((definition) => definition.name);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) {
      return {
        state: 'validationFailed',
        errors: [{ code: 'DuplicateField', message: `The field '${duplicate}' is defined twice.`, field: 'fieldDefinitions', duplicateValue: duplicate }],
      };
    }
    const data = compact({ name: resource.name, description: resource.description, resourceTypeIds: resource.resourceTypeIds, fieldDefinitions: definitions });
    const result = await upsertDocument(context.manager, TYPES_TABLE, context.projectKey, resource.key, data);
    if (result.created) context.created('type', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
