import { RESOURCE_TYPES } from '../../libs/import/src';
import { ctExample, EXAMPLE_REQUESTS, productDraft } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';
import { drain } from '../support/processor';

describe('Import requests, operations and summaries', () => {
  let t: TestApp;
  const project = 'test';

  beforeAll(async () => {
    t = await createTestApp({ BODY_LIMIT_BYTES: '200000' });
  });
  afterAll(async () => {
    await t.close();
  });

  const createContainer = async (key: string, resourceType?: string) => {
    const res = await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key, ...(resourceType ? { resourceType } : {}) });
    expect(res.status).toBe(201);
  };
  const post = (path: string, container: string, body: unknown, auth = t.auth) => t.http.post(`/${project}/${path}/import-containers/${container}`).set(auth).send(body as object);
  const operationCount = async () => Number(((await t.dataSource.query(`SELECT count(*)::int AS n FROM import_operations`)) as Array<{ n: number }>)[0].n);

  it('serves all 18 import paths of the ImportResourceType enum', () => {
    expect(RESOURCE_TYPES.map((info) => info.path).sort()).toEqual(Object.keys(EXAMPLE_REQUESTS).sort());
  });

  describe.each(RESOURCE_TYPES.map((info) => [info.path, info]))('%s', (path, info) => {
    const container = `c-${path}`;
    beforeAll(async () => createContainer(container));

    it('accepts the official example (201) and stores one operation per resource', async () => {
      const body = ctExample(EXAMPLE_REQUESTS[path]);
      const items = body[info.itemsField] as unknown[];
      const res = await post(path, container, body);
      expect({ status: res.status, body: res.status === 201 ? undefined : res.body }).toEqual({ status: 201, body: undefined });
      expect(res.body.operationStatus).toHaveLength(items.length);
      for (const status of res.body.operationStatus) expect(status).toEqual({ operationId: expect.stringMatching(/^[0-9a-f-]{36}$/), state: 'processing' });
      const operation = await t.http.get(`/${project}/import-operations/${res.body.operationStatus[0].operationId}`).set(t.auth);
      expect(operation.status).toBe(200);
      expect(operation.body).toMatchObject({ version: 1, importContainerKey: container, state: 'processing', resourceKey: expect.any(String) });
      expect(Date.parse(operation.body.expiresAt) - Date.parse(operation.body.createdAt)).toBe(48 * 3600 * 1000);
    });

    it('rejects a wrong type, an empty list and more than 20 items, storing nothing', async () => {
      const before = await operationCount();
      const body = ctExample(EXAMPLE_REQUESTS[path]);
      const wrongType = await post(path, container, { ...body, type: info.type === 'category' ? 'product' : 'category' });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'type' });
      const empty = await post(path, container, { type: info.type, [info.itemsField]: [] });
      expect(empty.status).toBe(400);
      expect(empty.body.errors[0]).toMatchObject({ code: 'InvalidField', field: info.itemsField });
      const item = (body[info.itemsField] as unknown[])[0];
      const tooMany = await post(path, container, { type: info.type, [info.itemsField]: Array.from({ length: 21 }, () => item) });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.errors[0]).toMatchObject({ code: 'InvalidField', field: info.itemsField });
      expect(await operationCount()).toBe(before);
    });

    it(`needs the resource scope (${info.scopes[0]}), not the container scope`, async () => {
      const containersOnly = await t.client(`manage_import_containers:${project}`);
      const denied = await post(path, container, ctExample(EXAMPLE_REQUESTS[path]), containersOnly.header);
      expect(denied.status).toBe(403);
      expect(denied.body.errors[0].code).toBe('insufficient_scope');
      const resourceScope = await t.client(`${info.scopes[0]}:${project}`);
      expect((await post(path, container, ctExample(EXAMPLE_REQUESTS[path]), resourceScope.header)).status).toBe(201);
    });
  });

  it('processes one official example of every type to a final state: nothing stays processing', async () => {
    // Its own database: operations of the same keys from the other tests would queue ahead of these.
    const own = await createTestApp();
    try {
      await own.http.post(`/${project}/import-containers`).set(own.auth).send({ key: 'every-type' }).expect(201);
      const typeOf = new Map<string, string>();
      for (const info of RESOURCE_TYPES) {
        const res = await own.http.post(`/${project}/${info.path}/import-containers/every-type`).set(own.auth).send(ctExample(EXAMPLE_REQUESTS[info.path]));
        expect(res.status).toBe(201);
        for (const status of res.body.operationStatus as Array<{ operationId: string }>) typeOf.set(status.operationId, info.type);
      }
      await drain(own);
      const summary = await own.http.get(`/${project}/import-containers/every-type/import-summaries`).set(own.auth);
      expect(summary.body.total).toBeGreaterThanOrEqual(18);
      expect(summary.body.states.processing).toBe(0);
      const page = await own.http.get(`/${project}/import-containers/every-type/import-operations?limit=100&debug=true`).set(own.auth);
      const byType = new Map<string, string[]>();
      for (const operation of page.body.results as Array<{ id: string; state: string }>) {
        // An ImportOperation carries no resourceType (as commercetools): the type is known from the request.
        expect(operation).not.toHaveProperty('resourceType');
        const type = typeOf.get(operation.id)!;
        byType.set(type, [...(byType.get(type) ?? []), operation.state]);
      }
      expect([...byType.keys()].sort()).toEqual(RESOURCE_TYPES.map((info) => info.type).sort());
      for (const states of byType.values()) for (const state of states) expect(state).not.toBe('processing');
    } finally {
      await own.close();
    }
  });

  describe('validation errors name the field', () => {
    beforeAll(async () => createContainer('invalid'));

    it.each([
      ['products', { type: 'product', resources: [{ key: 'p1', name: { en: 'x' }, productType: { typeId: 'product-type', key: 'pt' }, slug: { en: 'x' }, variants: [] }] }, 'resources.0.variants'],
      ['products', { type: 'product', resources: [{ key: 'p1', name: { en: 'x' }, productType: { typeId: 'product-type', key: 'p' }, slug: { en: 'x' } }] }, 'resources.0.productType.key'],
      ['categories', { type: 'category', resources: [{ key: 'c', name: { en: 'x' }, slug: { en: 'x' } }] }, 'resources.0.key'],
      ['categories', { type: 'category', resources: [{ key: 'cat', name: { en: 5 }, slug: { en: 'x' } }] }, 'resources.0.name.en'],
      ['prices', { type: 'price', resources: [{ key: 'pr', value: { type: 'centPrecision', currencyCode: 'EUR', centAmount: 1.5 }, productVariant: { typeId: 'product-variant', key: 'v1' }, product: { typeId: 'product', key: 'p1' } }] }, 'resources.0.value.centAmount'],
      ['customers', { type: 'customer', resources: [{ key: 'cu', email: 'a@b.c', authenticationMode: 'Magic' }] }, 'resources.0.authenticationMode'],
    ])('%s: %j → %s', async (path, body, field) => {
      const res = await post(path, 'invalid', body);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: expect.any(String), field, invalidValue: expect.anything(), resourceIndex: 0 })]));
    });

    it('reports a missing required field with invalidValue null and resourceIndex', async () => {
      const res = await post('product-drafts', 'invalid', { type: 'product-draft', resources: [productDraft('ok-1'), { ...productDraft('ok-2'), key: undefined }] });
      expect(res.status).toBe(400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ code: 'InvalidField', field: 'resources.1.key', invalidValue: null, resourceIndex: 1 }));
    });

    it('is atomic: 19 valid resources and 1 invalid store nothing', async () => {
      const before = await operationCount();
      const resources = Array.from({ length: 20 }, (_, i) => productDraft(`atomic-${i}`));
      (resources[13] as { slug: unknown }).slug = 'not-localized';
      const res = await post('product-drafts', 'invalid', { type: 'product-draft', resources });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field: 'resources.13.slug', resourceIndex: 13 })]);
      expect(await operationCount()).toBe(before);
    });

    it('rejects malformed JSON, a non-object body and an oversized body', async () => {
      const malformed = await t.http.post(`/${project}/products/import-containers/invalid`).set(t.auth).set('Content-Type', 'application/json').send('{"type":');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].code).toBe('InvalidJsonInput');
      const notObject = await t.http.post(`/${project}/products/import-containers/invalid`).set(t.auth).set('Content-Type', 'application/json').send('"product"');
      expect(notObject.status).toBe(400);
      const huge = { type: 'product-draft', resources: [{ ...productDraft('huge'), description: { en: 'x'.repeat(250_000) } }] };
      const tooLarge = await post('product-drafts', 'invalid', huge);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.statusCode).toBe(413);
    });

    it('answers 400 for an unknown container and for a container restricted to another type', async () => {
      const missing = await post('product-drafts', 'no-such-container', { type: 'product-draft', resources: [productDraft()] });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toBe('Import container key in uri does not exist.');
      await createContainer('only-categories', 'category');
      const mismatch = await post('product-drafts', 'only-categories', { type: 'product-draft', resources: [productDraft()] });
      expect(mismatch.status).toBe(400);
      expect(mismatch.body.message).toMatch(/only resources of type 'category'/);
      expect((await post('categories', 'only-categories', ctExample('category-import-request.json'))).status).toBe(201);
    });
  });

  describe('operations and summaries', () => {
    let ids: string[] = [];
    beforeAll(async () => {
      await createContainer('ops');
      ids = [];
      for (let batch = 0; batch < 3; batch++) {
        const resources = Array.from({ length: 20 }, (_, i) => productDraft(`ops-${batch}-${i}`));
        const res = await post('product-drafts', 'ops', { type: 'product-draft', resources });
        expect(res.status).toBe(201);
        ids.push(...res.body.operationStatus.map((s: { operationId: string }) => s.operationId));
      }
      // Settle a few, as the processor would, to exercise state filters and counters.
      await t.dataSource.query(`UPDATE import_operations SET state = 'imported', resource_version = 1 WHERE id = ANY($1::uuid[])`, [ids.slice(0, 5)]);
      await t.dataSource.query(`UPDATE import_operations SET state = 'unresolved', unresolved_references = '[{"typeId":"product-type","key":"default-type"}]' WHERE id = $1`, [ids[5]]);
    });

    it('summarises all eight states', async () => {
      const res = await t.http.get(`/${project}/import-containers/ops/import-summaries`).set(t.auth);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        states: { processing: 54, validationFailed: 0, unresolved: 1, waitForMasterVariant: 0, imported: 5, rejected: 0, canceled: 0, partiallyImported: 0 },
        total: 60,
      });
      expect((await t.http.get(`/${project}/import-containers/none/import-summaries`).set(t.auth)).status).toBe(404);
    });

    it('pages operations in acceptance order', async () => {
      const first = await t.http.get(`/${project}/import-containers/ops/import-operations?limit=25`).set(t.auth);
      expect(first.body).toMatchObject({ limit: 25, offset: 0, count: 25, total: 60 });
      expect(first.body.results.map((o: { id: string }) => o.id)).toEqual(ids.slice(0, 25));
      const last = await t.http.get(`/${project}/import-containers/ops/import-operations?limit=25&offset=50`).set(t.auth);
      expect(last.body).toMatchObject({ count: 10, total: 60 });
      expect(last.body.results.map((o: { id: string }) => o.id)).toEqual(ids.slice(50));
      const zero = await t.http.get(`/${project}/import-containers/ops/import-operations?limit=0`).set(t.auth);
      expect(zero.body).toEqual({ limit: 0, offset: 0, count: 0, total: 60, results: [] });
      const desc = await t.http.get(`/${project}/import-containers/ops/import-operations?sort=createdAt%20desc&limit=1`).set(t.auth);
      expect(desc.body.results[0].id).toBe(ids[59]);
      expect((await t.http.get(`/${project}/import-containers/ops/import-operations?limit=501`).set(t.auth)).status).toBe(400);
      expect((await t.http.get(`/${project}/import-containers/ops/import-operations?offset=10001`).set(t.auth)).status).toBe(400);
    });

    it('filters by state and resourceKey; debug shows unresolved references and errors', async () => {
      const imported = await t.http.get(`/${project}/import-containers/ops/import-operations?state=imported`).set(t.auth);
      expect(imported.body).toMatchObject({ total: 5, count: 5 });
      expect(imported.body.results.every((o: { state: string; resourceVersion: number }) => o.state === 'imported' && o.resourceVersion === 1)).toBe(true);
      const byKey = await t.http.get(`/${project}/import-containers/ops/import-operations?resourceKey=ops-1-3`).set(t.auth);
      expect(byKey.body).toMatchObject({ total: 1, count: 1 });
      expect(byKey.body.results[0]).toMatchObject({ resourceKey: 'ops-1-3', id: ids[23] });
      const plain = await t.http.get(`/${project}/import-containers/ops/import-operations?state=unresolved`).set(t.auth);
      expect(plain.body.results[0].unresolvedReferences).toBeUndefined();
      const debug = await t.http.get(`/${project}/import-containers/ops/import-operations?state=unresolved&debug=true`).set(t.auth);
      expect(debug.body.results[0].unresolvedReferences).toEqual([{ typeId: 'product-type', key: 'default-type' }]);
      expect((await t.http.get(`/${project}/import-containers/ops/import-operations?state=sleeping`).set(t.auth)).status).toBe(400);
    });

    it('404s operations of unknown ids and of other projects', async () => {
      expect((await t.http.get(`/${project}/import-operations/${ids[0]}`).set(t.auth)).status).toBe(200);
      expect((await t.http.get(`/proj-a/import-operations/${ids[0]}`).set(t.auth)).status).toBe(404);
      expect((await t.http.get(`/${project}/import-operations/not-a-uuid`).set(t.auth)).status).toBe(404);
      expect((await t.http.get(`/${project}/import-containers/nope/import-operations`).set(t.auth)).status).toBe(404);
    });

    it('deleting the container removes its operations and counters', async () => {
      await createContainer('doomed');
      await post('product-drafts', 'doomed', { type: 'product-draft', resources: [productDraft(), productDraft()] });
      const before = await operationCount();
      expect((await t.http.delete(`/${project}/import-containers/doomed`).set(t.auth)).status).toBe(200);
      expect(await operationCount()).toBe(before - 2);
      const counters = (await t.dataSource.query(`SELECT count(*)::int AS n FROM import_summary_counts c WHERE NOT EXISTS (SELECT 1 FROM import_containers i WHERE i.id = c.container_id)`)) as Array<{ n: number }>;
      expect(counters[0].n).toBe(0);
    });

    it('keeps the counters equal to a full count after concurrent requests', async () => {
      await createContainer('concurrent');
      await Promise.all(Array.from({ length: 8 }, (_, c) => post('product-drafts', 'concurrent', { type: 'product-draft', resources: Array.from({ length: 20 }, (_, i) => productDraft(`cc-${c}-${i}`)) })));
      const summary = await t.http.get(`/${project}/import-containers/concurrent/import-summaries`).set(t.auth);
      const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM import_operations WHERE container_key = 'concurrent'`)) as Array<{ n: number }>;
      expect(summary.body.total).toBe(160);
      expect(n).toBe(160);
    });
  });
});
