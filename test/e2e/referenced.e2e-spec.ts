import * as path from 'node:path';
import { REFERENCED_RESOURCES, seedReferenced } from '../../libs/catalog/src/referenced';
import { WakeWaitingOperationsListener } from '../../libs/processing/src';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

describe('referenced-only resources (channels, tax categories, …)', () => {
  let t: TestApp;
  const project = 'test';

  /** One valid draft per path; shipping-methods references the tax category and zone created before it. */
  const drafts: Record<string, Record<string, unknown>> = {
    channels: { key: 'berlin', name: { en: 'Berlin' } },
    'tax-categories': { key: 'std-tax', name: 'Standard', rates: [{ name: '19%', amount: 0.19, includedInPrice: true, country: 'DE' }] },
    'customer-groups': { key: 'b2b', groupName: 'B2B' },
    states: { key: 'open', type: 'OrderState', name: { en: 'Open' } },
    stores: { key: 'dach', name: { en: 'DACH' }, languages: ['de'], countries: [{ code: 'DE' }] },
    'cart-discounts': { key: 'summer', name: { en: 'Summer' }, value: { type: 'relative', permyriad: 1000 }, cartPredicate: '1 = 1', sortOrder: '0.3' },
    zones: { key: 'de', name: 'Germany', locations: [{ country: 'DE' }] },
    'shipping-methods': {
      key: 'standard',
      name: 'Standard',
      taxCategory: { typeId: 'tax-category', key: 'std-tax' },
      zoneRates: [{ zone: { typeId: 'zone', key: 'de' }, shippingRates: [{ price: { currencyCode: 'EUR', centAmount: 499 } }] }],
    },
    'attribute-groups': { key: 'dims', name: { en: 'Dimensions' }, attributes: [{ key: 'width' }] },
    'product-discounts': { key: 'spring', name: { en: 'Spring' }, value: { type: 'relative', permyriad: 500 }, predicate: '1 = 1', sortOrder: '0.2' },
  };
  /** A required field (besides key) of each draft. */
  const requiredField: Record<string, string> = {
    channels: 'key',
    'tax-categories': 'name',
    'customer-groups': 'groupName',
    states: 'type',
    stores: 'key',
    'cart-discounts': 'cartPredicate',
    zones: 'name',
    'shipping-methods': 'name',
    'attribute-groups': 'name',
    'product-discounts': 'predicate',
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('has a definition for each of the ten types', () => {
    expect(REFERENCED_RESOURCES.map((definition) => definition.path).sort()).toEqual(Object.keys(drafts).sort());
  });

  describe.each(REFERENCED_RESOURCES.map((definition) => [definition.path, definition] as const))('%s', (resourcePath, definition) => {
    it('creates from a draft, then reads by key, id and page', async () => {
      const created = await t.http.post(`/${project}/${resourcePath}`).set(t.auth).send(drafts[resourcePath]);
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), version: 1, key: drafts[resourcePath].key, createdAt: expect.any(String), lastModifiedAt: expect.any(String) });
      const byKey = await t.http.get(`/${project}/${resourcePath}/key=${String(drafts[resourcePath].key)}`).set(t.auth);
      expect(byKey.status).toBe(200);
      expect(byKey.body).toEqual(created.body);
      const byId = await t.http.get(`/${project}/${resourcePath}/${created.body.id as string}`).set(t.auth);
      expect(byId.body).toEqual(created.body);
      const page = await t.http.get(`/${project}/${resourcePath}`).set(t.auth);
      expect(page.body).toMatchObject({ total: 1, count: 1, offset: 0, results: [created.body] });
      // another project sees nothing
      expect((await t.http.get(`/proj-a/${resourcePath}/key=${String(drafts[resourcePath].key)}`).set(t.auth)).status).toBe(404);
      // the processor can resolve references to it
      const [row] = (await t.dataSource.query(`SELECT id FROM ${definition.table} WHERE project_key = $1 AND key = $2`, [project, drafts[resourcePath].key])) as Array<{ id: string }>;
      expect(row.id).toBe(created.body.id);
    });

    it('refuses a second resource with the same key: 400 DuplicateField', async () => {
      const res = await t.http.post(`/${project}/${resourcePath}`).set(t.auth).send(drafts[resourcePath]);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: 'DuplicateField', field: 'key', duplicateValue: drafts[resourcePath].key })]);
    });

    it('refuses a draft missing a required field: 400 InvalidField with invalidValue null', async () => {
      const field = requiredField[resourcePath];
      const draft: Record<string, unknown> = { ...drafts[resourcePath], key: 'other-key' };
      delete draft[field];
      const res = await t.http.post(`/${project}/${resourcePath}`).set(t.auth).send(draft);
      expect(res.status).toBe(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ code: 'InvalidField', field, invalidValue: null }));
    });
  });

  it('fills in commercetools defaults, drops unknown fields and stores references as {typeId, id}', async () => {
    const channel = (await t.http.get(`/${project}/channels/key=berlin`).set(t.auth)).body;
    expect(channel.roles).toEqual(['InventorySupply']);
    const taxCategory = (await t.http.get(`/${project}/tax-categories/key=std-tax`).set(t.auth)).body;
    expect(taxCategory.rates).toEqual([{ id: expect.any(String), name: '19%', amount: 0.19, includedInPrice: true, country: 'DE' }]);
    const cartDiscount = (await t.http.get(`/${project}/cart-discounts/key=summer`).set(t.auth)).body;
    expect(cartDiscount).toMatchObject({ isActive: true, requiresDiscountCode: false, stackingMode: 'Stacking' });
    const zone = (await t.http.get(`/${project}/zones/key=de`).set(t.auth)).body;
    const shippingMethod = (await t.http.get(`/${project}/shipping-methods/key=standard`).set(t.auth)).body;
    expect(shippingMethod.taxCategory).toEqual({ typeId: 'tax-category', id: taxCategory.id });
    expect(shippingMethod.zoneRates[0].zone).toEqual({ typeId: 'zone', id: zone.id });

    const withExtra = await t.http.post(`/${project}/customer-groups`).set(t.auth).send({ key: 'extra', groupName: 'Extra', unknownField: 1 });
    expect(withExtra.status).toBe(201);
    expect(withExtra.body).not.toHaveProperty('unknownField');
  });

  it('validates keys, enums and references', async () => {
    const noKey = await t.http.post(`/${project}/customer-groups`).set(t.auth).send({ groupName: 'No key' });
    expect(noKey.body.errors).toEqual([expect.objectContaining({ code: 'InvalidField', field: 'key', invalidValue: null })]);
    const badKey = await t.http.post(`/${project}/customer-groups`).set(t.auth).send({ key: 'a b', groupName: 'Bad key' });
    expect(badKey.status).toBe(400);
    expect(badKey.body.errors).toEqual([expect.objectContaining({ code: 'InvalidField', field: 'key', invalidValue: 'a b' })]);
    const shortKey = await t.http.post(`/${project}/customer-groups`).set(t.auth).send({ key: 'a', groupName: 'Short key' });
    expect(shortKey.body.errors).toEqual([expect.objectContaining({ field: 'key', invalidValue: 'a' })]);
    const badType = await t.http.post(`/${project}/states`).set(t.auth).send({ key: 'odd', type: 'OddState' });
    expect(badType.body.errors).toEqual([expect.objectContaining({ code: 'InvalidField', field: 'type', invalidValue: 'OddState', allowedValues: expect.arrayContaining(['OrderState']) })]);
    const badRate = await t.http.post(`/${project}/tax-categories`).set(t.auth).send({ key: 'bad-rate', name: 'Bad', rates: [{ name: 'x', amount: 1.5, includedInPrice: true, country: 'DE' }] });
    expect(badRate.body.errors).toEqual([expect.objectContaining({ code: 'InvalidField', field: 'rates.0.amount', invalidValue: 1.5 })]);
    const missingTax = await t.http.post(`/${project}/shipping-methods`).set(t.auth).send({ key: 'express', name: 'Express', taxCategory: { typeId: 'tax-category', key: 'nope' } });
    expect(missingTax.status).toBe(400);
    expect(missingTax.body.errors).toEqual([expect.objectContaining({ code: 'ReferencedResourceNotFound', typeId: 'tax-category', key: 'nope' })]);
    expect((await t.http.get(`/${project}/shipping-methods/key=express`).set(t.auth)).status).toBe(404);
    const notObject = await t.http.post(`/${project}/zones`).set(t.auth).send([{ key: 'zz', name: 'Z' }]);
    expect(notObject.status).toBe(400);
  });

  it('requires the manage scope to create; view or manage reads', async () => {
    const viewer = await t.client(`view_tax_categories:${project}`);
    expect((await t.http.post(`/${project}/tax-categories`).set(viewer.header).send({ key: 'viewer-made', name: 'Nope' })).status).toBe(403);
    expect((await t.http.get(`/${project}/tax-categories/key=std-tax`).set(viewer.header)).status).toBe(200);
    expect((await t.http.get(`/${project}/tax-categories`).set(viewer.header)).status).toBe(200);
    expect((await t.http.get(`/${project}/channels`).set(viewer.header)).status).toBe(403);
    const manager = await t.client(`manage_channels:${project}`);
    expect((await t.http.post(`/${project}/channels`).set(manager.header).send({ key: 'by-manager' })).status).toBe(201);
    expect((await t.http.get(`/${project}/channels/key=by-manager`).set(manager.header)).status).toBe(200);
    expect((await t.http.post(`/proj-a/channels`).set(manager.header).send({ key: 'by-manager' })).status).toBe(403);
  });

  it('wakes import operations waiting for the created key', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'waiting' }).expect(201);
    const accepted = await t.http
      .post(`/${project}/product-types/import-containers/waiting`)
      .set(t.auth)
      .send({ type: 'product-type', resources: [{ key: 'waits-for-tax', name: 'Waiting', description: 'd', attributes: [] }] });
    expect(accepted.status).toBe(201);
    const operationId = accepted.body.operationStatus[0].operationId as string;
    await t.dataSource.query(`UPDATE import_operations SET state = 'unresolved' WHERE project_key = $1 AND id = $2`, [project, operationId]);
    await t.dataSource.query(`INSERT INTO import_operation_waits (project_key, type_id, key, operation_id) VALUES ($1, 'tax-category', 'std', $2)`, [project, operationId]);
    // a resource of another type with the same key wakes nothing
    await t.http.post(`/${project}/zones`).set(t.auth).send({ key: 'std', name: 'Zone std' }).expect(201);
    expect((await t.http.get(`/${project}/import-operations/${operationId}`).set(t.auth)).body.state).toBe('unresolved');

    await t.http.post(`/${project}/tax-categories`).set(t.auth).send({ key: 'std', name: 'Standard' }).expect(201);
    expect((await t.http.get(`/${project}/import-operations/${operationId}`).set(t.auth)).body.state).toBe('processing');
    expect(await t.dataSource.query(`SELECT 1 FROM import_operation_waits WHERE operation_id = $1`, [operationId])).toHaveLength(1);
    // the processor picks it up again and settles it
    await drain(t);
    expect((await t.http.get(`/${project}/import-operations/${operationId}`).set(t.auth)).body.state).toBe('imported');
  });

  it('seeding wakes waiting operations through the pipeline listener the CLI passes; catalog alone wakes nothing', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'waiting-for-seed' }).expect(201);
    const waitFor = async (productTypeKey: string, taxCategoryKey: string): Promise<string> => {
      const accepted = await t.http
        .post(`/${project}/product-types/import-containers/waiting-for-seed`)
        .set(t.auth)
        .send({ type: 'product-type', resources: [{ key: productTypeKey, name: 'Waiting', description: 'd', attributes: [] }] });
      expect(accepted.status).toBe(201);
      const operationId = accepted.body.operationStatus[0].operationId as string;
      await t.dataSource.query(`UPDATE import_operations SET state = 'unresolved' WHERE project_key = $1 AND id = $2`, [project, operationId]);
      await t.dataSource.query(`INSERT INTO import_operation_waits (project_key, type_id, key, operation_id) VALUES ($1, 'tax-category', $2, $3)`, [project, taxCategoryKey, operationId]);
      return operationId;
    };
    const state = async (operationId: string) => (await t.http.get(`/${project}/import-operations/${operationId}`).set(t.auth)).body.state as string;
    const quiet = await waitFor('waits-for-quiet-seed', 'seed-quiet');
    const loud = await waitFor('waits-for-loud-seed', 'seed-loud');

    expect((await seedReferenced(t.dataSource, { projectKey: project, taxCategories: [{ key: 'seed-quiet', name: 'Quiet' }] })).created.taxCategories).toBe(1);
    expect(await state(quiet)).toBe('unresolved');

    const listeners = [new WakeWaitingOperationsListener(t.dataSource)];
    expect((await seedReferenced(t.dataSource, { projectKey: project, taxCategories: [{ key: 'seed-loud', name: 'Loud' }] }, listeners)).created.taxCategories).toBe(1);
    expect(await state(loud)).toBe('processing');
    expect(await state(quiet)).toBe('unresolved');
    await drain(t);
    expect(await state(loud)).toBe('imported');
  });

  it('seeds a file: creates in dependency order, skips existing keys, reports invalid drafts', async () => {
    const first = await seedReferenced(t.dataSource, path.join(__dirname, '..', '..', 'seeds', 'demo.json'));
    expect(first.invalid).toEqual([]);
    expect(first.created).toEqual({ channels: 3, taxCategories: 2, customerGroups: 2, states: 4, stores: 2, cartDiscounts: 1, zones: 2, shippingMethods: 1, attributeGroups: 2, productDiscounts: 1 });
    expect(Object.values(first.skipped).every((count) => count === 0)).toBe(true);
    const shipping = (await t.http.get(`/demo/shipping-methods/key=standard-delivery`).set((await t.client('manage_project:demo')).header)).body;
    expect(shipping.taxCategory).toEqual({ typeId: 'tax-category', id: expect.any(String) });

    const again = await seedReferenced(t.dataSource, path.join(__dirname, '..', '..', 'seeds', 'demo.json'));
    expect(Object.values(again.created).every((count) => count === 0)).toBe(true);
    expect(again.skipped).toEqual(first.created);

    const mixed = await seedReferenced(t.dataSource, {
      projectKey: project,
      customerGroups: [{ key: 'seeded', groupName: 'Seeded' }, { key: 'b2b', groupName: 'Existing' }, { key: 'no-name' }],
    });
    expect(mixed.created.customerGroups).toBe(1);
    expect(mixed.skipped.customerGroups).toBe(1);
    expect(mixed.invalid).toEqual([{ resource: 'customerGroups', index: 2, key: 'no-name', errors: [expect.objectContaining({ code: 'InvalidField', field: 'groupName', invalidValue: null })] }]);
    await expect(seedReferenced(t.dataSource, { projectKey: project, gizmos: [] })).rejects.toThrow(/unknown seed field "gizmos"/);
    await expect(seedReferenced(t.dataSource, { channels: [] })).rejects.toThrow(/projectKey/);
  });
});
