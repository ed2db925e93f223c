import { DiscountCodeImport, checkDiscountCode } from './discount-code.applier';

const code = (extra: Partial<DiscountCodeImport> = {}): DiscountCodeImport => ({ key: 'd1', code: 'SUMMER', cartDiscounts: [], isActive: true, ...extra });

describe('discount code decisions (pure)', () => {
  it('another holder of the code rejects it as DuplicateField on code', () => {
    expect(checkDiscountCode(code(), 'd0')).toEqual({
      state: 'rejected',
      errors: [{ code: 'DuplicateField', message: "A discount code with code 'SUMMER' already exists.", field: 'code', duplicateValue: 'SUMMER' }],
    });
  });

  it("'validUntil' must be after 'validFrom'", () => {
    const invalid = { state: 'validationFailed', errors: [{ code: 'InvalidField', message: "'validUntil' must be after 'validFrom'.", field: 'validUntil', invalidValue: '2026-01-01T00:00:00Z' }] };
    expect(checkDiscountCode(code({ validFrom: '2026-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }), undefined)).toEqual(invalid);
    expect(checkDiscountCode(code({ validFrom: '2026-06-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }), undefined)).toEqual(invalid);
    expect(checkDiscountCode(code({ validFrom: '2025-12-31T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }), undefined)).toBeUndefined();
    expect(checkDiscountCode(code({ validUntil: '2026-01-01T00:00:00Z' }), undefined)).toBeUndefined();
  });
});
