import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * A realistic catalog imported in reverse dependency order, from several containers: everything
 * waits for what it references and ends `imported`; the read API answers as commercetools would.
 */
describe('catalog imported out of dependency order', () => {
  let t: TestApp;
  const project = 'test';

  beforeAll(async () => {
    t = await createTestApp();
    for (const key of ['catalog-a', 'catalog-b']) await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const importInto = async (container: string, path: string, type: string, resources: unknown[]) => {
    const res = await t.http.post(`/${project}/${path}/import-containers/${container}`).set(t.auth).send({ type, resources });
    expect({ path, status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ path, status: 201, body: undefined });
  };
  const summary = async (container: string) => (await t.http.get(`/${project}/import-containers/${container}/import-summaries`).set(t.auth)).body;
  const read = async (path: string) => {
    const res = await t.http.get(`/${project}/${path}`).set(t.auth);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    return res.body;
  };

  it('ends fully imported once every dependency has arrived', async () => {
    const money = (centAmount: number) => ({ type: 'centPrecision', currencyCode: 'EUR', centAmount });
    // Leaves first: prices, variants, products, drafts, stock and standalone prices…
    await importInto('catalog-a', 'standalone-prices', 'standalone-price', [{ key: 'sp-jeans-32', sku: 'jeans-32', value: money(7999), country: 'DE' }]);
    await importInto('catalog-a', 'inventories', 'inventory', [
      { key: 'stock-jeans-32', sku: 'jeans-32', quantityOnStock: 12 },
      { key: 'stock-shirt-m', sku: 'shirt-m', quantityOnStock: 3 },
    ]);
    await importInto('catalog-a', 'prices', 'price', [{ key: 'shirt-m-eur', value: money(2999), productVariant: { typeId: 'product-variant', key: 'shirt-m' }, product: { typeId: 'product', key: 'shirt' } }]);
    await importInto('catalog-a', 'product-variants', 'product-variant', [
      { key: 'shirt-l', sku: 'shirt-l', product: { typeId: 'product', key: 'shirt' }, isMasterVariant: false, attributes: [{ name: 'color', type: 'enum', value: 'blue' }, { name: 'size', type: 'text', value: 'L' }] },
    ]);
    await importInto('catalog-a', 'product-variants', 'product-variant', [
      { key: 'shirt-m', sku: 'shirt-m', product: { typeId: 'product', key: 'shirt' }, isMasterVariant: true, attributes: [{ name: 'color', type: 'enum', value: 'red' }, { name: 'size', type: 'text', value: 'M' }] },
    ]);
    await importInto('catalog-a', 'products', 'product', [
      {
        key: 'shirt',
        name: { en: 'Shirt' },
        slug: { en: 'shirt' },
        productType: { typeId: 'product-type', key: 'apparel' },
        categories: [{ typeId: 'category', key: 'men-shirts' }],
        taxCategory: { typeId: 'tax-category', key: 'standard' },
        publish: true,
      },
    ]);
    await importInto('catalog-b', 'product-drafts', 'product-draft', [
      {
        key: 'jeans',
        name: { en: 'Jeans', de: 'Jeans' },
        slug: { en: 'jeans', de: 'jeans-de' },
        productType: { typeId: 'product-type', key: 'apparel' },
        categories: [{ typeId: 'category', key: 'men' }],
        taxCategory: { typeId: 'tax-category', key: 'standard' },
        masterVariant: { key: 'jeans-32', sku: 'jeans-32', prices: [{ key: 'jeans-32-eur', value: money(7999) }], attributes: [{ name: 'color', type: 'enum', value: 'blue' }] },
        variants: [{ key: 'jeans-34', sku: 'jeans-34', attributes: [{ name: 'color', type: 'enum', value: 'blue' }, { name: 'size', type: 'text', value: '34' }] }],
      },
    ]);
    // …then the category tree, child first…
    await importInto('catalog-b', 'categories', 'category', [
      { key: 'men-shirts', name: { en: 'Shirts' }, slug: { en: 'men-shirts' }, parent: { typeId: 'category', key: 'men' }, orderHint: '0.2' },
      { key: 'men', name: { en: 'Men' }, slug: { en: 'men' }, parent: { typeId: 'category', key: 'clothing' } },
      { key: 'clothing', name: { en: 'Clothing' }, slug: { en: 'clothing' } },
    ]);
    await drain(t);
    expect((await summary('catalog-b')).states.unresolved).toBeGreaterThan(0);

    // …and the product type last.
    await importInto('catalog-b', 'product-types', 'product-type', [
      {
        key: 'apparel',
        name: 'Apparel',
        description: 'Things to wear',
        attributes: [
          { name: 'color', label: { en: 'Color' }, isRequired: true, isSearchable: true, type: { name: 'enum', values: [{ key: 'red', label: 'Red' }, { key: 'blue', label: 'Blue' }] } },
          { name: 'size', label: { en: 'Size' }, isRequired: false, isSearchable: true, type: { name: 'text' } },
        ],
      },
    ]);
    await drain(t);
    // The tax category is not importable: products wait for it until it is created through the API.
    expect((await t.http.post(`/${project}/tax-categories`).set(t.auth).send({ key: 'standard', name: 'Standard', rates: [{ name: '19%', amount: 0.19, includedInPrice: true, country: 'DE' }] })).status).toBe(201);
    await drain(t);

    for (const container of ['catalog-a', 'catalog-b']) {
      const states = (await summary(container)).states;
      const failures = await t.http.get(`/${project}/import-containers/${container}/import-operations?debug=true&limit=100`).set(t.auth);
      const notImported = (failures.body.results as Array<{ state: string }>).filter((operation) => operation.state !== 'imported');
      expect({ container, notImported }).toEqual({ container, notImported: [] });
      expect(states.imported).toBeGreaterThan(0);
    }

    const shirt = await read('products/key=shirt');
    expect(shirt.masterData.published).toBe(true);
    expect(shirt.masterData.staged.masterVariant).toMatchObject({ sku: 'shirt-m', prices: [expect.objectContaining({ key: 'shirt-m-eur', value: expect.objectContaining({ centAmount: 2999, currencyCode: 'EUR' }) })] });
    expect(shirt.masterData.staged.variants).toEqual([expect.objectContaining({ sku: 'shirt-l' })]);
    expect(shirt.taxCategory).toEqual({ typeId: 'tax-category', id: expect.any(String) });
    const menShirts = await read('categories/key=men-shirts');
    const men = await read('categories/key=men');
    const clothing = await read('categories/key=clothing');
    expect(menShirts.ancestors.map((a: { id: string }) => a.id)).toEqual([clothing.id, men.id]);
    expect(shirt.masterData.staged.categories).toEqual([{ typeId: 'category', id: menShirts.id }]);
    const jeans = await read('products/key=jeans');
    expect(jeans.masterData.published).toBe(false);
    expect(jeans.masterData.staged.variants[0]).toMatchObject({ id: 2, sku: 'jeans-34' });
    expect((await read('inventory')).total).toBe(2);
    expect((await read('standalone-prices/key=sp-jeans-32')).value).toMatchObject({ centAmount: 7999 });
    expect((await read('product-types')).results.map((type: { key: string }) => type.key)).toEqual(['apparel']);
  });
});
