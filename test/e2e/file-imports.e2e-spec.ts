import { readFileSync } from 'node:fs';
import path from 'node:path';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

const EXAMPLES = path.join(__dirname, '../../examples');
const example = (name: string) => readFileSync(path.join(EXAMPLES, name), 'utf8');

interface FileImport {
  id: string;
  state: string;
  counts: { rows: number; accepted: number; invalid: number; imported: number; failed: number; destroyed: number };
  errors: Array<{ row: number; key?: string; field?: string; code: string; message: string }>;
  errorsTotal: number;
  [field: string]: unknown;
}

/** File imports over real HTTP: formats, mapping, variant grouping, row errors, error policies, paging, wait. */
describe('file imports', () => {
  let t: TestApp;
  const project = 'test';
  let n = 0;
  const newContainer = async (resourceType?: string) => {
    const key = `files-${++n}`;
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key, ...(resourceType ? { resourceType } : {}) }).expect(201);
    return key;
  };
  const upload = (container: string, query: Record<string, string>, contentType: string, body: string | Buffer, header = t.auth) =>
    t.http.post(`/${project}/import-containers/${container}/file-imports`).query(query).set(header).set('Content-Type', contentType).send(body);
  const job = async (container: string, id: string): Promise<FileImport> => {
    const res = await t.http.get(`/${project}/import-containers/${container}/file-imports/${id}`).set(t.auth);
    expect(res.status).toBe(200);
    return res.body as FileImport;
  };
  const operations = async (container: string) =>
    (await t.http.get(`/${project}/import-containers/${container}/import-operations`).query({ limit: 500 }).set(t.auth)).body.results as Array<{
      resourceKey: string;
      state: string;
      errors?: unknown[];
    }>;

  beforeAll(async () => {
    t = await createTestApp();
    const types = await newContainer();
    await t.http.post(`/${project}/product-types/import-containers/${types}`).set(t.auth).send(JSON.parse(example('product-type.json'))).expect(201);
    await drain(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('imports the products CSV with its mapping: one product per key, variant rows grouped, prices converted; counts follow the operations', async () => {
    const container = await newContainer();
    const res = await upload(container, { resourceType: 'product-draft', mapping: example('products-mapping.json'), reference: 'erp-export-7', metadata: '{"batch":7}' }, 'text/csv', example('products.csv'));
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(`/${project}/import-containers/${container}/file-imports/${res.body.id}`);
    expect(res.body).toMatchObject({
      state: 'running',
      importContainerKey: container,
      resourceType: 'product-draft',
      format: 'csv',
      dryRun: false,
      errorPolicy: 'skipFailedRows',
      reference: 'erp-export-7',
      metadata: { batch: 7 },
      counts: { rows: 6, accepted: 6, invalid: 0, imported: 0, failed: 0, destroyed: 0 },
      errors: [],
      errorsTotal: 0,
    });
    // One operation per product, in file order.
    const ops = await operations(container);
    expect(ops.map((op) => op.resourceKey)).toEqual(['tshirt', 'hoodie', 'cap']);

    await drain(t);
    const done = await job(container, res.body.id);
    expect(done).toMatchObject({ state: 'completed', counts: { rows: 6, accepted: 6, imported: 6, failed: 0 } });
    expect(done.completedAt).toEqual(expect.any(String));

    const product = (await t.http.get(`/${project}/products/key=tshirt`).set(t.auth).expect(200)).body;
    const staged = product.masterData.staged;
    expect(staged.name).toEqual({ en: 'Basic T-Shirt' });
    expect(staged.masterVariant.sku).toBe('TS-S');
    expect(staged.masterVariant.prices[0].value).toMatchObject({ centAmount: 1999, currencyCode: 'EUR' });
    expect(staged.variants.map((v: { sku: string }) => v.sku)).toEqual(['TS-M', 'TS-L']);
    expect(staged.variants[1].prices[0].value.centAmount).toBe(2199);
  });

  it('reports bad rows with row numbers and fields and stores the good ones (skipFailedRows); a bad row invalidates its whole product', async () => {
    const container = await newContainer();
    const csv = [
      'key,name.en,slug.en,productType,variant.key,variant.sku,variant.prices[0].key,variant.prices[0].value.centAmount,variant.prices[0].value.currencyCode',
      'good-1,Good,good-1,apparel,good-1-a,G1A,g1a,100,EUR',
      'bad-1,Bad,bad-1,apparel,bad-1-a,B1A,b1a,not-a-number,EUR',
      'bad-1,,,,bad-1-b,B1B,b1b,200,EUR',
      'good-2,Good 2,good-2,apparel,good-2-a,G2A,g2a,300,EUR',
      'good-2,Other name,,,good-2-b,G2B,g2b,300,EUR',
      'x,No slug,,apparel,x-a,XA,xa,1,EUR',
    ].join('\n');
    const res = await upload(container, { resourceType: 'product-draft' }, 'text/csv', csv);
    expect(res.status).toBe(202);
    const body = res.body as FileImport;
    expect(body.counts).toEqual({ rows: 6, accepted: 1, invalid: 5, imported: 0, failed: 0, destroyed: 0 });
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 2, key: 'bad-1', field: 'masterVariant.prices.0.value.centAmount', code: 'InvalidField' }),
        expect.objectContaining({ row: 3, key: 'bad-1', code: 'InvalidInput' }),
        expect.objectContaining({ row: 5, key: 'good-2', field: 'name', code: 'InvalidField' }),
        expect.objectContaining({ row: 4, key: 'good-2' }),
        expect.objectContaining({ row: 6, field: 'key', code: 'InvalidField' }),
        expect.objectContaining({ row: 6, field: 'slug', code: 'InvalidField' }),
      ]),
    );
    expect(body.errorsTotal).toBe(body.errors.length);
    expect((await operations(container)).map((op) => op.resourceKey)).toEqual(['good-1']);
  });

  it('rejectAll stores nothing when any row is invalid and reports every bad row; without bad rows it stores everything', async () => {
    const container = await newContainer();
    const lines = ['key,name.en,slug.en', 'cat-a,A,cat-a', 'cat-b,,cat-b', 'cat-c,C,cat-c', 'c,D,cat-d'];
    const rejected = await upload(container, { resourceType: 'category', errorPolicy: 'rejectAll' }, 'text/csv', lines.join('\n'));
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ state: 'failed', errorPolicy: 'rejectAll', counts: { rows: 4, accepted: 2, invalid: 2 } });
    expect(rejected.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [2, 'name'],
      [4, 'key'],
    ]);
    expect(await operations(container)).toEqual([]);

    const accepted = await upload(container, { resourceType: 'category', errorPolicy: 'rejectAll' }, 'text/csv', [lines[0], lines[1], lines[3]].join('\n'));
    expect(accepted.status).toBe(202);
    expect(accepted.body.counts).toMatchObject({ rows: 2, accepted: 2, invalid: 0 });
    expect((await operations(container)).map((op) => op.resourceKey)).toEqual(['cat-a', 'cat-c']);
  });

  it('imports NDJSON categories as resources, and a JSON array; a malformed NDJSON line is that row’s error', async () => {
    const container = await newContainer();
    const res = await upload(container, { resourceType: 'category', wait: '0' }, 'application/x-ndjson', example('categories.ndjson'));
    expect(res.status).toBe(202);
    expect(res.body.counts).toMatchObject({ rows: 3, accepted: 3, invalid: 0 });
    await drain(t);
    expect((await job(container, res.body.id)).counts).toMatchObject({ imported: 3, failed: 0 });
    const tops = (await t.http.get(`/${project}/categories/key=tops`).set(t.auth).expect(200)).body;
    expect(tops.orderHint).toBe('0.2');

    const broken = '{"key":"nd-1","name":{"en":"1"},"slug":{"en":"nd-1"}}\n{not json\n{"key":"nd-3","name":{"en":"3"},"slug":{"en":"nd-3"}}\n';
    const second = await upload(container, { resourceType: 'category' }, 'application/x-ndjson', broken);
    expect(second.body.counts).toMatchObject({ rows: 3, accepted: 2, invalid: 1 });
    expect(second.body.errors).toEqual([expect.objectContaining({ row: 2, code: 'InvalidInput' })]);

    const array = JSON.stringify([
      { key: 'arr-1', name: { en: 'A1' }, slug: { en: 'arr-1' } },
      { key: 'arr-2', name: { en: 'A2' } },
    ]);
    const third = await upload(container, { resourceType: 'category' }, 'application/json', array);
    expect(third.body).toMatchObject({ format: 'json', counts: { rows: 2, accepted: 1, invalid: 1 } });
    expect(third.body.errors).toEqual([expect.objectContaining({ row: 2, key: 'arr-2', field: 'slug' })]);
  });

  it('imports the orders XML with its mapping (attributes by @name, text converted to integers)', async () => {
    const container = await newContainer();
    const res = await upload(container, { resourceType: 'order', mapping: example('orders-mapping.json') }, 'application/xml', example('orders.xml'));
    expect(res.body).toMatchObject({ format: 'xml', counts: { rows: 2, accepted: 2, invalid: 0 }, errors: [] });
    await drain(t);
    const done = await job(container, res.body.id);
    expect(done).toMatchObject({ state: 'completed', counts: { imported: 2 } });
    const order = (await t.http.get(`/${project}/orders/order-number=ORD-1001`).set(t.auth).expect(200)).body;
    expect(order.customerEmail).toBe('ada@example.com');
    expect(order.totalPrice).toMatchObject({ centAmount: 4998, currencyCode: 'EUR' });
  });

  it('without a mapping takes CSV columns as target paths; header=false takes 1-based positions; other delimiters, quotes and encodings', async () => {
    const container = await newContainer();
    const semicolons = 'key;quantityOnStock;sku\ninv-1;12;SKU-1\ninv-2;\'1;2\';SKU-2\n';
    const res = await upload(container, { resourceType: 'inventory', delimiter: ';', quote: "'" }, 'text/csv', semicolons);
    expect(res.body.counts).toMatchObject({ rows: 2, accepted: 1, invalid: 1 });
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'quantityOnStock', code: 'InvalidField' })]);

    const positional = await upload(
      container,
      { resourceType: 'inventory', header: 'false', mapping: JSON.stringify([{ extract: '1', generate: 'key' }, { extract: '2', generate: 'sku' }, { extract: '3', generate: 'quantityOnStock' }]) },
      'text/csv',
      'inv-3,SKU-3,5\ninv-4,SKU-4,6\n',
    );
    expect(positional.body.counts).toMatchObject({ rows: 2, accepted: 2 });

    const latin1 = Buffer.from('key,name.en,slug.en\ncat-ü,Grüße,gruesse\n', 'latin1');
    const categories = await newContainer();
    const encoded = await upload(categories, { resourceType: 'category', encoding: 'latin1' }, 'text/csv', latin1);
    expect(encoded.body.counts).toMatchObject({ rows: 1, invalid: 1 });
    expect(encoded.body.errors[0]).toMatchObject({ row: 1, field: 'key', key: 'cat-ü' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('key,name.en,slug.en\nbom-1,Bom,bom-1\n')]);
    expect((await upload(categories, { resourceType: 'category' }, 'text/csv', bom)).body.counts).toMatchObject({ rows: 1, accepted: 1 });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('key,name.en,slug.en\nu16-1,Grüße,u16-1\n', 'utf16le')]);
    expect((await upload(categories, { resourceType: 'category', encoding: 'utf-16le' }, 'text/csv', utf16)).body.counts).toMatchObject({ rows: 1, accepted: 1 });
    await drain(t);
    expect((await t.http.get(`/${project}/categories/key=u16-1`).set(t.auth).expect(200)).body.name).toEqual({ en: 'Grüße' });
  });

  it('answers 200 within wait once the operations are final, and 200 at once when nothing is left to process', async () => {
    const container = await newContainer();
    const pending = upload(container, { resourceType: 'category', wait: '30' }, 'application/x-ndjson', '{"key":"w-1","name":{"en":"W"},"slug":{"en":"w-1"}}\n');
    // Drive the processor until the waiting request comes back (no sleeps: the answer is the condition).
    let answered = false;
    const response = pending.then((res) => {
      answered = true;
      return res;
    });
    while (!answered) {
      await drain(t);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const res = await response;
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.body).toMatchObject({ state: 'completed', counts: { rows: 1, accepted: 1, imported: 1 } });

    const allBad = await upload(container, { resourceType: 'category' }, 'text/csv', 'key,name.en\nb,x\n');
    expect(allBad.status).toBe(200);
    expect(allBad.body).toMatchObject({ state: 'completed', counts: { rows: 1, accepted: 0, invalid: 1 } });
  });

  it('lists a container’s file imports with paging and gets one; unknown ids and containers are 404', async () => {
    const container = await newContainer();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await upload(container, { resourceType: 'category' }, 'text/csv', `key,name.en,slug.en\nl-${i},L,l-${i}\n`)).body.id as string);
    const page = await t.http.get(`/${project}/import-containers/${container}/file-imports`).query({ limit: 2, offset: 1 }).set(t.auth);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ limit: 2, offset: 1, count: 2, total: 3 });
    expect(page.body.results.map((r: FileImport) => r.id)).toEqual(ids.slice(1));
    const viewer = await t.client(`view_import_containers:${project}`);
    expect((await t.http.get(`/${project}/import-containers/${container}/file-imports/${ids[0]}`).set(viewer.header)).status).toBe(200);
    const unknown = await t.http.get(`/${project}/import-containers/${container}/file-imports/00000000-0000-4000-8000-000000000000`).set(t.auth);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe('ResourceNotFound');
    expect((await t.http.get(`/${project}/import-containers/${container}/file-imports/not-a-uuid`).set(t.auth)).status).toBe(404);
    expect((await t.http.get(`/${project}/import-containers/nope/file-imports`).set(t.auth)).status).toBe(404);
    // Another project never sees it.
    expect((await t.http.get(`/proj-a/import-containers/${container}/file-imports/${ids[0]}`).set(t.auth)).status).toBe(404);
  });

  it('rejects requests that cannot start with a 400 naming the option, and checks the resource type’s scope', async () => {
    const container = await newContainer();
    const csv = 'key,name.en,slug.en\na1,A,a1\n';
    const bad = async (query: Record<string, string>, contentType = 'text/csv') => {
      const res = await upload(container, query, contentType, csv);
      expect(res.status).toBe(400);
      return res.body as { errors: Array<{ code: string; field?: string; message: string }> };
    };
    expect((await bad({})).errors[0]).toMatchObject({ field: 'resourceType' });
    expect((await bad({ resourceType: 'widget' })).errors[0]).toMatchObject({ code: 'InvalidField', field: 'resourceType' });
    expect((await bad({ resourceType: 'category', errorPolicy: 'maybe' })).errors[0]).toMatchObject({ field: 'errorPolicy' });
    expect((await bad({ resourceType: 'category', wait: '31' })).errors[0]).toMatchObject({ field: 'wait' });
    expect((await bad({ resourceType: 'category', dryRun: 'yes' })).errors[0]).toMatchObject({ field: 'dryRun' });
    expect((await bad({ resourceType: 'category', colour: 'blue' })).errors[0]).toMatchObject({ code: 'InvalidInput', field: 'colour' });
    expect((await bad({ resourceType: 'category', format: 'xlsx' })).errors[0]).toMatchObject({ field: 'format' });
    expect((await bad({ resourceType: 'category', mapping: '[{"extract":"a","generate":"nmae.en"}]' })).errors[0]).toMatchObject({ code: 'InvalidField', field: 'mapping[0].generate' });
    expect((await bad({ resourceType: 'category', mapping: 'not json' })).errors[0]).toMatchObject({ field: 'mapping' });
    const unknownContainer = await t.http.post(`/${project}/import-containers/nope/file-imports`).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(csv);
    expect(unknownContainer.status).toBe(400);
    const unsupported = await upload(container, { resourceType: 'category' }, 'text/plain', csv);
    expect(unsupported.status).toBe(415);

    const containersOnly = await t.client(`manage_import_containers:${project}`);
    const denied = await upload(container, { resourceType: 'category' }, 'text/csv', csv, containersOnly.header);
    expect(denied.status).toBe(403);
    const both = await t.client(`manage_import_containers:${project} manage_products:${project}`);
    expect((await upload(container, { resourceType: 'category' }, 'text/csv', csv, both.header)).status).toBe(202);
    const productsOnly = await t.client(`manage_products:${project}`);
    expect((await upload(container, { resourceType: 'category' }, 'text/csv', csv, productsOnly.header)).status).toBe(403);
    // Nothing was stored for the refused requests.
    expect((await operations(container)).length).toBe(1);
  });
});
