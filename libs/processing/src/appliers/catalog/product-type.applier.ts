import { Applier, ApplyResult, ApplyContext } from '../../applier';
import { upsertDocument } from '../../../../catalog/src/documents';

interface ProductTypeImport {
  key: string;
  name: string;
  description: string;
  attributes?: Array<Record<string, unknown>>;
}

/** ProductTypeImport → ProductType (attribute definitions as commercetools stores them). */
export const productTypeApplier: Applier<ProductTypeImport> = {
  resourceType: 'product-type',
  references: () => [],
  async apply(resource: ProductTypeImport, context: ApplyContext): Promise<ApplyResult> {
    const attributes = (resource.attributes ?? []).map((definition) => ({
      ...definition,
      isRequired: definition.isRequired ?? false,
      attributeConstraint: definition.attributeConstraint ?? 'None',
      isSearchable: definition.isSearchable ?? true,
      inputHint: definition.inputHint ?? 'SingleLine',
      level: definition.level ?? 'Variant',
    }));
    const names = (resource.attributes ?? []).map((definition) => definition.name as string);
    const duplicate = names.find((name, index) => names.indexOf(name) !== index);
    if (duplicate) {
      return { state: 'validationFailed', errors: [{ code: 'DuplicateField', message: `The attribute '${duplicate}' is defined twice.`, field: 'attributes', duplicateValue: duplicate }] };
    }
    const data = { name: resource.name, description: resource.description, attributes };
    const result = await upsertDocument(context.manager, 'product_types', context.projectKey, resource.key, data);
    if (result.created) context.created('product-type', resource.key);
    return { state: 'imported', resourceVersion: result.version };
  },
};
