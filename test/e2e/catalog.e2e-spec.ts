import { inventoryApplier } from '../../libs/processing/src/appliers/catalog/inventory.applier';
import { standalonePriceApplier } from '../../libs/processing/src/appliers/catalog/standalone-price.applier';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

describe('catalog basics: categories, types, inventory and standalone prices', () => {
  let t: TestApp;
  const project = 'test';
  const container = 'catalog';

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: container }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Imports resources of one type and returns their operation ids. */
  const importResources = async (path: string, type: string, ...resources: unknown[]) => {
    const res = await t.http.post(`/${project}/${path}/import-containers/${container}`).set(t.auth).send({ type, resources });
    expect(res.status).toBe(201);
    return res.body.operationStatus.map((s: { operationId: string }) => s.operationId) as string[];
  };
  const operation = async (id: string) => (await t.http.get(`/${project}/import-operations/${id}`).set(t.auth)).body;
  const read = async (path: string, key: string) => {
    const res = await t.http.get(`/${project}/${path}/key=${key}`).set(t.auth);
    expect(res.status).toBe(200);
    return res.body;
  };
  const category = (key: string, extra: Record<string, unknown> = {}) => ({ key, name: { en: `Category ${key}` }, slug: { en: `slug-${key}`, de: `de-slug-${key}` }, ...extra });
  const parent = (key: string) => ({ parent: { typeId: 'category', key } });
  const eur = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'EUR', centAmount });

  describe('categories', () => {
    it('imports a 3-level tree child first: unresolved until the parents arrive, then all imported with ancestors', async () => {
      const [leaf] = await importResources('categories', 'category', category('leaf', parent('middle')));
      await drain(t);
      expect(await operation(leaf)).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'category', key: 'middle' }] });

      const [middle] = await importResources('categories', 'category', category('middle', parent('root')));
      await drain(t);
      expect(await operation(middle)).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'category', key: 'root' }] });

      const [root] = await importResources('categories', 'category', category('root', { orderHint: '0.5', externalId: 'ext-root', description: { en: 'The root' } }));
      await drain(t);
      for (const id of [root, middle, leaf]) expect(await operation(id)).toMatchObject({ state: 'imported', resourceVersion: 1 });

      const rootCategory = await read('categories', 'root');
      const middleCategory = await read('categories', 'middle');
      const leafCategory = await read('categories', 'leaf');
      expect(rootCategory).toMatchObject({ key: 'root', version: 1, ancestors: [], orderHint: '0.5', externalId: 'ext-root', description: { en: 'The root' } });
      expect(rootCategory.parent).toBeUndefined();
      expect(middleCategory).toMatchObject({ parent: { typeId: 'category', id: rootCategory.id }, ancestors: [{ typeId: 'category', id: rootCategory.id }] });
      expect(leafCategory).toMatchObject({
        name: { en: 'Category leaf' },
        slug: { en: 'slug-leaf', de: 'de-slug-leaf' },
        parent: { typeId: 'category', id: middleCategory.id },
        ancestors: [
          { typeId: 'category', id: rootCategory.id },
          { typeId: 'category', id: middleCategory.id },
        ],
      });
      expect(typeof leafCategory.orderHint).toBe('string');
      expect((await t.http.get(`/${project}/categories/${leafCategory.id}`).set(t.auth)).body.key).toBe('leaf');
      const list = await t.http.get(`/${project}/categories`).set(t.auth);
      expect(list.body).toMatchObject({ total: 3, count: 3 });
    });

    it('keeps the version on an unchanged re-import and bumps it on a change', async () => {
      const [same] = await importResources('categories', 'category', category('leaf', parent('middle')));
      await drain(t);
      expect(await operation(same)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      const [changed] = await importResources('categories', 'category', category('leaf', { ...parent('middle'), metaTitle: { en: 'Leaf' } }));
      await drain(t);
      expect(await operation(changed)).toMatchObject({ state: 'imported', resourceVersion: 2 });
      expect(await read('categories', 'leaf')).toMatchObject({ version: 2, metaTitle: { en: 'Leaf' } });
    });

    it('rejects a slug already used by another category in the same locale (DuplicateField), and allows it elsewhere', async () => {
      const [clash] = await importResources('categories', 'category', { key: 'copycat', name: { en: 'Copy' }, slug: { fr: 'unique-fr', de: 'de-slug-root' } });
      const [otherLocale] = await importResources('categories', 'category', { key: 'other-locale', name: { en: 'Other' }, slug: { fr: 'de-slug-root' } });
      await drain(t);
      const rejected = await operation(clash);
      expect(rejected).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'slug', duplicateValue: 'de-slug-root', locale: 'de' }] });
      expect(rejected.errors[0].message).toContain("'de'");
      expect((await t.http.get(`/${project}/categories/key=copycat`).set(t.auth)).status).toBe(404);
      expect(await operation(otherLocale)).toMatchObject({ state: 'imported' });
      // The slug a category frees becomes available to others.
      const [rename] = await importResources('categories', 'category', { key: 'other-locale', name: { en: 'Other' }, slug: { fr: 'renamed' } });
      await drain(t);
      expect(await operation(rename)).toMatchObject({ state: 'imported', resourceVersion: 2 });
      const [reuse] = await importResources('categories', 'category', { key: 'reuser', name: { en: 'Reuser' }, slug: { fr: 'de-slug-root' } });
      await drain(t);
      expect(await operation(reuse)).toMatchObject({ state: 'imported' });
    });

    it('moves a category: its ancestors and those of its descendants follow', async () => {
      await importResources('categories', 'category', category('other-root'));
      await drain(t);
      const [move] = await importResources('categories', 'category', category('middle', parent('other-root')));
      await drain(t);
      expect(await operation(move)).toMatchObject({ state: 'imported', resourceVersion: 2 });
      const otherRoot = await read('categories', 'other-root');
      const middle = await read('categories', 'middle');
      expect(middle.ancestors).toEqual([{ typeId: 'category', id: otherRoot.id }]);
      expect((await read('categories', 'leaf')).ancestors).toEqual([
        { typeId: 'category', id: otherRoot.id },
        { typeId: 'category', id: middle.id },
      ]);
      // A parent below the category itself would make a cycle.
      const [cycle] = await importResources('categories', 'category', category('middle', parent('leaf')));
      await drain(t);
      expect(await operation(cycle)).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'parent' }] });
    });
  });

  describe('custom types and custom fields', () => {
    const categoryType = {
      key: 'category-fields',
      name: { en: 'Category fields' },
      resourceTypeIds: ['category'],
      fieldDefinitions: [
        { name: 'note', type: { name: 'String' }, label: { en: 'Note' }, required: false, inputHint: 'SingleLine' },
        { name: 'rank', type: { name: 'Number' }, label: { en: 'Rank' }, required: false },
        { name: 'season', type: { name: 'Enum', values: [{ key: 'summer', label: 'Summer' }] }, label: { en: 'Season' }, required: false },
        { name: 'tags', type: { name: 'Set', elementType: { name: 'String' } }, label: { en: 'Tags' }, required: false },
        { name: 'deposit', type: { name: 'Money' }, label: { en: 'Deposit' }, required: false },
        { name: 'related', type: { name: 'Reference', referenceTypeId: 'category' }, label: { en: 'Related' }, required: false },
      ],
    };
    const custom = (fields: Record<string, unknown>) => ({ custom: { type: { typeId: 'type', key: 'category-fields' }, fields } });

    it('imports a type, readable through the read API', async () => {
      const [typeOperation] = await importResources('types', 'type', categoryType);
      await drain(t);
      expect(await operation(typeOperation)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await read('types', 'category-fields')).toMatchObject({
        key: 'category-fields',
        version: 1,
        resourceTypeIds: ['category'],
        fieldDefinitions: expect.arrayContaining([expect.objectContaining({ name: 'note', type: { name: 'String' } })]),
      });
    });

    it('imports a category with valid custom fields, converted to commercetools values', async () => {
      const [valid] = await importResources(
        'categories',
        'category',
        category('with-custom', {
          ...custom({
            note: { type: 'String', value: 'hello' },
            rank: { type: 'Number', value: 3 },
            season: { type: 'Enum', value: 'summer' },
            tags: { type: 'StringSet', value: ['a', 'b'] },
            deposit: { type: 'Money', value: eur(500) },
            related: { type: 'Reference', value: { typeId: 'category', key: 'root' } },
          }),
        }),
      );
      await drain(t);
      expect(await operation(valid)).toMatchObject({ state: 'imported' });
      const type = await read('types', 'category-fields');
      const root = await read('categories', 'root');
      expect((await read('categories', 'with-custom')).custom).toEqual({
        type: { typeId: 'type', id: type.id },
        fields: {
          note: 'hello',
          rank: 3,
          season: 'summer',
          tags: ['a', 'b'],
          deposit: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 500, fractionDigits: 2 },
          related: { typeId: 'category', id: root.id },
        },
      });
    });

    it('fails validation for a wrong field type or an unknown field, naming the field', async () => {
      const [wrongType] = await importResources('categories', 'category', category('bad-custom', custom({ rank: { type: 'String', value: 'three' } })));
      const [unknown] = await importResources('categories', 'category', category('unknown-custom', custom({ colour: { type: 'String', value: 'red' } })));
      const [badEnum] = await importResources('categories', 'category', category('bad-enum', custom({ season: { type: 'Enum', value: 'winter' } })));
      await drain(t);
      expect(await operation(wrongType)).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'custom.fields.rank', invalidValue: 'three' }] });
      expect(await operation(unknown)).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'custom.fields.colour' }] });
      expect(await operation(badEnum)).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'custom.fields.season' }] });
      expect((await t.http.get(`/${project}/categories/key=bad-custom`).set(t.auth)).status).toBe(404);
    });

    it('fails validation for a type meant for other resources and for a missing required field', async () => {
      const [wrongResource] = await importResources('inventories', 'inventory', { key: 'inv-custom', sku: 'sku-custom', quantityOnStock: 1, ...custom({ note: { type: 'String', value: 'x' } }) });
      await importResources('types', 'type', {
        key: 'strict-type',
        name: { en: 'Strict' },
        resourceTypeIds: ['category', 'asset'],
        fieldDefinitions: [{ name: 'code', type: { name: 'String' }, label: { en: 'Code' }, required: true }],
      });
      await drain(t);
      const strict = { type: { typeId: 'type', key: 'strict-type' }, fields: {} };
      const asset = { key: 'img', name: { en: 'Image' }, sources: [{ uri: 'https://example.com/a.png' }], custom: strict };
      const [missingRequired] = await importResources('categories', 'category', category('strict-category', { assets: [asset] }));
      await drain(t);
      expect(await operation(wrongResource)).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'custom.type' }] });
      expect(await operation(missingRequired)).toMatchObject({ state: 'validationFailed', errors: [{ code: 'RequiredField', field: 'assets.0.custom.fields.code' }] });
    });

    it('waits for a custom type that does not exist yet', async () => {
      const [waiting] = await importResources('categories', 'category', category('later-custom', { custom: { type: { typeId: 'type', key: 'later-type' }, fields: { flag: { type: 'Boolean', value: true } } } }));
      await drain(t);
      expect(await operation(waiting)).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'type', key: 'later-type' }] });
      await importResources('types', 'type', {
        key: 'later-type',
        name: { en: 'Later' },
        resourceTypeIds: ['category'],
        fieldDefinitions: [{ name: 'flag', type: { name: 'Boolean' }, label: { en: 'Flag' }, required: true }],
      });
      await drain(t);
      expect(await operation(waiting)).toMatchObject({ state: 'imported' });
      expect((await read('categories', 'later-custom')).custom.fields).toEqual({ flag: true });
    });
  });

  describe('inventory', () => {
    it('imports inventory entries with and without a supply channel, readable at /inventory', async () => {
      await t.dataSource.query(`INSERT INTO channels (project_key, key, data) VALUES ('test', 'ch-1', '{"roles":["InventorySupply"]}')`);
      const [plain, withChannel] = await importResources(
        'inventories',
        'inventory',
        { key: 'inv-1', sku: 'sku-1', quantityOnStock: 15, restockableInDays: 2, expectedDelivery: '2022-06-30T14:00:00.000Z' },
        { key: 'inv-1-ch', sku: 'sku-1', quantityOnStock: 4, supplyChannel: { typeId: 'channel', key: 'ch-1' } },
      );
      await drain(t);
      expect(await operation(plain)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await operation(withChannel)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      const [channel] = (await t.dataSource.query(`SELECT id FROM channels WHERE project_key = 'test' AND key = 'ch-1'`)) as Array<{ id: string }>;
      expect(await read('inventory', 'inv-1')).toMatchObject({ key: 'inv-1', version: 1, sku: 'sku-1', quantityOnStock: 15, availableQuantity: 15, restockableInDays: 2, expectedDelivery: '2022-06-30T14:00:00.000Z' });
      expect(await read('inventory', 'inv-1-ch')).toMatchObject({ sku: 'sku-1', quantityOnStock: 4, availableQuantity: 4, supplyChannel: { typeId: 'channel', id: channel.id } });
      expect((await t.http.get(`/${project}/inventory`).set(t.auth)).body.total).toBe(2);
    });

    it('keeps the version when unchanged, bumps it on a change', async () => {
      const [same] = await importResources('inventories', 'inventory', { key: 'inv-1', sku: 'sku-1', quantityOnStock: 15, restockableInDays: 2, expectedDelivery: '2022-06-30T14:00:00.000Z' });
      await drain(t);
      expect(await operation(same)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      const [changed] = await importResources('inventories', 'inventory', { key: 'inv-1', sku: 'sku-1', quantityOnStock: 20 });
      await drain(t);
      expect(await operation(changed)).toMatchObject({ state: 'imported', resourceVersion: 2 });
      expect(await read('inventory', 'inv-1')).toMatchObject({ version: 2, quantityOnStock: 20, availableQuantity: 20 });
    });

    it('rejects a second entry for the same sku and supply channel under another key', async () => {
      const [duplicate, duplicateChannel] = await importResources(
        'inventories',
        'inventory',
        { key: 'inv-dup', sku: 'sku-1', quantityOnStock: 1 },
        { key: 'inv-dup-ch', sku: 'sku-1', quantityOnStock: 1, supplyChannel: { typeId: 'channel', key: 'ch-1' } },
      );
      await drain(t);
      expect(await operation(duplicate)).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', duplicateValue: 'sku-1' }] });
      expect(await operation(duplicateChannel)).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', duplicateValue: 'sku-1' }] });
    });

    it('a batch of entries ends as one by one in accept order: new, unchanged, changed, clashes with stored and earlier entries, a freed sku taken', async () => {
      await importResources('inventories', 'inventory', { key: 'b-stay', sku: 'b-sku-stay', quantityOnStock: 1 }, { key: 'b-move', sku: 'b-sku-old', quantityOnStock: 1 });
      await drain(t);
      const ids = await importResources(
        'inventories',
        'inventory',
        { key: 'b-new-1', sku: 'b-sku-new', quantityOnStock: 3 },
        { key: 'b-stay', sku: 'b-sku-stay', quantityOnStock: 1 },
        { key: 'b-clash-stored', sku: 'b-sku-stay', quantityOnStock: 1 },
        { key: 'b-clash-earlier', sku: 'b-sku-new', quantityOnStock: 1 },
        { key: 'b-move', sku: 'b-sku-moved', quantityOnStock: 2 },
        { key: 'b-takes-freed', sku: 'b-sku-old', quantityOnStock: 5 },
        { key: 'b-other-channel', sku: 'b-sku-new', quantityOnStock: 7, supplyChannel: { typeId: 'channel', key: 'ch-1' } },
      );
      // Settled set-wise: the one-by-one path (also the fallback when the set-wise one throws) is not taken.
      const oneByOne = jest.spyOn(inventoryApplier, 'apply');
      await drain(t);
      expect(oneByOne).not.toHaveBeenCalled();
      oneByOne.mockRestore();
      const settled = await Promise.all(ids.map(operation));
      expect(settled.map((o) => [o.state, o.resourceVersion ?? o.errors?.[0]?.duplicateValue])).toEqual([
        ['imported', 1],
        ['imported', 1],
        ['rejected', 'b-sku-stay'],
        ['rejected', 'b-sku-new'],
        ['imported', 2],
        ['imported', 1],
        ['imported', 1],
      ]);
      expect(settled[3].errors[0].message).toContain(`(key 'b-new-1')`);
      expect(await read('inventory', 'b-move')).toMatchObject({ version: 2, sku: 'b-sku-moved', quantityOnStock: 2 });
      expect(await read('inventory', 'b-takes-freed')).toMatchObject({ version: 1, sku: 'b-sku-old', quantityOnStock: 5 });
      expect((await t.http.get(`/${project}/inventory/key=b-clash-earlier`).set(t.auth)).status).toBe(404);
    });

    it('waits for a supply channel that does not exist yet', async () => {
      const [waiting] = await importResources('inventories', 'inventory', { key: 'inv-2', sku: 'sku-2', quantityOnStock: 1, supplyChannel: { typeId: 'channel', key: 'ch-missing' } });
      await drain(t);
      expect(await operation(waiting)).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'channel', key: 'ch-missing' }] });
    });
  });

  describe('standalone prices', () => {
    it('a batch of prices is written set-wise: new ones created, unchanged ones keep their version, changed ones bump it', async () => {
      const price = (key: string, centAmount: number) => ({ key, sku: `sku-${key}`, value: eur(centAmount) });
      await importResources('standalone-prices', 'standalone-price', price('spb-same', 100), price('spb-change', 100));
      await drain(t);
      const ids = await importResources('standalone-prices', 'standalone-price', price('spb-new', 1), price('spb-same', 100), price('spb-change', 200));
      const oneByOne = jest.spyOn(standalonePriceApplier, 'apply');
      await drain(t);
      expect(oneByOne).not.toHaveBeenCalled();
      oneByOne.mockRestore();
      expect((await Promise.all(ids.map(operation))).map((o) => [o.state, o.resourceVersion])).toEqual([
        ['imported', 1],
        ['imported', 1],
        ['imported', 2],
      ]);
      expect(await read('standalone-prices', 'spb-change')).toMatchObject({ version: 2, sku: 'sku-spb-change', value: { centAmount: 200 } });
      expect(await read('standalone-prices', 'spb-new')).toMatchObject({ version: 1, sku: 'sku-spb-new', value: { centAmount: 1 } });
    });
    it('imports a standalone price with TypedMoney, tiers and active defaulting to true', async () => {
      const [price] = await importResources('standalone-prices', 'standalone-price', {
        key: 'sp-1',
        sku: 'sku-1',
        value: eur(100),
        country: 'DE',
        channel: { typeId: 'channel', key: 'ch-1' },
        validFrom: '2024-01-01T00:00:00.000Z',
        tiers: [{ minimumQuantity: 10, value: eur(90) }],
      });
      await drain(t);
      expect(await operation(price)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      const [channel] = (await t.dataSource.query(`SELECT id FROM channels WHERE project_key = 'test' AND key = 'ch-1'`)) as Array<{ id: string }>;
      expect(await read('standalone-prices', 'sp-1')).toMatchObject({
        key: 'sp-1',
        version: 1,
        sku: 'sku-1',
        value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 100, fractionDigits: 2 },
        country: 'DE',
        channel: { typeId: 'channel', id: channel.id },
        validFrom: '2024-01-01T00:00:00.000Z',
        tiers: [{ minimumQuantity: 10, value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 90, fractionDigits: 2 } }],
        active: true,
      });
    });

    it('keeps the version when unchanged, bumps it on a change', async () => {
      const base = { key: 'sp-2', sku: 'sku-2', value: { type: 'centPrecision', currencyCode: 'JPY', centAmount: 500 } };
      const [first] = await importResources('standalone-prices', 'standalone-price', base);
      await drain(t);
      const [same] = await importResources('standalone-prices', 'standalone-price', base);
      await drain(t);
      const [changed] = await importResources('standalone-prices', 'standalone-price', { ...base, active: false });
      await drain(t);
      expect(await operation(first)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await operation(same)).toMatchObject({ state: 'imported', resourceVersion: 1 });
      expect(await operation(changed)).toMatchObject({ state: 'imported', resourceVersion: 2 });
      expect(await read('standalone-prices', 'sp-2')).toMatchObject({ version: 2, active: false, value: { currencyCode: 'JPY', centAmount: 500, fractionDigits: 0 } });
    });
  });

  it('authorizes the read API by scope', async () => {
    const viewCategories = await t.client(`view_categories:${project}`);
    expect((await t.http.get(`/${project}/categories/key=root`).set(viewCategories.header)).status).toBe(200);
    expect((await t.http.get(`/${project}/types`).set(viewCategories.header)).status).toBe(403);
    const viewTypes = await t.client(`view_types:${project}`);
    expect((await t.http.get(`/${project}/types/key=category-fields`).set(viewTypes.header)).status).toBe(200);
  });
});
