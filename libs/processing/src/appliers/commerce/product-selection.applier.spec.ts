import { decideSelection } from './product-selection.applier';

const SHIRT = '33333333-3333-4333-8333-333333333333';
const SOCKS = '44444444-4444-4444-8444-444444444444';
const scope = { resolved: new Map([['product:shirt', SHIRT], ['product:socks', SOCKS]]) };
const product = (key: string) => ({ typeId: 'product', key });

describe('product selection decisions (pure)', () => {
  it("builds the document (mode 'Individual' by default, productCount) and the assignments with product ids", () => {
    const decision = decideSelection(
      { key: 's1', name: { en: 'Summer' }, assignments: [{ product: product('shirt'), variantSelection: { type: 'includeOnly', skus: ['SHIRT-M'] } }, { product: product('socks') }] },
      scope,
      [],
    );
    expect(decision).toEqual({
      data: { name: { en: 'Summer' }, productCount: 2, mode: 'Individual' },
      assignments: [{ product: { typeId: 'product', id: SHIRT }, variantSelection: { type: 'includeOnly', skus: ['SHIRT-M'] } }, { product: { typeId: 'product', id: SOCKS } }],
    });
  });

  it("a variantExclusion needs the mode 'IndividualExclusion', a variantSelection the mode 'Individual'", () => {
    expect(decideSelection({ key: 's1', name: { en: 'S' }, assignments: [{ product: product('shirt'), variantExclusion: { skus: ['X'] } }] }, scope, [])).toEqual({
      result: {
        state: 'validationFailed',
        errors: [{ code: 'InvalidField', message: "A variantExclusion needs the mode 'IndividualExclusion'.", field: 'assignments.0.variantExclusion', invalidValue: { skus: ['X'] } }],
      },
    });
    const selection = { type: 'includeOnly', skus: ['X'] };
    expect(decideSelection({ key: 's1', name: { en: 'S' }, mode: 'IndividualExclusion', assignments: [{ product: product('shirt'), variantSelection: selection }] }, scope, [])).toEqual({
      result: { state: 'validationFailed', errors: [{ code: 'InvalidField', message: "A variantSelection needs the mode 'Individual'.", field: 'assignments.0.variantSelection', invalidValue: selection }] },
    });
    expect('data' in decideSelection({ key: 's1', name: { en: 'S' }, mode: 'IndividualExclusion', assignments: [{ product: product('shirt'), variantExclusion: { skus: ['X'] } }] }, scope, [])).toBe(true);
  });

  it('a product assigned twice is a DuplicateField on the second assignment', () => {
    expect(decideSelection({ key: 's1', name: { en: 'S' }, assignments: [{ product: product('shirt') }, { product: product('socks') }, { product: product('shirt') }] }, scope, [])).toEqual({
      result: { state: 'validationFailed', errors: [{ code: 'DuplicateField', message: "The product 'shirt' is assigned twice.", field: 'assignments.2.product', duplicateValue: 'shirt' }] },
    });
  });

  it('custom-field errors come first, then the assignments’ errors', () => {
    const customError = { code: 'InvalidField', message: 'bad custom field', field: 'custom.fields.x' };
    const decision = decideSelection({ key: 's1', name: { en: 'S' }, assignments: [{ product: product('shirt') }, { product: product('shirt') }] }, scope, [customError]);
    expect(decision).toMatchObject({ result: { state: 'validationFailed', errors: [customError, { code: 'DuplicateField', field: 'assignments.1.product' }] } });
  });
});
