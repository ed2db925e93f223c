import { priceApplier } from '../../libs/processing/src/appliers/products/price.applier';
import { ProcessorService } from '../../libs/processing/src';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

describe('products: product drafts, products, variants, variant patches and prices', () => {
  let t: TestApp;
  const project = 'test';
  const container = 'products';

  const productType = {
    key: 'shirt',
    name: 'Shirt',
    description: 'Shirts',
    attributes: [
      { name: 'color', type: { name: 'text' }, label: { en: 'Color' }, isRequired: false, isSearchable: true },
      {
        name: 'size',
        type: { name: 'enum', values: [{ key: 'S', label: 'Small' }, { key: 'M', label: 'Medium' }] },
        label: { en: 'Size' },
        isRequired: false,
        isSearchable: true,
      },
      { name: 'weight', type: { name: 'number' }, label: { en: 'Weight' }, isRequired: false, isSearchable: true },
      { name: 'tags', type: { name: 'set', elementType: { name: 'text' } }, label: { en: 'Tags' }, isRequired: false, isSearchable: true },
      { name: 'material', type: { name: 'ltext' }, label: { en: 'Material' }, isRequired: false, isSearchable: true },
    ],
  };

  const eur = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'EUR', centAmount });
  const draft = (key: string, overrides: Record<string, unknown> = {}) => ({
    key,
    name: { en: `Shirt ${key}` },
    slug: { en: `shirt-${key}` },
    productType: { typeId: 'product-type', key: 'shirt' },
    masterVariant: {
      key: `${key}-m`,
      sku: `${key}-sku-m`,
      prices: [{ key: `${key}-price`, value: eur(1999) }],
      attributes: [
        { name: 'color', type: 'text', value: 'red' },
        { name: 'size', type: 'enum', value: 'M' },
      ],
    },
    variants: [{ key: `${key}-v2`, sku: `${key}-sku-2`, attributes: [{ name: 'tags', type: 'text-set', value: ['a', 'b'] }] }],
    ...overrides,
  });

  const post = async (path: string, type: string, items: unknown[]) => {
    const body = type === 'product-variant-patch' ? { type, patches: items } : { type, resources: items };
    const res = await t.http.post(`/${project}/${path}/import-containers/${container}`).set(t.auth).send(body);
    expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
    return res.body.operationStatus.map((status: { operationId: string }) => status.operationId) as string[];
  };
  const operation = async (id: string) => (await t.http.get(`/${project}/import-operations/${id}`).set(t.auth)).body;
  const product = async (key: string) => {
    const res = await t.http.get(`/${project}/products/key=${key}`).set(t.auth);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Imports and drains; returns the settled operations. */
  const importAndDrain = async (path: string, type: string, items: unknown[]) => {
    const ids = await post(path, type, items);
    await drain(t);
    return Promise.all(ids.map(operation));
  };

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: container }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('waits for the product type (unresolved), then imports the draft once it arrives; current = staged, unpublished', async () => {
    const [draftOperation] = await importAndDrain('product-drafts', 'product-draft', [draft('p1')]);
    expect(draftOperation).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'product-type', key: 'shirt' }] });

    const [typeOperation] = await importAndDrain('product-types', 'product-type', [productType]);
    expect(typeOperation.state).toBe('imported');
    expect(await operation(draftOperation.id)).toMatchObject({ state: 'imported', resourceVersion: 1 });

    const type = (await t.http.get(`/${project}/product-types/key=shirt`).set(t.auth)).body;
    const body = await product('p1');
    expect(body).toMatchObject({ key: 'p1', version: 1, productType: { typeId: 'product-type', id: type.id } });
    expect(body.masterData).toMatchObject({ published: false, hasStagedChanges: false });
    expect(body.masterData.current).toEqual(body.masterData.staged);
    expect(body.masterData.staged).toMatchObject({
      name: { en: 'Shirt p1' },
      slug: { en: 'shirt-p1' },
      categories: [],
      masterVariant: {
        id: 1,
        key: 'p1-m',
        sku: 'p1-sku-m',
        prices: [{ id: expect.any(String), key: 'p1-price', value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1999, fractionDigits: 2 } }],
        attributes: [
          { name: 'color', value: 'red' },
          { name: 'size', value: { key: 'M', label: 'Medium' } },
        ],
      },
      variants: [{ id: 2, key: 'p1-v2', sku: 'p1-sku-2', prices: [], attributes: [{ name: 'tags', value: ['a', 'b'] }] }],
    });
    const byId = await t.http.get(`/${project}/products/${body.id}`).set(t.auth);
    expect(byId.body.key).toBe('p1');
    const list = await t.http.get(`/${project}/products`).set(t.auth);
    expect(list.body.results.map((p: { key: string }) => p.key)).toContain('p1');
  });

  it('publish copies staged to current; unpublished changes only touch staged; unchanged re-imports keep the version', async () => {
    const [first] = await importAndDrain('product-drafts', 'product-draft', [draft('p2', { publish: true })]);
    expect(first).toMatchObject({ state: 'imported', resourceVersion: 1 });
    let body = await product('p2');
    expect(body.masterData).toMatchObject({ published: true, hasStagedChanges: false });

    const [changed] = await importAndDrain('product-drafts', 'product-draft', [draft('p2', { name: { en: 'Renamed' } })]);
    expect(changed).toMatchObject({ state: 'imported', resourceVersion: 2 });
    body = await product('p2');
    expect(body.version).toBe(2);
    expect(body.masterData).toMatchObject({ published: true, hasStagedChanges: true, staged: { name: { en: 'Renamed' } }, current: { name: { en: 'Shirt p2' } } });
    // Variant and price ids stay stable across re-imports.
    expect(body.masterData.staged.masterVariant.id).toBe(1);
    expect(body.masterData.staged.masterVariant.prices[0].id).toBe(body.masterData.current.masterVariant.prices[0].id);

    const [unchanged] = await importAndDrain('product-drafts', 'product-draft', [draft('p2', { name: { en: 'Renamed' } })]);
    expect(unchanged).toMatchObject({ state: 'imported', resourceVersion: 2 });
    expect((await product('p2')).version).toBe(2);

    const [published] = await importAndDrain('product-drafts', 'product-draft', [draft('p2', { name: { en: 'Renamed' }, publish: true })]);
    expect(published).toMatchObject({ state: 'imported', resourceVersion: 3 });
    body = await product('p2');
    expect(body.masterData).toMatchObject({ published: true, hasStagedChanges: false, current: { name: { en: 'Renamed' } } });
  });

  it('rejects a SKU or a slug another product already uses', async () => {
    const sameSku = draft('p3', { masterVariant: { key: 'p3-m', sku: 'p1-sku-m' }, variants: [] });
    const sameSlug = draft('p4', { slug: { en: 'shirt-p1' } });
    const [skuOperation, slugOperation] = await importAndDrain('product-drafts', 'product-draft', [sameSku, sameSlug]);
    expect(skuOperation).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'sku', duplicateValue: 'p1-sku-m' }] });
    expect(slugOperation).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'slug', duplicateValue: 'shirt-p1' }] });
    expect((await t.http.get(`/${project}/products/key=p3`).set(t.auth)).status).toBe(404);
    // The same product may keep its own SKUs and slug.
    const [again] = await importAndDrain('product-drafts', 'product-draft', [draft('p1')]);
    expect(again).toMatchObject({ state: 'imported', resourceVersion: 1 });
  });

  it('a write that keeps SKUs and slugs keeps their claims; one that drops them frees them, in the same batch too', async () => {
    await importAndDrain('product-drafts', 'product-draft', [draft('own1')]);
    // A price changes the document but not its SKUs or slugs: the claims stay (another product is still refused them).
    const [price] = await importAndDrain('prices', 'price', [
      { key: 'own1-price-2', value: eur(500), productVariant: { typeId: 'product-variant', key: 'own1-m' }, product: { typeId: 'product', key: 'own1' } },
    ]);
    expect(price.state).toBe('imported');
    const [taken] = await importAndDrain('product-drafts', 'product-draft', [draft('own2', { slug: { en: 'shirt-own1' }, masterVariant: { key: 'own2-m', sku: 'own1-sku-m' }, variants: [] })]);
    expect(taken).toMatchObject({ state: 'rejected', errors: [{ field: 'sku', duplicateValue: 'own1-sku-m' }, { field: 'slug', duplicateValue: 'shirt-own1' }] });
    // own1 gives up its SKU and slug (published, so current no longer holds them either), and own2 takes
    // them, both in one batch (accept order decides).
    const renamed = draft('own1', { slug: { en: 'shirt-own1-renamed' }, masterVariant: { key: 'own1-m', sku: 'own1-sku-renamed' }, variants: [], publish: true });
    const takes = draft('own2', { slug: { en: 'shirt-own1' }, masterVariant: { key: 'own2-m', sku: 'own1-sku-m' }, variants: [] });
    const [first, second] = await importAndDrain('product-drafts', 'product-draft', [renamed, takes]);
    expect([first.state, second.state]).toEqual(['imported', 'imported']);
    // The renamed values are claimed now, by own1: a third product is refused them.
    const [third] = await importAndDrain('product-drafts', 'product-draft', [draft('own3', { slug: { en: 'shirt-own1-renamed' }, masterVariant: { key: 'own3-m', sku: 'own3-sku' }, variants: [] })]);
    expect(third).toMatchObject({ state: 'rejected', errors: [{ field: 'slug', duplicateValue: 'shirt-own1-renamed' }] });
    const rows = (await t.dataSource.query(`SELECT p.key, v.sku FROM product_variants v JOIN products p ON p.project_key = v.project_key AND p.id = v.product_id WHERE v.project_key = $1 AND p.key IN ('own1', 'own2') ORDER BY 1, 2`, [project])) as unknown[];
    expect(rows).toEqual([
      { key: 'own1', sku: 'own1-sku-renamed' },
      { key: 'own2', sku: 'own1-sku-m' },
    ]);
  });

  it('fails validation for attributes of the wrong type, unknown attributes and unknown enum values, naming the attribute', async () => {
    const wrongType = draft('p5', { masterVariant: { key: 'p5-m', attributes: [{ name: 'color', type: 'number', value: 3 }] }, variants: [] });
    const unknown = draft('p6', { variants: [{ key: 'p6-v2', attributes: [{ name: 'nope', type: 'text', value: 'x' }] }] });
    const badEnum = draft('p7', { masterVariant: { key: 'p7-m', attributes: [{ name: 'size', type: 'enum', value: 'XL' }] }, variants: [] });
    const [a, b, c] = await importAndDrain('product-drafts', 'product-draft', [wrongType, unknown, badEnum]);
    expect(a).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'masterVariant.attributes.color', invalidValue: 3, allowedValues: ['text'] }] });
    expect(b).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'variants.0.attributes.nope' }] });
    expect(c).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'masterVariant.attributes.size', invalidValue: 'XL', allowedValues: ['S', 'M'] }] });
    expect((await t.http.get(`/${project}/products/key=p5`).set(t.auth)).status).toBe(404);
  });

  /** A product type whose variants must have a `fit`: a product without variants waits for its master variant. */
  const teeType = {
    key: 'tee',
    name: 'Tee',
    description: 'Tees',
    attributes: [
      { name: 'fit', type: { name: 'text' }, label: { en: 'Fit' }, isRequired: true, isSearchable: true },
      { name: 'color', type: { name: 'text' }, label: { en: 'Color' }, isRequired: false, isSearchable: true },
      { name: 'weight', type: { name: 'number' }, label: { en: 'Weight' }, isRequired: false, isSearchable: true },
    ],
  };
  const fit = { name: 'fit', type: 'text', value: 'slim' };

  it('a product without variants gets an empty master variant when its type requires no variant attribute', async () => {
    const plain = { key: 'plain', name: { en: 'Plain' }, slug: { en: 'plain' }, productType: { typeId: 'product-type', key: 'shirt' } };
    const [productOperation] = await importAndDrain('products', 'product', [plain]);
    expect(productOperation).toMatchObject({ state: 'imported', resourceVersion: 1 });
    const empty = { id: 1, prices: [], attributes: [], images: [], assets: [] };
    expect((await product('plain')).masterData).toMatchObject({ staged: { masterVariant: empty, variants: [] }, current: { masterVariant: empty } });

    const [second] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'plain-2', sku: 'plain-sku-2', isMasterVariant: false, product: { typeId: 'product', key: 'plain' }, attributes: [{ name: 'color', type: 'text', value: 'blue' }] },
    ]);
    expect(second).toMatchObject({ state: 'imported', resourceVersion: 2 });
    expect((await product('plain')).masterData.staged.variants).toEqual([expect.objectContaining({ id: 2, key: 'plain-2', sku: 'plain-sku-2' })]);

    // A new variant cannot be added as master (NewMasterVariantAdditionNotAllowed)…
    const [newMaster] = await importAndDrain('product-variants', 'product-variant', [{ key: 'plain-3', isMasterVariant: true, product: { typeId: 'product', key: 'plain' } }]);
    expect(newMaster).toMatchObject({ state: 'rejected', errors: [{ code: 'NewMasterVariantAdditionNotAllowed' }] });
    // …but an existing one can become the master.
    const [promoted] = await importAndDrain('product-variants', 'product-variant', [{ key: 'plain-2', sku: 'plain-sku-2', isMasterVariant: true, product: { typeId: 'product', key: 'plain' } }]);
    expect(promoted).toMatchObject({ state: 'imported', resourceVersion: 3 });
    const staged = (await product('plain')).masterData.staged;
    expect(staged.masterVariant).toMatchObject({ id: 2, key: 'plain-2' });
    expect(staged.variants).toEqual([expect.objectContaining({ id: 1 })]);
  });

  it('a product whose type requires variant attributes waits in waitForMasterVariant, as do its non-master variants, until the master arrives', async () => {
    await importAndDrain('product-types', 'product-type', [teeType]);
    const [orphan] = await importAndDrain('product-variants', 'product-variant', [{ key: 'bare-v9', isMasterVariant: false, product: { typeId: 'product', key: 'bare' }, attributes: [fit] }]);
    expect(orphan).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'product', key: 'bare' }] });

    const bare = { key: 'bare', name: { en: 'Bare' }, slug: { en: 'bare' }, productType: { typeId: 'product-type', key: 'tee' } };
    const [productOperation] = await importAndDrain('products', 'product', [bare]);
    expect(productOperation.state).toBe('waitForMasterVariant');
    // The wait is internal: nothing invented shows up as an unresolved reference.
    expect(productOperation).not.toHaveProperty('unresolvedReferences');
    expect((await product('bare')).masterData.staged).not.toHaveProperty('masterVariant');
    expect(await operation(orphan.id)).toMatchObject({ state: 'waitForMasterVariant' });

    const [second] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'bare-v2', sku: 'bare-2', isMasterVariant: false, product: { typeId: 'product', key: 'bare' }, attributes: [fit, { name: 'color', type: 'text', value: 'blue' }] },
    ]);
    expect(second.state).toBe('waitForMasterVariant');

    // A master without the required attribute is refused, naming it.
    const [incomplete] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'bare-x', sku: 'bare-x', isMasterVariant: true, product: { typeId: 'product', key: 'bare' }, attributes: [{ name: 'weight', type: 'number', value: 1 }] },
    ]);
    expect(incomplete).toMatchObject({ state: 'validationFailed', errors: [{ code: 'RequiredField', field: 'masterVariant.attributes.fit' }] });

    const [master] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'bare-m', sku: 'bare-1', isMasterVariant: true, product: { typeId: 'product', key: 'bare' }, attributes: [fit, { name: 'weight', type: 'number', value: 2.5 }] },
    ]);
    expect(master).toMatchObject({ state: 'imported', resourceVersion: 2 });
    expect(await operation(second.id)).toMatchObject({ state: 'imported' });
    expect(await operation(orphan.id)).toMatchObject({ state: 'imported' });
    // The product import itself ends imported once its master variant is there.
    const settledProduct = await operation(productOperation.id);
    expect(settledProduct.state).toBe('imported');
    expect(settledProduct.resourceVersion).toBeGreaterThanOrEqual(2);

    const body = await product('bare');
    expect(body.version).toBe(4);
    expect(body.masterData.staged.masterVariant).toMatchObject({ id: 1, key: 'bare-m', sku: 'bare-1', attributes: [{ name: 'fit', value: 'slim' }, { name: 'weight', value: 2.5 }] });
    // The two woken variants may apply in either order: ids 2 and 3, one each.
    const variants = body.masterData.staged.variants as Array<{ key: string; id: number }>;
    expect(variants.map((v) => v.key).sort()).toEqual(['bare-v2', 'bare-v9']);
    expect(variants.map((v) => v.id).sort()).toEqual([2, 3]);
    expect(variants.find((v) => v.key === 'bare-v2')).toMatchObject({ sku: 'bare-2', attributes: [{ name: 'fit', value: 'slim' }, { name: 'color', value: 'blue' }] });
    // Not published: current is still the product as created, without variants.
    expect(body.masterData).toMatchObject({ published: false, hasStagedChanges: true });
    expect(body.masterData.current).not.toHaveProperty('masterVariant');

    // A new variant cannot take over as master.
    const [takeover] = await importAndDrain('product-variants', 'product-variant', [{ key: 'bare-new', isMasterVariant: true, product: { typeId: 'product', key: 'bare' }, attributes: [fit] }]);
    expect(takeover).toMatchObject({ state: 'rejected', errors: [{ code: 'NewMasterVariantAdditionNotAllowed' }] });
  });

  it('upserts an embedded price on a variant by key; publish writes it to current too', async () => {
    const price = (centAmount: number, extra: Record<string, unknown> = {}) => ({
      key: 'bare-price',
      value: eur(centAmount),
      country: 'DE',
      productVariant: { typeId: 'product-variant', key: 'bare-v2' },
      product: { typeId: 'product', key: 'bare' },
      ...extra,
    });
    const [created] = await importAndDrain('prices', 'price', [price(1000)]);
    expect(created).toMatchObject({ state: 'imported', resourceVersion: 5 });
    let body = await product('bare');
    const stagedVariant = () => body.masterData.staged.variants.find((v: { key: string }) => v.key === 'bare-v2');
    expect(stagedVariant().prices).toEqual([{ id: expect.any(String), key: 'bare-price', country: 'DE', value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1000, fractionDigits: 2 } }]);
    const priceId = stagedVariant().prices[0].id;

    const [updated] = await importAndDrain('prices', 'price', [price(1200, { publish: true })]);
    expect(updated).toMatchObject({ state: 'imported', resourceVersion: 6 });
    body = await product('bare');
    expect(stagedVariant().prices).toEqual([expect.objectContaining({ id: priceId, value: expect.objectContaining({ centAmount: 1200 }) })]);

    const [again] = await importAndDrain('prices', 'price', [price(1200, { publish: true })]);
    expect(again).toMatchObject({ state: 'imported', resourceVersion: 6 });

    // On a published product, publish puts the price into current as well; without it only staged changes.
    const p2Price = (centAmount: number, publish?: boolean) => ({
      key: 'p2-price',
      value: eur(centAmount),
      productVariant: { typeId: 'product-variant', key: 'p2-m' },
      product: { typeId: 'product', key: 'p2' },
      ...(publish !== undefined ? { publish } : {}),
    });
    await importAndDrain('prices', 'price', [p2Price(2500)]);
    let p2 = await product('p2');
    expect([p2.masterData.staged.masterVariant.prices, p2.masterData.current.masterVariant.prices].map((prices) => prices[0].value.centAmount)).toEqual([2500, 1999]);
    expect(p2.masterData.hasStagedChanges).toBe(true);
    await importAndDrain('prices', 'price', [p2Price(2600, true)]);
    p2 = await product('p2');
    expect([p2.masterData.staged.masterVariant.prices, p2.masterData.current.masterVariant.prices].map((prices) => prices[0].value.centAmount)).toEqual([2600, 2600]);
    expect(p2.masterData.hasStagedChanges).toBe(false);
    expect(p2.masterData.current.masterVariant.prices).toHaveLength(1);

    const [waiting] = await importAndDrain('prices', 'price', [{ ...price(5), key: 'later-price', productVariant: { typeId: 'product-variant', key: 'bare-v3' } }]);
    expect(waiting).toMatchObject({ state: 'unresolved', unresolvedReferences: [{ typeId: 'product-variant', key: 'bare-v3' }] });
    await importAndDrain('product-variants', 'product-variant', [{ key: 'bare-v3', isMasterVariant: false, product: { typeId: 'product', key: 'bare' }, attributes: [fit] }]);
    expect(await operation(waiting.id)).toMatchObject({ state: 'imported' });
    body = await product('bare');
    expect(body.masterData.staged.variants.find((v: { key: string }) => v.key === 'bare-v3').prices).toEqual([expect.objectContaining({ key: 'later-price' })]);
  });

  it('a batch of prices for a few products is written once per product and ends exactly as one by one (versions included)', async () => {
    const scenario = async (prefix: string) => {
      await importAndDrain('product-drafts', 'product-draft', [draft(`${prefix}1`), draft(`${prefix}2`)]);
      const price = (product: string, variant: string, key: string, centAmount: number) => ({
        key,
        value: eur(centAmount),
        productVariant: { typeId: 'product-variant', key: variant },
        product: { typeId: 'product', key: product },
      });
      const [a, b] = [`${prefix}1`, `${prefix}2`];
      return importAndDrain('prices', 'price', [
        price(a, `${a}-m`, `${a}-price`, 1999), // unchanged (the draft's own price)
        price(a, `${a}-v2`, `${a}-extra`, 500), // new
        price(b, `${b}-m`, `${b}-price`, 2500), // changed
        price(a, `${a}-m`, `${a}-price`, 999), // changed
        price(a, `${a}-v2`, `${a}-extra`, 500), // unchanged again
        { ...price(a, `${a}-m`, `${a}-wrong`, 1), product: { typeId: 'product', key: b } }, // variant of another product
      ]);
    };
    const oneByOne = jest.spyOn(priceApplier, 'apply');
    const setWise = await scenario('pbs');
    expect(oneByOne).not.toHaveBeenCalled();
    oneByOne.mockRestore();
    // The same imports one by one (the fallback when the set-wise path throws) end the same way.
    const failing = jest.spyOn(priceApplier, 'applyMany').mockRejectedValue(new Error('forced one by one'));
    const sequential = await scenario('pbq');
    failing.mockRestore();
    const outcome = (operations: Array<{ state: string; resourceVersion?: number; errors?: Array<{ code: string }> }>) =>
      operations.map((o) => [o.state, o.resourceVersion ?? o.errors?.[0]?.code]);
    expect(outcome(setWise)).toEqual([
      ['imported', 1],
      ['imported', 2],
      ['imported', 2],
      ['imported', 3],
      ['imported', 3],
      ['validationFailed', 'InvalidField'],
    ]);
    expect(outcome(sequential)).toEqual(outcome(setWise));
    for (const prefix of ['pbs', 'pbq']) {
      const body = await product(`${prefix}1`);
      expect(body.version).toBe(3);
      const staged = body.masterData.staged;
      expect(staged.masterVariant.prices.map((p: { key: string; value: { centAmount: number } }) => [p.key, p.value.centAmount])).toEqual([[`${prefix}1-price`, 999]]);
      expect(staged.variants[0].prices.map((p: { key: string }) => p.key)).toEqual([`${prefix}1-extra`]);
      expect((await product(`${prefix}2`)).version).toBe(2);
    }
  });

  it('a price for a variant that a product draft earlier in the same batch creates is applied in that batch, never unresolved', async () => {
    const [draftId] = await post('product-drafts', 'product-draft', [draft('same-batch')]);
    const [priceId] = await post('prices', 'price', [
      { key: 'same-batch-p2', value: eur(777), productVariant: { typeId: 'product-variant', key: 'same-batch-v2' }, product: { typeId: 'product', key: 'same-batch' } },
    ]);
    const result = await t.app.get(ProcessorService).runOnce();
    expect(result).toMatchObject({ claimed: 2, imported: 2 });
    expect(await operation(draftId)).toMatchObject({ state: 'imported', resourceVersion: 1 });
    expect(await operation(priceId)).toMatchObject({ state: 'imported', resourceVersion: 2 });
    const stagedVariant = (await product('same-batch')).masterData.staged.variants[0];
    expect(stagedVariant.prices.map((p: { key: string }) => p.key)).toEqual(['same-batch-p2']);
  });

  it('patches only the named attributes of a variant, staged by default or both projections; null removes one', async () => {
    const patched = draft('p8', {
      publish: true,
      masterVariant: {
        key: 'p8-m',
        sku: 'p8-sku',
        attributes: [
          { name: 'color', type: 'text', value: 'red' },
          { name: 'weight', type: 'number', value: 10 },
          { name: 'material', type: 'ltext', value: { en: 'cotton', de: 'Baumwolle' } },
        ],
      },
      variants: [],
    });
    await importAndDrain('product-drafts', 'product-draft', [patched]);
    const variantRef = { typeId: 'product-variant', key: 'p8-m' };

    const [stagedPatch] = await importAndDrain('product-variant-patches', 'product-variant-patch', [
      { productVariant: variantRef, attributes: { color: { type: 'text', value: 'blue' }, material: { type: 'ltext', value: { en: 'linen', de: null } } } },
    ]);
    expect(stagedPatch).toMatchObject({ state: 'imported', resourceVersion: 2 });
    let body = await product('p8');
    expect(body.masterData.staged.masterVariant.attributes).toEqual([
      { name: 'color', value: 'blue' },
      { name: 'weight', value: 10 },
      { name: 'material', value: { en: 'linen' } },
    ]);
    expect(body.masterData.current.masterVariant.attributes).toEqual([
      { name: 'color', value: 'red' },
      { name: 'weight', value: 10 },
      { name: 'material', value: { en: 'cotton', de: 'Baumwolle' } },
    ]);
    expect(body.masterData.hasStagedChanges).toBe(true);

    const [bothPatch] = await importAndDrain('product-variant-patches', 'product-variant-patch', [{ productVariant: variantRef, attributes: { weight: null }, staged: false }]);
    expect(bothPatch).toMatchObject({ state: 'imported', resourceVersion: 3 });
    body = await product('p8');
    expect(body.masterData.staged.masterVariant.attributes.map((a: { name: string }) => a.name)).toEqual(['color', 'material']);
    expect(body.masterData.current.masterVariant.attributes.map((a: { name: string }) => a.name)).toEqual(['color', 'material']);

    const [invalid] = await importAndDrain('product-variant-patches', 'product-variant-patch', [{ productVariant: variantRef, attributes: { weight: { type: 'text', value: 'heavy' } } }]);
    expect(invalid).toMatchObject({ state: 'validationFailed', errors: [{ code: 'InvalidField', field: 'attributes.weight' }] });
    expect((await product('p8')).version).toBe(3);
  });

  it('a VariantImport without a master becomes the master; publish on a variant import publishes the product', async () => {
    const loose = { key: 'loose', name: { en: 'Loose' }, slug: { en: 'loose' }, productType: { typeId: 'product-type', key: 'tee' }, publish: true };
    await importAndDrain('products', 'product', [loose]);
    const [first] = await importAndDrain('variants', 'variant', [{ key: 'loose-1', sku: 'loose-sku-1', product: { typeId: 'product', key: 'loose' }, attributes: [fit] }]);
    expect(first.state).toBe('imported');
    let body = await product('loose');
    expect(body.masterData.staged.masterVariant).toMatchObject({ id: 1, key: 'loose-1', sku: 'loose-sku-1' });
    // The product import (publish: true) waited for its master variant and then completed, publishing the product.
    expect(body.masterData).toMatchObject({ published: true, current: { masterVariant: { id: 1, key: 'loose-1' } } });

    const [published] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'loose-2', sku: 'loose-sku-2', isMasterVariant: false, publish: true, product: { typeId: 'product', key: 'loose' }, attributes: [fit] },
    ]);
    expect(published.state).toBe('imported');
    body = await product('loose');
    expect(body.masterData).toMatchObject({ published: true, hasStagedChanges: false });
    expect(body.masterData.current.masterVariant).toMatchObject({ id: 1, key: 'loose-1' });
    expect(body.masterData.current.variants).toEqual([expect.objectContaining({ id: 2, key: 'loose-2' })]);

    // staged: false writes the variant to both projections without publishing anything else.
    const [bothProjections] = await importAndDrain('product-variants', 'product-variant', [
      { key: 'loose-2', sku: 'loose-sku-2b', isMasterVariant: false, staged: false, product: { typeId: 'product', key: 'loose' }, attributes: [fit] },
    ]);
    expect(bothProjections.state).toBe('imported');
    body = await product('loose');
    expect(body.masterData.current.variants).toEqual([expect.objectContaining({ id: 2, sku: 'loose-sku-2b' })]);
    expect(body.masterData.hasStagedChanges).toBe(false);

    const [duplicateSku] = await importAndDrain('variants', 'variant', [{ key: 'loose-3', sku: 'p1-sku-m', product: { typeId: 'product', key: 'loose' }, attributes: [fit] }]);
    expect(duplicateSku).toMatchObject({ state: 'rejected', errors: [{ code: 'DuplicateField', field: 'sku' }] });
  });

  it('applies variants of one product from two concurrent workers without losing any', async () => {
    await importAndDrain('product-drafts', 'product-draft', [draft('busy', { variants: [] })]);
    const ids = await post(
      'product-variants',
      'product-variant',
      Array.from({ length: 20 }, (_, i) => ({ key: `busy-v${i}`, sku: `busy-sku-${i}`, isMasterVariant: false, product: { typeId: 'product', key: 'busy' } })),
    );
    const workerA = new ProcessorService(t.dataSource, t.config);
    const workerB = new ProcessorService(t.dataSource, t.config);
    await Promise.all([workerA.drain(), workerB.drain()]);
    const states = await Promise.all(ids.map(async (id) => (await operation(id)).state));
    expect(states.every((state) => state === 'imported')).toBe(true);
    const body = await product('busy');
    expect(body.version).toBe(21);
    expect(body.masterData.staged.variants.map((v: { id: number }) => v.id).sort((a: number, b: number) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const [{ count }] = (await t.dataSource.query(`SELECT count(*)::int AS count FROM product_variants WHERE project_key = $1 AND product_id = $2`, [project, body.id])) as Array<{ count: number }>;
    expect(count).toBe(21);
  });

  it('resolves tax category, state, channel and customer group references once they are created', async () => {
    const needed = ['tax-category', 'state', 'channel', 'customer-group'];
    const referencing = draft('p10', {
      taxCategory: { typeId: 'tax-category', key: 'standard' },
      state: { typeId: 'state', key: 'fresh' },
      masterVariant: {
        key: 'p10-m',
        prices: [{ key: 'p10-price', value: eur(500), channel: { typeId: 'channel', key: 'web' }, customerGroup: { typeId: 'customer-group', key: 'vip' } }],
      },
      variants: [],
    });
    const [waiting] = await importAndDrain('product-drafts', 'product-draft', [referencing]);
    expect(waiting.state).toBe('unresolved');
    expect(waiting.unresolvedReferences.map((r: { typeId: string }) => r.typeId).sort()).toEqual([...needed].sort());

    const create = async (path: string, body: Record<string, unknown>) => {
      const res = await t.http.post(`/${project}/${path}`).set(t.auth).send(body);
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    const taxCategoryId = await create('tax-categories', { key: 'standard', name: 'Standard' });
    const stateId = await create('states', { key: 'fresh', type: 'ProductState' });
    const channelId = await create('channels', { key: 'web' });
    const customerGroupId = await create('customer-groups', { key: 'vip', groupName: 'VIP' });
    await drain(t);
    expect(await operation(waiting.id)).toMatchObject({ state: 'imported', resourceVersion: 1 });
    const body = await product('p10');
    expect(body).toMatchObject({ taxCategory: { typeId: 'tax-category', id: taxCategoryId }, state: { typeId: 'state', id: stateId } });
    expect(body.masterData.staged.masterVariant.prices[0]).toMatchObject({ channel: { typeId: 'channel', id: channelId }, customerGroup: { typeId: 'customer-group', id: customerGroupId } });
  });

  it('resolves category references, waiting for the category to be imported', async () => {
    const [categorized] = await importAndDrain('product-drafts', 'product-draft', [draft('p9', { categories: [{ typeId: 'category', key: 'shirts' }] })]);
    expect(categorized.state).toBe('unresolved');
    expect(categorized.unresolvedReferences).toEqual([{ typeId: 'category', key: 'shirts' }]);
    await importAndDrain('categories', 'category', [{ key: 'shirts', name: { en: 'Shirts' }, slug: { en: 'shirts' }, orderHint: '0.5' }]);
    await drain(t);
    expect(await operation(categorized.id)).toMatchObject({ state: 'imported' });
    const { id } = (await t.http.get(`/${project}/categories/key=shirts`).set(t.auth)).body as { id: string };
    expect((await product('p9')).masterData.staged.categories).toEqual([{ typeId: 'category', id }]);
  });
});
