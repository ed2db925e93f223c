import { checkInput, INPUT_LIMITS } from './input-limits';

describe('checkInput', () => {
  const nested = (depth: number): unknown => {
    let v: unknown = 'leaf';
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v];
    return v;
  };

  it('passes ordinary bodies, scalars and paired surrogates', () => {
    expect(checkInput({ type: 'product-draft', resources: [{ key: 'k', name: { en: 'x 😀' }, n: 1, b: true, z: null }] })).toBeUndefined();
    expect(checkInput('text')).toBeUndefined();
    expect(checkInput(42)).toBeUndefined();
    expect(checkInput(undefined)).toBeUndefined();
    expect(checkInput(nested(INPUT_LIMITS.maxJsonDepth))).toBeUndefined();
  });

  it('finds and describes every kind of problem (the lean pass only decides that one may exist)', () => {
    expect(checkInput(nested(INPUT_LIMITS.maxJsonDepth + 1))?.code).toBe('InvalidJsonInput');
    expect(checkInput(nested(100_000))?.code).toBe('InvalidJsonInput');
    expect(checkInput({ resources: [{ key: 'a\u0000b' }] })).toMatchObject({ field: 'resources.0.key', invalidValue: 'a\u0000b', resourceIndex: 0 });
    expect(checkInput({ resources: [{}, { name: { en: 'x\ud800' } }] })).toMatchObject({ field: 'resources.1.name.en', resourceIndex: 1 });
    expect(checkInput({ resources: [{ ['k\u0000']: 1 }] })).toMatchObject({ field: 'resources.0', resourceIndex: 0 });
    expect(checkInput({ s: 'x'.repeat(INPUT_LIMITS.maxStringLength + 1) })).toMatchObject({ code: 'InvalidInput', field: 's' });
    expect(checkInput({ ['k'.repeat(INPUT_LIMITS.maxKeyLength + 1)]: 1 })?.message).toContain('longer than');
    expect(checkInput({ a: new Array(INPUT_LIMITS.maxArrayLength + 1).fill(0) })).toMatchObject({ field: 'a' });
    expect(checkInput({ o: Object.fromEntries(Array.from({ length: INPUT_LIMITS.maxObjectKeys + 1 }, (_, i) => [`k${i}`, i])) })).toMatchObject({ field: 'o' });
    expect(checkInput('a\u0000')).toMatchObject({ field: '' });
    expect(checkInput(['x'.repeat(INPUT_LIMITS.maxStringLength + 1)])).toMatchObject({ field: '0' });
  });
});
