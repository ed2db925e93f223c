import { ErrorObject } from '../../../common/src';
import { AttributeDefinition, ProductTypeInfo, importTypeOf } from './attributes';
import { ProductData, ProductVariant, StoredAttribute, canonical } from './product-model';

const isProductLevel = (definition: AttributeDefinition) => definition.level === 'Product';

/** Variant-level attributes the product type requires: without them a product cannot get an empty master variant. */
export const requiredVariantAttributes = (productType: ProductTypeInfo): AttributeDefinition[] =>
  productType.attributes.filter((definition) => definition.isRequired === true && !isProductLevel(definition));

/** The variant commercetools gives a product imported without variants (when its type requires no variant attribute). */
export const emptyVariant = (id: number): ProductVariant => ({ id, prices: [], attributes: [], images: [], assets: [] });

/** A stored attribute in the Import API's shape (`{name, type, value}`), as the Duplicate* errors carry it. */
function importAttribute(definition: AttributeDefinition, attribute: StoredAttribute): Record<string, unknown> {
  const plain = (value: unknown) => (value && typeof value === 'object' && 'key' in value && 'label' in value ? (value as { key: unknown }).key : value);
  return { name: attribute.name, type: importTypeOf(definition.type), value: Array.isArray(attribute.value) ? attribute.value.map(plain) : plain(attribute.value) };
}

interface PlacedVariant {
  variant: ProductVariant;
  /** `masterVariant` or `variants.N`, as in a ProductDraft. */
  field: string;
}

const placed = (data: ProductData): PlacedVariant[] => [
  ...(data.masterVariant ? [{ variant: data.masterVariant, field: 'masterVariant' }] : []),
  ...data.variants.map((variant, index) => ({ variant, field: `variants.${index}` })),
];

const describe = (variant: ProductVariant) => `variant ${variant.id}${variant.sku ? ` (sku '${variant.sku}')` : variant.key ? ` (key '${variant.key}')` : ''}`;

/**
 * What the product type's constraints say about one projection of a product: required attributes
 * (`isRequired`, on the product or on every variant by level), and the attribute constraints `SameForAll`,
 * `Unique` and `CombinationUnique` across its variants. Each error names the attribute and the constraint.
 */
export function productTypeConstraintErrors(productType: ProductTypeInfo, data: ProductData): ErrorObject[] {
  const errors: ErrorObject[] = [];
  const variants = placed(data);
  for (const definition of productType.attributes) {
    if (definition.isRequired !== true) continue;
    if (isProductLevel(definition)) {
      if (!(data.attributes ?? []).some((attribute) => attribute.name === definition.name)) {
        errors.push({ code: 'RequiredField', message: `The product attribute '${definition.name}' is required by the product type '${productType.key}'.`, field: `attributes.${definition.name}` });
      }
      continue;
    }
    for (const { variant, field } of variants) {
      if (!variant.attributes.some((attribute) => attribute.name === definition.name)) {
        errors.push({
          code: 'RequiredField',
          message: `The attribute '${definition.name}' is required by the product type '${productType.key}' and missing on ${describe(variant)}.`,
          field: `${field}.attributes.${definition.name}`,
        });
      }
    }
  }
  const valueOf = (variant: ProductVariant, name: string) => variant.attributes.find((attribute) => attribute.name === name);
  for (const definition of productType.attributes) {
    if (isProductLevel(definition)) continue;
    if (definition.attributeConstraint === 'SameForAll' && variants.length > 1) {
      // A missing required value is reported once, as RequiredField.
      const compared = definition.isRequired === true ? variants.filter(({ variant }) => valueOf(variant, definition.name)) : variants;
      const reference = canonical(compared.length > 0 ? (valueOf(compared[0].variant, definition.name)?.value ?? null) : null);
      const differing = compared.find(({ variant }) => canonical(valueOf(variant, definition.name)?.value ?? null) !== reference);
      if (differing) {
        errors.push({
          code: 'InvalidField',
          message: `The attribute '${definition.name}' has the constraint SameForAll: ${describe(differing.variant)} has a value different from the master variant's.`,
          field: `${differing.field}.attributes.${definition.name}`,
          invalidValue: valueOf(differing.variant, definition.name)?.value ?? null,
        });
      }
    }
    if (definition.attributeConstraint === 'Unique') {
      const seen = new Set<string>();
      for (const { variant } of variants) {
        const attribute = valueOf(variant, definition.name);
        if (!attribute) continue;
        const value = canonical(attribute.value);
        if (seen.has(value)) {
          errors.push({
            code: 'DuplicateAttributeValue',
            message: `The attribute '${definition.name}' has the constraint Unique, but ${describe(variant)} repeats the value of another variant.`,
            attribute: importAttribute(definition, attribute),
          });
          break;
        }
        seen.add(value);
      }
    }
  }
  const combination = productType.attributes.filter((definition) => definition.attributeConstraint === 'CombinationUnique' && !isProductLevel(definition));
  if (combination.length > 0) {
    const seen = new Set<string>();
    for (const { variant } of variants) {
      const values = combination.map((definition) => valueOf(variant, definition.name));
      // Variants without any of the combined attributes take no part in the combination.
      if (values.every((attribute) => attribute === undefined)) continue;
      const signature = canonical(values.map((attribute) => attribute?.value ?? null));
      if (seen.has(signature)) {
        errors.push({
          code: 'DuplicateAttributeValues',
          message: `The attributes ${combination.map((definition) => `'${definition.name}'`).join(', ')} have the constraint CombinationUnique, but ${describe(variant)} repeats the combination of another variant.`,
          attributes: combination.flatMap((definition, index) => (values[index] ? [importAttribute(definition, values[index])] : [])),
        });
        break;
      }
      seen.add(signature);
    }
  }
  return errors;
}
