import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import fc from 'fast-check';
import { INPUT_LIMITS } from '../../../common/src';
import { approximateChars, FileReadError, inlineRecords, jsonArrayRecords, MAX_RECORD_CHARS } from './record-sources';

/** Runs text (given in pieces of `pieceSize`, to cut tokens anywhere) through the stages; the records, or the error. */
async function read(stages: Transform[], text: string | Iterable<string>, pieceSize = 7): Promise<{ records: unknown[]; error?: Error }> {
  const records: unknown[] = [];
  const pieces = typeof text === 'string' ? Array.from({ length: Math.ceil(text.length / pieceSize) }, (_, i) => text.slice(i * pieceSize, (i + 1) * pieceSize)) : text;
  try {
    await pipeline(Readable.from(pieces, { objectMode: false }), ...(stages as [Transform]), async (source: AsyncIterable<unknown>) => {
      for await (const record of source) records.push(record);
    });
    return { records };
  } catch (error) {
    return { records, error: error as Error };
  }
}

/** Keys that JSON.parse keeps as own properties but an assignment would not (the Assembler assigns). */
const plainKey = fc.string().filter((key) => key !== '__proto__');
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(plainKey, tie('value'), { maxKeys: 4 }),
}));

describe('JSON record readers (bounded while streaming)', () => {
  it('read exactly what JSON.parse reads, however the text is cut (strings, escapes, numbers, nesting)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(plainKey, json.value as fc.Arbitrary<unknown>, { maxKeys: 5 }), { maxLength: 5 }), fc.integer({ min: 1, max: 300 }), async (items, pieceSize) => {
        const text = JSON.stringify(items, null, pieceSize % 3);
        const array = await read(jsonArrayRecords(), text, pieceSize);
        expect(array.error).toBeUndefined();
        expect(array.records).toEqual(JSON.parse(text));
        const { stages, collector } = inlineRecords(1000);
        const inline = await read(stages, JSON.stringify({ before: items[0] ?? null, inputs: items, after: 'x' }), pieceSize);
        expect(inline.error).toBeUndefined();
        expect(inline.records).toEqual(JSON.parse(text));
        expect(collector.options).toEqual(JSON.parse(JSON.stringify({ before: items[0] ?? null, after: 'x' })));
      }),
      { numRuns: 150 },
    );
  });

  it('reassembles long strings and escapes split across chunks of 256 characters', async () => {
    const long = `${'é'.repeat(300)}\n"\\\u0000${'😀'.repeat(200)}`;
    const text = JSON.stringify([{ [long]: long, n: -12.5e-3 }]);
    expect((await read(jsonArrayRecords(), text, 1000)).records).toEqual([{ [long]: long, n: -12.5e-3 }]);
  });

  it('makes a non-object item and an item nested deeper than the limit unreadable records, the others go on', async () => {
    const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
    const text = `[1,"s",null,[],{"a":${deep(INPUT_LIMITS.maxJsonDepth - 1)}},{"a":${deep(INPUT_LIMITS.maxJsonDepth)}},{"ok":true}]`;
    const { records, error } = await read(jsonArrayRecords(), text, 50);
    expect(error).toBeUndefined();
    const notObject = { unreadable: 'The record is not a JSON object.' };
    expect(records.slice(0, 4)).toEqual([notObject, notObject, notObject, notObject]);
    expect(records[4]).toEqual(JSON.parse(`{"a":${deep(INPUT_LIMITS.maxJsonDepth - 1)}}`));
    expect(records[5]).toEqual({ unreadable: `The record is nested deeper than the limit of ${INPUT_LIMITS.maxJsonDepth} levels.` });
    expect(records[6]).toEqual({ ok: true });
  });

  it('fails at an item over MAX_RECORD_CHARS (by one character); an item at the bound passes', async () => {
    // {"s":"…"} counts 2 brackets + 2 + 1 (key) + 2 + n (string).
    const item = (n: number) => `{"s":"${'x'.repeat(n)}"}`;
    const exact = await read(jsonArrayRecords(), `[${item(MAX_RECORD_CHARS - 7)}]`, 65_536);
    expect(exact.error).toBeUndefined();
    expect(exact.records).toHaveLength(1);
    const over = await read(jsonArrayRecords(), `[{"a":1},${item(MAX_RECORD_CHARS - 6)},{"b":2}]`, 65_536);
    expect(over.error).toBeInstanceOf(FileReadError);
    expect(over.error?.message).toBe(`An array item is larger than the limit of ${MAX_RECORD_CHARS} characters.`);
  });

  it('rejects a 200 MB item while it streams: the reader stops within the bound instead of holding it', async () => {
    const piece = 'x'.repeat(65_536);
    let sent = 0;
    function* body(): Generator<string> {
      yield '[{"key":"a","name":{"en":"';
      for (; sent < 200 * 1024 * 1024; sent += piece.length) yield piece;
      yield '"}}]';
    }
    const { error } = await read(jsonArrayRecords(), body());
    expect(error?.message).toBe(`An array item is larger than the limit of ${MAX_RECORD_CHARS} characters.`);
    // Stopped right after the bound (stream buffers aside), not at the end of the body.
    expect(sent).toBeLessThan(4 * MAX_RECORD_CHARS);
    const inline = inlineRecords(10);
    sent = 0;
    function* inlineBody(): Generator<string> {
      yield '{"resourceType":"category","inputs":[{"key":"';
      for (; sent < 200 * 1024 * 1024; sent += piece.length) yield piece;
      yield '"}]}';
    }
    const inlineResult = await read(inline.stages, inlineBody());
    expect(inlineResult.error?.message).toBe(`An item of 'inputs' is larger than the limit of ${MAX_RECORD_CHARS} characters.`);
    expect(sent).toBeLessThan(4 * MAX_RECORD_CHARS);
  });

  it('requires a top-level array (JSON file) or object (inline)', async () => {
    expect((await read(jsonArrayRecords(), '{"a":1}')).error?.message).toBe('The file must be a JSON array of records.');
    expect((await read(jsonArrayRecords(), `"${'x'.repeat(MAX_RECORD_CHARS * 2)}"`, 65_536)).error).toBeInstanceOf(FileReadError);
    expect((await read(inlineRecords(10).stages, '[1]')).error?.message).toBe('The body must be a JSON array of resources or an object with inputs.');
    expect((await read(inlineRecords(1).stages, '{"inputs":[{},{}]}')).error?.message).toBe(`The field 'inputs' has more than the limit of 1 items.`);
  });
});

describe('approximateChars (sizes file-import batches)', () => {
  it('is within a small factor of the JSON length for records of strings and objects, however nested', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é'), maxLength: 40 });
    const record = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, text, fc.boolean(), fc.integer({ min: 0, max: 99999 }), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(record, (value) => {
        const json = JSON.stringify(value).length;
        const approx = approximateChars(value);
        expect(approx).toBeGreaterThanOrEqual(json / 2);
        expect(approx).toBeLessThanOrEqual(json * 8);
      }),
    );
  });

  it('counts a long string by its length, and a deep value without recursion', () => {
    expect(approximateChars({ description: 'd'.repeat(200_000) })).toBeGreaterThan(200_000);
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(approximateChars(deep)).toBeGreaterThan(200_000);
  });
});
