import { CtException } from '../../../common/src';
import { RecordMapper, RowGrouper, validateGroup } from './row-processing';
import { convertResource, parseTargetPath, resolveTarget, validateMapping } from './target-paths';

describe('target paths', () => {
  it('parses dotted paths with indexes', () => {
    expect(parseTargetPath('masterVariant.prices[0].value.centAmount')).toEqual(['masterVariant', 'prices', 0, 'value', 'centAmount']);
    expect(parseTargetPath('categories.1')).toEqual(['categories', 1]);
    expect(parseTargetPath('name.en')).toEqual(['name', 'en']);
    expect(parseTargetPath('a..b')).toBeUndefined();
    expect(parseTargetPath('a.')).toBeUndefined();
    expect(parseTargetPath('')).toBeUndefined();
  });

  it('resolves targets by the official schema', () => {
    expect(resolveTarget('product-draft', ['productType'])).toEqual({ kind: 'reference', typeId: 'product-type' });
    expect(resolveTarget('product-draft', ['categories', 0])).toEqual({ kind: 'reference', typeId: 'category' });
    expect(resolveTarget('product-draft', ['masterVariant', 'prices', 0, 'value', 'centAmount'])).toEqual({ kind: 'integer' });
    expect(resolveTarget('product-draft', ['variant', 'sku'])).toEqual({ kind: 'string' });
    expect(resolveTarget('product-draft', ['name', 'de-CH'])).toEqual({ kind: 'string' });
    expect(resolveTarget('inventory', ['quantityOnStock'])).toEqual({ kind: 'integer' });
    expect(resolveTarget('product-draft', ['publish'])).toEqual({ kind: 'boolean' });
    expect(resolveTarget('category', ['nmae'])).toBeUndefined();
    expect(resolveTarget('category', ['variant', 'sku'])).toBeUndefined();
  });

  it('validateMapping names the bad entries', () => {
    expect(validateMapping('category', [{ extract: 'a', generate: 'key' }])).toHaveLength(1);
    const fail = (mapping: unknown) => {
      try {
        validateMapping('category', mapping);
      } catch (error) {
        return (error as CtException).errors.map((e) => e.field);
      }
      throw new Error('expected a 400');
    };
    expect(fail([{ extract: 'a', generate: 'key' }, { extract: 'b', generate: 'nope.x' }])).toEqual(['mapping[1].generate']);
    expect(fail([{ extract: '', generate: 'key', more: 1 }])).toEqual(['mapping[0].more', 'mapping[0].extract']);
    expect(fail({})).toEqual(['mapping']);
  });

  it('converts text to the schema types, key references and a money type', () => {
    const converted = convertResource('product-draft', {
      key: 'p1',
      productType: 'shirt',
      categories: ['c1'],
      publish: 'true',
      masterVariant: { key: 'v1', prices: [{ key: 'pr', value: { centAmount: '1999', currencyCode: 'EUR' } }] },
    });
    expect(converted).toEqual({
      key: 'p1',
      productType: { typeId: 'product-type', key: 'shirt' },
      categories: [{ typeId: 'category', key: 'c1' }],
      publish: true,
      masterVariant: { key: 'v1', prices: [{ key: 'pr', value: { type: 'centPrecision', centAmount: 1999, currencyCode: 'EUR' } }] },
    });
    // Values that do not convert stay as they are (the validator reports them).
    expect(convertResource('inventory', { key: 'i', sku: 's', quantityOnStock: '1.5' })).toEqual({ key: 'i', sku: 's', quantityOnStock: '1.5' });
  });
});

describe('rows to resources', () => {
  const mapper = new RecordMapper('product-draft', 'csv', undefined);
  const rows = [
    { key: 'p1', 'name.en': 'P1', 'slug.en': 'p1', productType: 'shirt', 'variant.key': 'p1-a', 'variant.sku': 'A' },
    { key: 'p1', 'name.en': '', 'slug.en': '', productType: '', 'variant.key': 'p1-b', 'variant.sku': 'B' },
    { key: 'p2', 'name.en': 'P2', 'slug.en': 'p2', productType: 'shirt', 'variant.key': 'p2-a', 'variant.sku': 'C' },
    { key: 'p2', 'name.en': 'Other', 'slug.en': '', productType: '', 'variant.key': 'p2-b', 'variant.sku': 'D' },
  ];

  it('groups consecutive product-draft rows of one key: master variant, then variants', () => {
    const grouper = new RowGrouper('product-draft', mapper);
    const groups = [...rows.map((record, i) => grouper.push({ row: i + 1, record })), grouper.end()].filter((group) => group !== undefined);
    expect(groups.map((group) => group!.rows.map((entry) => entry.row))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    const first = validateGroup('product-draft', groups[0]!);
    expect(first.errors).toEqual([]);
    expect(first.item?.resource).toMatchObject({ key: 'p1', masterVariant: { key: 'p1-a', sku: 'A' }, variants: [{ key: 'p1-b', sku: 'B' }] });
    expect(first.item?.rows).toBe(2);
    const second = validateGroup('product-draft', groups[1]!);
    expect(second.item).toBeUndefined();
    expect(second.errors.map((error) => [error.row, error.field ?? null])).toEqual([
      [3, null],
      [4, 'name'],
    ]);
  });
});
