import { Applier, checkApplierRegistry } from './applier';

const applier = (resourceType: string): Applier => ({ resourceType, references: () => [], apply: () => Promise.resolve({ state: 'imported', resourceVersion: 1 }) });

describe('applier registry', () => {
  it('maps every import type to its applier', () => {
    const registry = checkApplierRegistry([applier('category'), applier('product')], ['category', 'product']);
    expect([...registry.keys()]).toEqual(['category', 'product']);
  });

  it('refuses a type without an applier, naming it', () => {
    expect(() => checkApplierRegistry([applier('category')], ['category', 'order', 'price'])).toThrow("No applier is registered for the import type(s) 'order', 'price'");
  });

  it('refuses two appliers for one type', () => {
    expect(() => checkApplierRegistry([applier('category'), applier('category')], ['category'])).toThrow("Two appliers are registered for the import type 'category'");
  });
});
