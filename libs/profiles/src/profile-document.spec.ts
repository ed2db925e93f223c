import fc from 'fast-check';
import { BadRequest, CtException } from '../../common/src';
import { applyMergePatch } from './merge-patch';
import { changedFields, parseProfileDocument, ProfileDocument } from './profile-document';

const valid: ProfileDocument = {
  key: 'erp-products',
  name: 'ERP',
  resourceType: 'product-draft',
  format: 'csv',
  settings: { delimiter: ';', header: true, errorPolicy: 'rejectAll' },
  mapping: [
    { extract: 'Handle', generate: 'key' },
    { extract: 'Price', generate: 'variant.prices[0].value.centAmount' },
  ],
  metadata: { a: 1 },
};

function errorsOf(run: () => unknown): Array<{ code: string; field?: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof BadRequest) return error.errors as Array<{ code: string; field?: string }>;
    throw error;
  }
  return [];
}

describe('parseProfileDocument', () => {
  it('returns the normalized document; null on optional fields means absent', () => {
    expect(parseProfileDocument(valid, 'create')).toEqual({ document: valid });
    expect(parseProfileDocument({ key: 'ab', resourceType: 'category', name: null, settings: { dryRun: null, cleanup: true } }, 'create')).toEqual({
      document: { key: 'ab', resourceType: 'category', settings: { cleanup: true } },
    });
  });

  it('replace needs a version and tolerates the read-only fields', () => {
    expect(parseProfileDocument({ ...valid, version: 3, id: 'x', createdAt: 'y', lastModifiedAt: 'z' }, 'replace')).toEqual({ document: valid, version: 3 });
    expect(errorsOf(() => parseProfileDocument(valid, 'replace'))).toEqual([expect.objectContaining({ field: 'version', invalidValue: null })]);
    expect(errorsOf(() => parseProfileDocument({ ...valid, version: 1 }, 'create'))).toEqual([expect.objectContaining({ field: 'version' })]);
    expect(errorsOf(() => parseProfileDocument({ ...valid, id: 'x' }, 'merged'))).toEqual([expect.objectContaining({ field: 'id' })]);
  });

  it('names mapping problems mapping[i].generate / .extract / mapping[i]', () => {
    const errors = errorsOf(() => parseProfileDocument({ ...valid, mapping: [{ extract: 'a', generate: 'nope' }, { generate: 'slug.en' }, 5] }, 'create'));
    expect(errors.map((error) => error.field)).toEqual(['mapping[0].generate', 'mapping[1].extract', 'mapping[2]']);
  });

  it('does not check mapping targets against an invalid resource type (the type error stands alone)', () => {
    expect(errorsOf(() => parseProfileDocument({ ...valid, resourceType: 'nope' }, 'create')).map((error) => error.field)).toEqual(['resourceType']);
  });

  it('a non-object body is InvalidJsonInput', () => {
    for (const body of [null, undefined, [], 'x', 1, true]) expect(errorsOf(() => parseProfileDocument(body, 'create'))).toEqual([expect.objectContaining({ code: 'InvalidJsonInput' })]);
  });

  it('delimiter and quote are single characters (a surrogate pair counts as one)', () => {
    expect(parseProfileDocument({ ...valid, settings: { delimiter: '\t', quote: "'" } }, 'create').document.settings).toEqual({ delimiter: '\t', quote: "'" });
    expect(parseProfileDocument({ ...valid, settings: { delimiter: '😀' } }, 'create').document.settings).toEqual({ delimiter: '😀' });
    expect(errorsOf(() => parseProfileDocument({ ...valid, settings: { delimiter: '\r' } }, 'create'))).toHaveLength(1);
  });

  it('random merge patches of a valid profile either give a valid document or a 400 (never another error)', () => {
    const patchValue = fc.oneof(
      fc.constant(null),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom('csv', 'xml', 'category', 'product-draft', ';', 'utf-16le', 'rejectAll', true, false, 'ab', 'a b'),
    );
    const settingsPatch = fc.dictionary(fc.constantFrom('delimiter', 'quote', 'header', 'encoding', 'errorPolicy', 'cleanup', 'dryRun', 'other'), patchValue, { maxKeys: 4 });
    const mappingPatch = fc.array(
      fc.record({ extract: fc.oneof(fc.string({ maxLength: 5 }), fc.constant(null)), generate: fc.constantFrom('key', 'name.en', 'masterVariant.sku', 'variant.sku', 'nope', 'slug', 'parent', '') }, { requiredKeys: [] }),
      { maxLength: 4 },
    );
    const patch = fc.dictionary(
      fc.constantFrom('key', 'name', 'resourceType', 'format', 'settings', 'mapping', 'reference', 'referenceOrigin', 'metadata', 'unknown', 'id'),
      fc.oneof(patchValue, settingsPatch, mappingPatch),
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(patch, (changes) => {
        try {
          const { document } = parseProfileDocument(applyMergePatch(valid, changes), 'merged');
          // What validates is stable: validating it again gives the same document.
          expect(parseProfileDocument(document, 'merged').document).toEqual(document);
        } catch (error) {
          expect(error).toBeInstanceOf(CtException);
          expect((error as CtException).statusCode).toBe(400);
          expect((error as CtException).errors.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('changedFields', () => {
  it('compares by value whatever the key order (jsonb reorders keys)', () => {
    expect(changedFields(valid, { ...valid, metadata: { a: 1 }, settings: { errorPolicy: 'rejectAll', header: true, delimiter: ';' } })).toEqual([]);
    expect(changedFields(valid, { ...valid, name: undefined, mapping: [...valid.mapping!].reverse() })).toEqual(['name', 'mapping']);
  });
});
