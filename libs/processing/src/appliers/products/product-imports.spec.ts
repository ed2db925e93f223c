import { saveOutcome } from './product-imports';

describe('product save outcomes', () => {
  const recorder = () => {
    const created: string[] = [];
    return { created, context: { created: (typeId: string, key: string) => void created.push(`${typeId}:${key}`) } };
  };

  it('a saved product is imported with its version, and what the save created is recorded for waking', () => {
    const { created, context } = recorder();
    const saved = { state: 'saved' as const, version: 3, created: [{ typeId: 'product', key: 'p' }, { typeId: 'product-variant', key: 'v1' }] };
    expect(saveOutcome(context, saved)).toEqual({ state: 'imported', resourceVersion: 3 });
    expect(created).toEqual(['product:p', 'product-variant:v1']);
  });

  it('constraint errors fail validation, clashes are rejected, and neither records anything', () => {
    const { created, context } = recorder();
    const errors = [{ code: 'DuplicateField', message: 'taken', field: 'sku' }];
    expect(saveOutcome(context, { state: 'invalid', errors })).toEqual({ state: 'validationFailed', errors });
    expect(saveOutcome(context, { state: 'clash', errors })).toEqual({ state: 'rejected', errors });
    expect(created).toEqual([]);
  });
});
