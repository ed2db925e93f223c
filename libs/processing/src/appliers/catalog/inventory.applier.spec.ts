import { InventoryImport, decideEntries, decideEntry, slot } from './inventory.applier';

const CHANNEL_ID = '11111111-1111-4111-8111-111111111111';
const scope = { resolved: new Map([['channel:warehouse', CHANNEL_ID]]) };
const entry = (key: string, sku: string, extra: Partial<InventoryImport> = {}): InventoryImport => ({ key, sku, quantityOnStock: 5, ...extra });
const customError = { code: 'InvalidField', message: 'bad custom field', field: 'custom.fields.x' };

describe('inventory decisions (pure)', () => {
  it('an entry nobody holds is written with its InventoryEntry data and the (sku, channel) it claims', () => {
    const decision = decideEntry(entry('e1', 'SKU-1', { supplyChannel: { typeId: 'channel', key: 'warehouse' }, restockableInDays: 3 }), scope, [], undefined);
    expect(decision).toEqual({
      write: {
        key: 'e1',
        sku: 'SKU-1',
        channelId: CHANNEL_ID,
        data: { sku: 'SKU-1', supplyChannel: { typeId: 'channel', id: CHANNEL_ID }, quantityOnStock: 5, availableQuantity: 5, restockableInDays: 3 },
      },
    });
  });

  it('custom-field errors fail validation with exactly those errors, before any clash', () => {
    expect(decideEntry(entry('e1', 'SKU-1'), scope, [customError], 'other')).toEqual({ result: { state: 'validationFailed', errors: [customError] } });
  });

  it('another holder of the sku without channel rejects it as DuplicateField on sku', () => {
    expect(decideEntry(entry('e2', 'SKU-1'), scope, [], 'e1')).toEqual({
      result: {
        state: 'rejected',
        errors: [{ code: 'DuplicateField', message: "An inventory entry for sku 'SKU-1' and no supply channel already exists (key 'e1').", field: 'sku', duplicateValue: 'SKU-1' }],
      },
    });
  });

  it('another holder of (sku, channel) rejects it as DuplicateField on sku,supplyChannel; holding it itself does not', () => {
    const resource = entry('e2', 'SKU-1', { supplyChannel: { typeId: 'channel', key: 'warehouse' } });
    const rejected = decideEntry(resource, scope, [], 'e1');
    expect(rejected).toEqual({
      result: {
        state: 'rejected',
        errors: [{ code: 'DuplicateField', message: "An inventory entry for sku 'SKU-1' and supply channel 'warehouse' already exists (key 'e1').", field: 'sku,supplyChannel', duplicateValue: 'SKU-1' }],
      },
    });
    expect('write' in decideEntry(resource, scope, [], 'e2')).toBe(true);
  });

  it('in a batch, the first entry to claim a (sku, channel) wins and the later one is rejected naming it', () => {
    const decisions = decideEntries(
      [
        { resource: entry('a', 'SKU-1'), scope, customErrors: [] },
        { resource: entry('b', 'SKU-1'), scope, customErrors: [] },
        { resource: entry('c', 'SKU-1', { supplyChannel: { typeId: 'channel', key: 'warehouse' } }), scope, customErrors: [] },
      ],
      new Map(),
      new Map(),
    );
    expect('write' in decisions[0]).toBe(true);
    expect(decisions[1]).toMatchObject({ result: { state: 'rejected', errors: [{ code: 'DuplicateField', field: 'sku', message: expect.stringContaining("(key 'a')") }] } });
    expect('write' in decisions[2]).toBe(true);
  });

  it('an entry that moves to another sku frees its old one for the entries after it, as one by one', () => {
    const existing = new Map([['a', { sku: 'OLD', supply_channel_id: null }]]);
    const holders = new Map([[slot('OLD', null), 'a']]);
    const decisions = decideEntries(
      [
        { resource: entry('b', 'OLD'), scope, customErrors: [] }, // before a moves: still held by a
        { resource: entry('a', 'NEW'), scope, customErrors: [] },
        { resource: entry('c', 'OLD'), scope, customErrors: [] }, // after: free
      ],
      existing,
      holders,
    );
    expect(decisions[0]).toMatchObject({ result: { state: 'rejected' } });
    expect(decisions[1]).toMatchObject({ write: { key: 'a', sku: 'NEW' } });
    expect(decisions[2]).toMatchObject({ write: { key: 'c', sku: 'OLD' } });
    expect(holders).toEqual(new Map([[slot('NEW', null), 'a'], [slot('OLD', null), 'c']]));
  });

  it('a rejected or invalid entry claims nothing', () => {
    const holders = new Map<string, string>();
    const decisions = decideEntries(
      [
        { resource: entry('a', 'SKU-1'), scope, customErrors: [customError] },
        { resource: entry('b', 'SKU-1'), scope, customErrors: [] },
      ],
      new Map(),
      holders,
    );
    expect(decisions[0]).toEqual({ result: { state: 'validationFailed', errors: [customError] } });
    expect(decisions[1]).toMatchObject({ write: { key: 'b' } });
  });
});
