import fc from 'fast-check';
import { nestingExceeds } from './raw-json';

const depthOf = (value: unknown): number =>
  value !== null && typeof value === 'object' ? 1 + Math.max(0, ...Object.values(value as Record<string, unknown>).map(depthOf)) : 0;

describe('nestingExceeds', () => {
  it('counts the nesting of any JSON text as the parsed depth (strings with brackets, quotes and escapes included)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 9 }), (value, limit) => {
        const text = Buffer.from(JSON.stringify(value) ?? 'null');
        expect(nestingExceeds(text, limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 500 },
    );
  });

  it('ignores brackets inside strings', () => {
    expect(nestingExceeds(Buffer.from(JSON.stringify({ a: '[[[[{{{{\\"[[' })), 1)).toBe(false);
    expect(nestingExceeds(Buffer.from('[[[]]]'), 2)).toBe(true);
  });
});
