import { ProductTypeInfo } from './attributes';
import { emptyVariant, productTypeConstraintErrors, requiredVariantAttributes } from './product-constraints';
import { ProductData, ProductVariant } from './product-model';

const type: ProductTypeInfo = {
  id: 't',
  key: 'shirt',
  attributes: [
    { name: 'brand', type: { name: 'text' }, isRequired: true, attributeConstraint: 'SameForAll' },
    { name: 'ean', type: { name: 'text' }, attributeConstraint: 'Unique' },
    { name: 'color', type: { name: 'enum' }, attributeConstraint: 'CombinationUnique' },
    { name: 'size', type: { name: 'text' }, attributeConstraint: 'CombinationUnique' },
    { name: 'origin', type: { name: 'text' }, isRequired: true, level: 'Product' },
  ],
};
const variant = (id: number, attributes: Record<string, unknown>): ProductVariant => ({
  ...emptyVariant(id),
  sku: `sku-${id}`,
  attributes: Object.entries(attributes).map(([name, value]) => ({ name, value })),
});
const data = (variants: ProductVariant[], origin = true): ProductData => ({
  name: { en: 'x' },
  slug: { en: 'x' },
  categories: [],
  categoryOrderHints: {},
  searchKeywords: {},
  ...(origin ? { attributes: [{ name: 'origin', value: 'DE' }] } : {}),
  masterVariant: variants[0],
  variants: variants.slice(1),
});

describe('product-type constraints (pure)', () => {
  it('accepts data meeting every constraint', () => {
    expect(productTypeConstraintErrors(type, data([variant(1, { brand: 'a', ean: '1', color: { key: 'red', label: 'Red' }, size: 'S' }), variant(2, { brand: 'a', ean: '2', color: { key: 'red', label: 'Red' }, size: 'M' })]))).toEqual([]);
  });

  it('names a missing required variant attribute and a missing product attribute', () => {
    const errors = productTypeConstraintErrors(type, data([variant(1, { brand: 'a' }), variant(2, {})], false));
    expect(errors.map((error) => [error.code, error.field])).toEqual([
      ['RequiredField', 'variants.0.attributes.brand'],
      ['RequiredField', 'attributes.origin'],
    ]);
  });

  it('reports SameForAll, Unique and CombinationUnique with the attribute', () => {
    const errors = productTypeConstraintErrors(type, data([variant(1, { brand: 'a', ean: '1', color: 'red', size: 'S' }), variant(2, { brand: 'b', ean: '1', color: 'red', size: 'S' })]));
    expect(errors.map((error) => error.code)).toEqual(['InvalidField', 'DuplicateAttributeValue', 'DuplicateAttributeValues']);
    expect(errors[0]).toMatchObject({ field: 'variants.0.attributes.brand', invalidValue: 'b' });
    expect(errors[1]).toMatchObject({ attribute: { name: 'ean', type: 'text', value: '1' } });
    expect(errors[2]).toMatchObject({ attributes: [{ name: 'color', value: 'red' }, { name: 'size', value: 'S' }] });
  });

  it('knows which types need variant attributes (no empty master variant for them)', () => {
    expect(requiredVariantAttributes(type).map((definition) => definition.name)).toEqual(['brand']);
  });
});
