import fc from 'fast-check';
import { IMPORT_RESOURCE_TYPES } from '../../import/src/validation/import-request.validator';
import { checkTargetPath, MAPPING_LIMITS, resourceSchemaName, validateMapping } from './mapping-targets';

describe('checkTargetPath (the official schema as the list of targets)', () => {
  it.each([
    ['product-draft', 'key'],
    ['product-draft', 'name.en'],
    ['product-draft', 'name.de-DE'],
    ['product-draft', 'slug.en'],
    ['product-draft', 'productType'],
    ['product-draft', 'productType.key'],
    ['product-draft', 'categories[0]'],
    ['product-draft', 'categories[3].key'],
    ['product-draft', 'masterVariant.sku'],
    ['product-draft', 'masterVariant.prices[0].value.centAmount'],
    ['product-draft', 'masterVariant.prices[0].value.currencyCode'],
    ['product-draft', 'masterVariant.prices[0].value.preciseAmount'],
    ['product-draft', 'masterVariant.attributes[0].value'],
    ['product-draft', 'masterVariant.attributes[1].name'],
    ['product-draft', 'masterVariant.images[0].dimensions.w'],
    ['product-draft', 'variants[2].sku'],
    ['product-draft', 'variant.sku'],
    ['product-draft', 'variant.prices[0].value.centAmount'],
    ['product-draft', 'publish'],
    ['product-draft', 'masterVariant'],
    ['category', 'parent'],
    ['category', 'custom.type.key'],
    ['category', 'custom.fields.myField.value'],
    ['category', 'custom.fields.my-field'],
    ['inventory', 'quantityOnStock'],
    ['inventory', 'supplyChannel.key'],
    ['order', 'totalPrice.centAmount'],
    ['order', 'lineItems[0].variant.sku'],
    ['order', 'shippingAddress.country'],
    ['order-patch', 'fields.addDeliveries[0].items[0].quantity'],
    ['product-variant-patch', 'attributes.color.value'],
    ['price', 'value.centAmount'],
    ['customer', 'addresses[0].city'],
  ])('%s accepts %s', (type, path) => {
    expect(checkTargetPath(type, path)).toBeUndefined();
  });

  it.each([
    ['product-draft', 'nope', /'nope' is not a field of product-draft/],
    ['product-draft', 'masterVariant.colour', /'masterVariant.colour' is not a field/],
    ['product-draft', 'masterVariant.sku.more', /'masterVariant.sku.more' is not a field/],
    ['product-draft', 'name.not a locale', /not a field/],
    ['product-draft', 'name[0]', /not an array element/],
    ['product-draft', 'categories.key', /not a field/],
    ['product-draft', 'productType.name', /not a field/],
    ['product-draft', 'masterVariant.prices[1000].key', /above the maximum/],
    ['product-draft', 'masterVariant..sku', /segment ''/],
    ['product-draft', '.key', /segment ''/],
    ['product-draft', 'prices[01]', /segment/],
    ['product-draft', 'prices[-1]', /segment/],
    ['product-draft', 'prices[a]', /segment/],
    ['category', 'custom.fields.__proto__', /not allowed/],
    ['category', 'variant.sku', /'variant' is not a field of category/],
    ['inventory', 'quantityOnStock.value', /not a field/],
  ])('%s rejects %s', (type, path, message) => {
    expect(checkTargetPath(type, path)).toMatch(message);
  });

  it('rejects over-long paths and too many segments', () => {
    expect(checkTargetPath('product-draft', 'a'.repeat(MAPPING_LIMITS.maxPathLength + 1))).toMatch(/longer than/);
    expect(checkTargetPath('category', `custom.fields${'.x'.repeat(MAPPING_LIMITS.maxSegments)}`)).toMatch(/segments/);
  });

  it('knows every import resource type and its `key` or identifying field', () => {
    for (const type of IMPORT_RESOURCE_TYPES) expect(resourceSchemaName(type)).toBeDefined();
    expect(resourceSchemaName('toString')).toBeUndefined();
    expect(resourceSchemaName('constructor')).toBeUndefined();
  });

  it('never throws, whatever the path (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...IMPORT_RESOURCE_TYPES), fc.string({ maxLength: 80 }), (type, path) => {
        const result = checkTargetPath(type, path);
        expect(result === undefined || typeof result === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('every prefix of a valid path is valid (a path may end at an object or array)', () => {
    const valid = ['masterVariant.prices[0].value.centAmount', 'variant.attributes[2].value', 'categories[1].key', 'name.en'];
    for (const path of valid) {
      const segments = path.split('.');
      for (let n = 1; n <= segments.length; n++) expect(checkTargetPath('product-draft', segments.slice(0, n).join('.'))).toBeUndefined();
    }
  });
});

describe('validateMapping', () => {
  it('accepts a well-formed mapping', () => {
    expect(
      validateMapping('product-draft', [
        { extract: 'Handle', generate: 'key' },
        { extract: 'Title', generate: 'name.en' },
        { extract: '3', generate: 'variant.prices[0].value.centAmount' },
      ]),
    ).toEqual([]);
  });

  it('names each bad entry by index and property', () => {
    const problems = validateMapping('product-draft', [
      { extract: 'a', generate: 'key' },
      'not-an-object',
      { extract: '', generate: 'name.en' },
      { extract: 'x', generate: 'masterVariant.colour' },
      { extract: 'y' },
      { extract: 'z', generate: 'key' },
      { extract: 'w', generate: 'slug.en', transform: 'upper' },
      null,
      [],
    ]);
    expect(problems).toEqual([
      { index: 1, message: expect.stringMatching(/must be an object/) },
      { index: 2, field: 'extract', message: expect.stringMatching(/non-empty string/) },
      { index: 3, field: 'generate', message: expect.stringMatching(/'masterVariant.colour' is not a field of product-draft/) },
      { index: 4, field: 'generate', message: expect.stringMatching(/non-empty string/) },
      { index: 5, field: 'generate', message: expect.stringMatching(/already generated by mapping\[0\]/) },
      { index: 6, message: expect.stringMatching(/'transform' is not allowed/) },
      { index: 7, message: expect.stringMatching(/must be an object/) },
      { index: 8, message: expect.stringMatching(/must be an object/) },
    ]);
  });

  it('bounds the number of entries', () => {
    const mapping = Array.from({ length: MAPPING_LIMITS.maxEntries + 1 }, (_, i) => ({ extract: `c${i}`, generate: `custom.fields.f${i}` }));
    expect(validateMapping('category', mapping)).toEqual([{ index: MAPPING_LIMITS.maxEntries, message: expect.stringMatching(/at most/) }]);
  });

  it('refuses an unknown resource type (a caller error)', () => {
    expect(() => validateMapping('nope', [])).toThrow(TypeError);
  });

  it('reports problems, never throws, for arbitrary JSON entries (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...IMPORT_RESOURCE_TYPES), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }), (type, mapping) => {
        const problems = validateMapping(type, mapping);
        for (const problem of problems) {
          expect(problem.index).toBeGreaterThanOrEqual(0);
          expect(problem.index).toBeLessThan(mapping.length);
          expect(typeof problem.message).toBe('string');
        }
      }),
      { numRuns: 500 },
    );
  });
});
