import fc from 'fast-check';
import { canonical, compact, sameData } from './product-model';

/** JSON-like values with the shapes the old text round trip had to handle: undefined members and items, -0, non-finite numbers. */
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(fc.constant(undefined), fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.constantFrom(-0, 0, NaN, Infinity), fc.string({ maxLength: 4 })),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('node'), { maxKeys: 4 })),
})).node;

describe('product model: sameData and compact', () => {
  it('sameData(a, b) is canonical(a) === canonical(b), for any pair', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sameData(a, b)).toBe(canonical(a) === canonical(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('sameData holds for a value and a reshuffled or JSON round-tripped copy of it', () => {
    fc.assert(
      fc.property(value, (a) => {
        const text = JSON.stringify(a);
        if (text !== undefined) expect(sameData(a, JSON.parse(text))).toBe(true);
        expect(sameData(a, a)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('compact(v) equals the JSON round trip of v', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 3 }), value, { maxKeys: 5 }), (record) => {
        expect(compact(record)).toEqual(JSON.parse(JSON.stringify(record)));
      }),
      { numRuns: 2000 },
    );
    const date = new Date('2026-12-01T00:00:00.000Z');
    expect(compact({ at: date, list: [undefined, 1], gone: undefined })).toEqual({ at: '2026-12-01T00:00:00.000Z', list: [null, 1] });
  });
});
