import { collectKeyReferences, uniqueReferences } from './references';

describe('key references', () => {
  it('collects key references anywhere in a resource, but not id references', () => {
    expect(collectKeyReferences({ a: { typeId: 'category', key: 'c' }, b: [{ typeId: 'channel', key: 'x' }, { typeId: 'channel', id: 'y' }] })).toEqual([
      { typeId: 'category', key: 'c' },
      { typeId: 'channel', key: 'x' },
    ]);
  });

  it('keeps one of each reference, in first-seen order', () => {
    expect(uniqueReferences([{ typeId: 'category', key: 'c' }, { typeId: 'channel', key: 'c' }, { typeId: 'category', key: 'c' }])).toEqual([
      { typeId: 'category', key: 'c' },
      { typeId: 'channel', key: 'c' },
    ]);
  });
});
