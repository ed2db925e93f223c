import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

/** commercetools behaviours real Import API clients rely on (issue: commercetools fidelity). */
describe('commercetools fidelity', () => {
  let t: TestApp;
  const project = 'test';
  const container = 'fidelity';
  const eur = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'EUR', centAmount });

  const post = async (path: string, type: string, items: unknown[]) => {
    const body = type === 'product-variant-patch' ? { type, patches: items } : { type, resources: items };
    const res = await t.http.post(`/${project}/${path}/import-containers/${container}`).set(t.auth).send(body);
    expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
    return res.body.operationStatus.map((status: { operationId: string }) => status.operationId) as string[];
  };
  const operation = async (id: string) => (await t.http.get(`/${project}/import-operations/${id}`).set(t.auth)).body;
  const importAndDrain = async (path: string, type: string, items: unknown[]) => {
    const ids = await post(path, type, items);
    await drain(t);
    return Promise.all(ids.map(operation));
  };
  const read = async (path: string) => {
    const res = await t.http.get(`/${project}/${path}`).set(t.auth);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };

  const constrained = {
    key: 'constrained',
    name: 'Constrained',
    description: 'Every attribute constraint',
    attributes: [
      { name: 'brand', type: { name: 'text' }, label: { en: 'Brand' }, isRequired: true, isSearchable: true, attributeConstraint: 'SameForAll' },
      { name: 'ean', type: { name: 'text' }, label: { en: 'EAN' }, isRequired: false, isSearchable: true, attributeConstraint: 'Unique' },
      { name: 'color', type: { name: 'enum', values: [{ key: 'red', label: 'Red' }, { key: 'blue', label: 'Blue' }] }, label: { en: 'Color' }, isRequired: false, isSearchable: true, attributeConstraint: 'CombinationUnique' },
      { name: 'size', type: { name: 'text' }, label: { en: 'Size' }, isRequired: false, isSearchable: true, attributeConstraint: 'CombinationUnique' },
    ],
  };
  const brand = (value = 'acme') => ({ name: 'brand', type: 'text', value });
  const variant = (key: string, attributes: unknown[]) => ({ key, sku: `${key}-sku`, attributes });
  const productDraft = (key: string, master: unknown, variants: unknown[]) => ({
    key,
    name: { en: key },
    slug: { en: key },
    productType: { typeId: 'product-type', key: 'constrained' },
    masterVariant: master,
    variants,
  });

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: container }).expect(201);
    const [typeOperation] = await importAndDrain('product-types', 'product-type', [constrained]);
    expect(typeOperation.state).toBe('imported');
  });
  afterAll(async () => {
    await t.close();
  });

  describe('product-type constraints', () => {
    it('accepts a product that meets isRequired, SameForAll, Unique and CombinationUnique', async () => {
      const [ok] = await importAndDrain('product-drafts', 'product-draft', [
        productDraft('fine', variant('fine-1', [brand(), { name: 'ean', type: 'text', value: '1' }, { name: 'color', type: 'enum', value: 'red' }, { name: 'size', type: 'text', value: 'S' }]), [
          variant('fine-2', [brand(), { name: 'ean', type: 'text', value: '2' }, { name: 'color', type: 'enum', value: 'red' }, { name: 'size', type: 'text', value: 'M' }]),
        ]),
      ]);
      expect(ok).toMatchObject({ state: 'imported', resourceVersion: 1 });
    });

    it('refuses a variant missing a required attribute (RequiredField naming it)', async () => {
      const [missing] = await importAndDrain('product-drafts', 'product-draft', [productDraft('req', variant('req-1', [brand()]), [variant('req-2', [])])]);
      expect(missing).toMatchObject({ state: 'validationFailed', errors: [{ code: 'RequiredField', field: 'variants.0.attributes.brand' }] });
      expect(missing.errors[0].message).toMatch(/brand.*required/);
      expect((await t.http.get(`/${project}/products/key=req`).set(t.auth)).status).toBe(404);
    });

    it('refuses variants breaking SameForAll', async () => {
      const [differing] = await importAndDrain('product-drafts', 'product-draft', [productDraft('same', variant('same-1', [brand('acme')]), [variant('same-2', [brand('other')])])]);
      expect(differing).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'variants.0.attributes.brand', invalidValue: 'other' }] });
      expect(differing.errors[0].message).toMatch(/SameForAll/);
    });

    it('refuses variants breaking Unique (DuplicateAttributeValue with the attribute)', async () => {
      const ean = { name: 'ean', type: 'text', value: '42' };
      const [duplicate] = await importAndDrain('product-drafts', 'product-draft', [productDraft('uniq', variant('uniq-1', [brand(), ean]), [variant('uniq-2', [brand(), ean])])]);
      expect(duplicate).toMatchObject({ state: 'validationFailed', errors: [{ code: 'DuplicateAttributeValue', attribute: { name: 'ean', type: 'text', value: '42' } }] });
      expect(duplicate.errors[0].message).toMatch(/Unique/);
    });

    it('refuses variants breaking CombinationUnique (DuplicateAttributeValues)', async () => {
      const combo = [{ name: 'color', type: 'enum', value: 'blue' }, { name: 'size', type: 'text', value: 'L' }];
      const [duplicate] = await importAndDrain('product-drafts', 'product-draft', [productDraft('combo', variant('combo-1', [brand(), ...combo]), [variant('combo-2', [brand(), ...combo])])]);
      expect(duplicate).toMatchObject({
        state: 'validationFailed',
        errors: [{ code: 'DuplicateAttributeValues', attributes: [{ name: 'color', type: 'enum', value: 'blue' }, { name: 'size', type: 'text', value: 'L' }] }],
      });
    });

    it('checks constraints when a variant import or a variant patch changes one variant', async () => {
      const [added] = await importAndDrain('product-variants', 'product-variant', [{ ...variant('fine-3', [brand('other')]), isMasterVariant: false, product: { typeId: 'product', key: 'fine' } }]);
      expect(added).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'variants.1.attributes.brand' }] });
      const [patched] = await importAndDrain('product-variant-patches', 'product-variant-patch', [
        { productVariant: { typeId: 'product-variant', key: 'fine-2' }, attributes: { ean: { type: 'text', value: '1' } } },
      ]);
      expect(patched).toMatchObject({ state: 'validationFailed', errors: [{ code: 'DuplicateAttributeValue', attribute: { name: 'ean', value: '1' } }] });
      expect((await read('products/key=fine')).version).toBe(1);
    });
  });

  it('lists failed operations with their errors without debug=true (debug adds only unresolved references)', async () => {
    const page = await t.http.get(`/${project}/import-containers/${container}/import-operations?state=validationFailed`).set(t.auth).expect(200);
    expect(page.body.results.length).toBeGreaterThan(0);
    for (const failed of page.body.results as Array<{ errors?: unknown[] }>) expect(failed.errors?.length).toBeGreaterThan(0);
    await post('prices', 'price', [{ key: 'dangling', value: eur(1), productVariant: { typeId: 'product-variant', key: 'nope' }, product: { typeId: 'product', key: 'nope' } }]);
    await drain(t);
    const plain = await t.http.get(`/${project}/import-containers/${container}/import-operations?state=unresolved`).set(t.auth).expect(200);
    expect(plain.body.results[0]).not.toHaveProperty('unresolvedReferences');
    const debug = await t.http.get(`/${project}/import-containers/${container}/import-operations?state=unresolved&debug=true`).set(t.auth).expect(200);
    expect(debug.body.results[0].unresolvedReferences).toEqual(expect.arrayContaining([{ typeId: 'product-variant', key: 'nope' }]));
  });

  it('product discounts: created through their API, referenced by embedded and standalone prices', async () => {
    const created = await t.http
      .post(`/${project}/product-discounts`)
      .set(t.auth)
      .send({ key: 'summer', name: { en: 'Summer sale' }, value: { type: 'external' }, predicate: '1=1', sortOrder: '0.5', isActive: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ key: 'summer', version: 1, name: { en: 'Summer sale' }, value: { type: 'external' }, isActive: true });
    expect((await t.http.post(`/${project}/product-discounts`).set(t.auth).send({ key: 'summer', name: { en: 'x' }, value: { type: 'external' }, predicate: '1=1', sortOrder: '0.6' })).body.errors[0].code).toBe('DuplicateField');
    expect((await t.http.post(`/${project}/product-discounts`).set(t.auth).send({ key: 'nameless', value: { type: 'external' }, predicate: '1=1', sortOrder: '0.7' })).status).toBe(400);
    expect((await read('product-discounts/key=summer')).id).toBe(created.body.id);
    const viewer = await t.client(`view_products:${project}`);
    expect((await t.http.get(`/${project}/product-discounts/key=summer`).set(viewer.header)).status).toBe(200);
    expect((await t.http.post(`/${project}/product-discounts`).set(viewer.header).send({ key: 'nope', name: { en: 'x' }, value: { type: 'external' }, predicate: '1=1', sortOrder: '0.8' })).status).toBe(403);

    // A standalone price referencing a discount that does not exist yet waits for it…
    const discounted = (discount: string) => ({ value: eur(800), discount: { typeId: 'product-discount', key: discount } });
    const [waiting] = await importAndDrain('standalone-prices', 'standalone-price', [{ key: 'sp-winter', sku: 'fine-1-sku', value: eur(1000), discounted: discounted('winter') }]);
    expect(waiting).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'product-discount', key: 'winter' }] });
    await t.http.post(`/${project}/product-discounts`).set(t.auth).send({ key: 'winter', name: { en: 'Winter' }, value: { type: 'relative', permyriad: 1000 }, predicate: '1=1', sortOrder: '0.4' }).expect(201);
    await drain(t);
    const winter = await read('product-discounts/key=winter');
    expect(await operation(waiting.id)).toMatchObject({ state: 'imported' });
    expect((await read('standalone-prices/key=sp-winter')).discounted).toEqual({ value: expect.objectContaining({ centAmount: 800 }), discount: { typeId: 'product-discount', id: winter.id } });
  });

  it('a script-like flow: product type → product without variants → non-master variant → variant patch → price with a discount and custom fields → read back', async () => {
    await importAndDrain('types', 'type', [
      {
        key: 'price-extras',
        name: { en: 'Price extras' },
        resourceTypeIds: ['product-price'],
        fieldDefinitions: [
          { name: 'campaign', label: { en: 'Campaign' }, required: true, type: { name: 'String' } },
          { name: 'priority', label: { en: 'Priority' }, required: false, type: { name: 'Number' } },
        ],
      },
    ]);
    await importAndDrain('product-types', 'product-type', [
      { key: 'simple', name: 'Simple', description: 'No required attributes', attributes: [{ name: 'color', type: { name: 'text' }, label: { en: 'Color' }, isRequired: false, isSearchable: true }] },
    ]);
    const [productOp] = await importAndDrain('products', 'product', [{ key: 'script', name: { en: 'Script' }, slug: { en: 'script' }, productType: { typeId: 'product-type', key: 'simple' } }]);
    expect(productOp).toMatchObject({ state: 'imported', resourceVersion: 1 });
    const [variantOp] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'script-2', sku: 'script-sku-2', isMasterVariant: false, product: { typeId: 'product', key: 'script' }, attributes: [{ name: 'color', type: 'text', value: 'red' }] },
    ]);
    expect(variantOp).toMatchObject({ state: 'imported', resourceVersion: 2 });
    const [patchOp] = await importAndDrain('product-variant-patches', 'product-variant-patch', [
      { productVariant: { typeId: 'product-variant', key: 'script-2' }, attributes: { color: { type: 'text', value: 'green' } } },
    ]);
    expect(patchOp).toMatchObject({ state: 'imported', resourceVersion: 3 });

    const price = (custom: Record<string, unknown>) => ({
      key: 'script-price',
      value: eur(1500),
      discounted: { value: eur(1200), discount: { typeId: 'product-discount', key: 'summer' } },
      custom: { type: { typeId: 'type', key: 'price-extras' }, fields: custom },
      productVariant: { typeId: 'product-variant', key: 'script-2' },
      product: { typeId: 'product', key: 'script' },
    });
    const [invalidCustom] = await importAndDrain('prices', 'price', [price({ priority: { type: 'Number', value: 1 } })]);
    expect(invalidCustom).toMatchObject({ state: 'validationFailed', errors: [{ code: 'RequiredField', field: 'custom.fields.campaign' }] });
    const [wrongType] = await importAndDrain('prices', 'price', [price({ campaign: { type: 'Number', value: 3 } })]);
    expect(wrongType).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'custom.fields.campaign' }] });
    const [priceOp] = await importAndDrain('prices', 'price', [price({ campaign: { type: 'String', value: 'summer-26' }, priority: { type: 'Number', value: 2 } })]);
    expect(priceOp).toMatchObject({ state: 'imported', resourceVersion: 4 });

    const product = await read('products/key=script');
    const summer = await read('product-discounts/key=summer');
    const extras = await read('types/key=price-extras');
    expect(product.masterData.staged.masterVariant).toEqual({ id: 1, prices: [], attributes: [], images: [], assets: [] });
    const [second] = product.masterData.staged.variants;
    expect(second).toMatchObject({ id: 2, key: 'script-2', sku: 'script-sku-2', attributes: [{ name: 'color', value: 'green' }] });
    expect(second.prices).toEqual([
      {
        id: expect.any(String),
        key: 'script-price',
        value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1500, fractionDigits: 2 },
        discounted: { value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1200, fractionDigits: 2 }, discount: { typeId: 'product-discount', id: summer.id } },
        custom: { type: { typeId: 'type', id: extras.id }, fields: { campaign: 'summer-26', priority: 2 } },
      },
    ]);
  });

  it('embedded prices of a product draft get their custom fields converted and validated too', async () => {
    const draftWith = (key: string, fields: Record<string, unknown>) => ({
      key,
      name: { en: key },
      slug: { en: key },
      productType: { typeId: 'product-type', key: 'simple' },
      masterVariant: { key: `${key}-m`, sku: `${key}-sku`, prices: [{ key: `${key}-p`, value: eur(100), custom: { type: { typeId: 'type', key: 'price-extras' }, fields } }] },
    });
    const [bad, good] = await importAndDrain('product-drafts', 'product-draft', [draftWith('cf-bad', { unknown: { type: 'String', value: 'x' } }), draftWith('cf-good', { campaign: { type: 'String', value: 'c' } })]);
    expect(bad).toMatchObject({ state: 'validationFailed', errors: expect.arrayContaining([expect.objectContaining({ code: 'InvalidField', field: 'masterVariant.prices.0.custom.fields.unknown' })]) });
    expect(good.state).toBe('imported');
    expect((await read('products/key=cf-good')).masterData.staged.masterVariant.prices[0].custom.fields).toEqual({ campaign: 'c' });
  });

  it('grants a requested scope the client scopes imply (manage_project, manage_x ⇒ view_x), the token carrying only what was asked', async () => {
    const owner = await t.client(`manage_project:${project}`);
    const token = async (clientId: string, secret: string, scope: string) =>
      t.http.post('/oauth/token').auth(clientId, secret).type('form').send({ grant_type: 'client_credentials', scope });
    const narrow = await token(owner.clientId, owner.clientSecret, `manage_import_containers:${project}`);
    expect(narrow.status).toBe(200);
    expect(narrow.body.scope).toBe(`manage_import_containers:${project}`);
    const header = { Authorization: `Bearer ${narrow.body.access_token as string}` };
    expect((await t.http.get(`/${project}/import-containers`).set(header)).status).toBe(200);
    // Only what was asked: no product imports with this token.
    expect((await t.http.post(`/${project}/product-types/import-containers/${container}`).set(header).send({ type: 'product-type', resources: [] })).status).toBe(403);
    const manager = await t.client(`manage_products:${project}`);
    expect((await token(manager.clientId, manager.clientSecret, `view_products:${project}`)).status).toBe(200);
    const otherProject = await token(owner.clientId, owner.clientSecret, 'manage_import_containers:proj-b');
    expect(otherProject.status).toBe(400);
    expect(otherProject.body.error).toBe('invalid_scope');
    expect((await token(manager.clientId, manager.clientSecret, `manage_orders:${project}`)).body.error).toBe('invalid_scope');
  });

  describe('read API: where and expand', () => {
    it('supports = and in on id, key and natural keys, and slug(locale = …); refuses what it does not support', async () => {
      const all = (await read('products?limit=500')).results as Array<{ key: string; id: string }>;
      expect(all.length).toBeGreaterThan(2);
      const q = (path: string, where: string) => t.http.get(`/${project}/${path}`).query({ where }).set(t.auth);
      const byKey = await q('products', 'key = "fine"');
      expect(byKey.status).toBe(200);
      expect(byKey.body).toMatchObject({ total: 1, count: 1, results: [{ key: 'fine' }] });
      const byIn = await q('products', 'key in ("fine", "script", "nope")');
      expect(byIn.body.results.map((p: { key: string }) => p.key).sort()).toEqual(['fine', 'script']);
      const fine = byKey.body.results[0] as { id: string };
      expect((await q('products', `id = "${fine.id}" and key = "fine"`)).body.total).toBe(1);
      expect((await q('products', `id = "${fine.id}" and key = "script"`)).body.total).toBe(0);
      expect((await q('products', 'slug(en = "script")')).body.results.map((p: { key: string }) => p.key)).toEqual(['script']);
      expect((await t.http.get(`/${project}/standalone-prices`).query({ where: ['sku = "fine-1-sku"', 'key = "sp-winter"'] }).set(t.auth)).body.total).toBe(1);
      expect((await q('product-discounts', 'key = "summer"')).body.total).toBe(1);
      for (const [path, where, mention] of [
        ['products', 'name(en = "x")', 'name'],
        ['products', 'key > "a"', "'>'"],
        ['products', 'version = "3"', 'version'],
        ['products', 'key = "a" or key = "b"', "'or'"],
        ['products', 'key = 3', 'double quotes'],
        ['products', 'key = "unterminated', 'Malformed'],
        ['categories', 'sku = "x"', 'sku'],
      ]) {
        const res = await q(path, where);
        expect({ where, status: res.status, code: res.body.errors?.[0]?.code }).toEqual({ where, status: 400, code: 'InvalidInput' });
        expect(res.body.message).toContain(mention);
      }
      const expand = await t.http.get(`/${project}/products?expand=productType`).set(t.auth);
      expect(expand.status).toBe(400);
      expect(expand.body.message).toMatch(/expand/);
      expect((await t.http.get(`/${project}/products/key=fine?expand=productType`).set(t.auth)).status).toBe(400);
    });

    it('orders have no key of their own: read by id or order-number, where=orderNumber', async () => {
      const order = { orderNumber: 'fid-1', totalPrice: eur(500), lineItems: [], customLineItems: [] };
      const [imported] = await importAndDrain('orders', 'order', [order]);
      expect(imported.state).toBe('imported');
      const byNumber = await read('orders/order-number=fid-1');
      expect(byNumber).not.toHaveProperty('key');
      expect(byNumber.orderNumber).toBe('fid-1');
      expect((await t.http.get(`/${project}/orders/key=fid-1`).set(t.auth)).status).toBe(404);
      expect((await read(`orders/${byNumber.id as string}`)).orderNumber).toBe('fid-1');
      const listed = await t.http.get(`/${project}/orders`).query({ where: 'orderNumber = "fid-1"' }).set(t.auth);
      expect(listed.body).toMatchObject({ total: 1, results: [{ orderNumber: 'fid-1' }] });
      expect(listed.body.results[0]).not.toHaveProperty('key');
    });
  });
});
