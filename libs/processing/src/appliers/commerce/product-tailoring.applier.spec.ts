import { ProductTailoringImport, tailoredVariants, tailoringClash, tailoringData } from './product-tailoring.applier';

const SHIRT = '33333333-3333-4333-8333-333333333333';
const scope = { resolved: new Map([['product:shirt', SHIRT], ['store:eu', 'store-id']]) };
const tailoring = (extra: Partial<ProductTailoringImport> = {}): ProductTailoringImport => ({
  key: 't1',
  store: { typeId: 'store', key: 'eu' },
  product: { typeId: 'product', key: 'shirt' },
  name: { en: 'EU shirt' },
  ...extra,
});

describe('product tailoring decisions (pure)', () => {
  it('another tailoring of the same store and product rejects it as DuplicateField on product', () => {
    expect(tailoringClash(tailoring(), undefined)).toBeUndefined();
    expect(tailoringClash(tailoring(), 't0')).toEqual({
      state: 'rejected',
      errors: [{ code: 'DuplicateField', message: "The product is already tailored for store 'eu' by 't0'.", field: 'product', duplicateValue: { typeId: 'product', key: 'shirt' } }],
    });
  });

  it('a SKU the product lacks fails validation on variants.<i>.sku; known SKUs get their variant id', () => {
    const resource = tailoring({ variants: [{ sku: 'SHIRT-M' }, { sku: 'GONE' }] });
    expect(tailoredVariants(resource, scope, [{ variant_id: 2, sku: 'SHIRT-M' }])).toEqual({
      result: { state: 'validationFailed', errors: [{ code: 'InvalidField', message: "The product 'shirt' has no variant with SKU 'GONE'.", field: 'variants.1.sku', invalidValue: 'GONE' }] },
    });
    expect(tailoredVariants(tailoring({ variants: [{ sku: 'SHIRT-M' }] }), scope, [{ variant_id: 2, sku: 'SHIRT-M' }])).toEqual({ variants: [{ id: 2, sku: 'SHIRT-M' }] });
  });

  it('without publish the stored current data stays and the difference is staged; publish makes staged current', () => {
    const previous = { published: true, current: { name: { en: 'Old' } } };
    expect(tailoringData(tailoring(), scope, [], previous)).toEqual({
      store: { typeId: 'store', key: 'eu' },
      product: { typeId: 'product', id: SHIRT },
      published: true,
      current: { name: { en: 'Old' } },
      staged: { name: { en: 'EU shirt' } },
      hasStagedChanges: true,
    });
    expect(tailoringData(tailoring({ publish: true }), scope, [], previous)).toMatchObject({ published: true, current: { name: { en: 'EU shirt' } }, hasStagedChanges: false });
    expect(tailoringData(tailoring(), scope, [], undefined)).toMatchObject({ published: false, current: { name: { en: 'EU shirt' } }, hasStagedChanges: false });
  });
});
