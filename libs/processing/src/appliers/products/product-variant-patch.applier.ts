import { ErrorObject } from '../../../../common/src';
import { Applier, ApplyContext, ApplyResult } from '../../applier';
import { KeyReference, collectKeyReferences } from '../../../../catalog/src/references';
import { convertAttribute } from '../../../../catalog/src/products/attributes';
import { resolvedId } from '../../../../catalog/src/products/product-fields';
import { ImportAttribute, MasterData, ProductVariant, StoredAttribute, distinctVariants, mapVariant, sameData } from '../../../../catalog/src/products/product-model';
import { loadProductType, lockProductById } from '../../../../catalog/src/products/product-store';
import { writeProduct } from './product-imports';

export interface ProductVariantPatch {
  productVariant: KeyReference;
  product?: KeyReference;
  /** Attribute name → new attribute, or null to remove it. */
  attributes?: Record<string, ImportAttribute | null>;
  /** Default true: only the staged projection; false patches current and staged. */
  staged?: boolean;
}

/** ProductVariantPatch: sets or removes only the named attributes of one variant (found by its key). */
export const productVariantPatchApplier: Applier<ProductVariantPatch> = {
  resourceType: 'product-variant-patch',
  references: (resource) => collectKeyReferences(resource),
  async apply(resource: ProductVariantPatch, context: ApplyContext): Promise<ApplyResult> {
    const productId = resolvedId(context, resource.productVariant);
    if (resource.product && resolvedId(context, resource.product) !== productId) {
      return {
        state: 'validationFailed',
        errors: [{ code: 'InvalidField', message: `The variant '${resource.productVariant.key}' does not belong to the product '${resource.product.key}'.`, field: 'product', invalidValue: resource.product }],
      };
    }
    const product = await lockProductById(context, productId);
    if (!product) throw new Error(`product of variant ${resource.productVariant.key} vanished`);
    const productType = await loadProductType(context, product.data.productType.id);
    if (!productType) throw new Error(`product type of ${product.key} vanished`);
    const variant = distinctVariants(product.data).find((candidate) => candidate.key === resource.productVariant.key);
    if (!variant) throw new Error(`variant ${resource.productVariant.key} vanished`);

    const errors: ErrorObject[] = [];
    const updates = new Map<string, StoredAttribute | null>();
    for (const [name, attribute] of Object.entries(resource.attributes ?? {})) {
      const field = `attributes.${name}`;
      if (attribute === null) {
        const definition = productType.attributes.find((candidate) => candidate.name === name);
        if (definition?.isRequired) {
          errors.push({ code: 'InvalidOperation', message: `The required attribute '${name}' cannot be removed.`, field });
        } else {
          updates.set(name, null);
        }
        continue;
      }
      const stored = convertAttribute(name, attribute, productType, field, context.resolved, errors);
      if (stored) updates.set(name, stored);
    }
    if (errors.length > 0) return { state: 'validationFailed', errors };

    const patch = (target: ProductVariant): ProductVariant => {
      const attributes = target.attributes.filter((attribute) => !updates.has(attribute.name) || updates.get(attribute.name) !== null);
      for (const [name, stored] of updates) {
        if (stored === null) continue;
        const index = attributes.findIndex((attribute) => attribute.name === name);
        if (index >= 0) attributes[index] = stored;
        else attributes.push(stored);
      }
      return { ...target, attributes };
    };
    const { masterData } = product.data;
    const staged = mapVariant(masterData.staged, variant.id, patch);
    const current = resource.staged === false ? mapVariant(masterData.current, variant.id, patch) : masterData.current;
    const next: MasterData = { ...masterData, staged, current, hasStagedChanges: !sameData(staged, current) };
    return writeProduct(context, product.key, product, { ...product.data, masterData: next }, productType);
  },
};
