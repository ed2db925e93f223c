import { createTestApp, TestApp } from '../support/test-app';
import { drain } from '../support/processor';

interface Bucket {
  start: string;
  imported: number;
  errors: number;
  canceled: number;
}
interface Throughput {
  windowSeconds: number;
  bucketSeconds: number;
  from: string;
  to: string;
  buckets: Bucket[];
  imported: number;
  errors: number;
  canceled: number;
}

/** The dashboard's read models: GET /{projectKey}/import-stats/throughput and …/import-stats/containers, over real HTTP. */
describe('import stats', () => {
  let t: TestApp;
  const productType = (key: string) => ({ key, name: `Type ${key}`, description: 'd', attributes: [{ type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true }] });
  const invalidType = (key: string) => ({ ...productType(key), attributes: [...productType(key).attributes, ...productType(key).attributes] });
  const container = (project: string, key: string) => t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
  const importTypes = (project: string, key: string, resources: unknown[]) =>
    t.http.post(`/${project}/product-types/import-containers/${key}`).set(t.auth).send({ type: 'product-type', resources }).expect(201);
  const throughput = async (project: string, query = '', header = t.auth) => {
    const res = await t.http.get(`/${project}/import-stats/throughput${query}`).set(header);
    expect(res.status).toBe(200);
    return res.body as Throughput;
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  describe('throughput', () => {
    it('answers contiguous zero buckets for a project without settled operations', async () => {
      const empty = await throughput('proj-b', '?window=60&bucket=10');
      expect(empty).toMatchObject({ windowSeconds: 60, bucketSeconds: 10, imported: 0, errors: 0, canceled: 0 });
      expect(empty.buckets).toHaveLength(6);
      expect(Date.parse(empty.to) - Date.parse(empty.from)).toBe(60_000);
      empty.buckets.forEach((bucket, i) => {
        expect(Date.parse(bucket.start)).toBe(Date.parse(empty.from) + i * 10_000);
        expect(bucket).toMatchObject({ imported: 0, errors: 0, canceled: 0 });
      });
      // Defaults: five minutes in 5-second buckets.
      const defaults = await throughput('proj-b');
      expect(defaults).toMatchObject({ windowSeconds: 300, bucketSeconds: 5 });
      expect(defaults.buckets).toHaveLength(60);
    });

    it('counts operations as they become final (imported, errors, canceled), per project, by settle time', async () => {
      await container('test', 'tp-a');
      await importTypes('test', 'tp-a', Array.from({ length: 20 }, (_, i) => productType(`tp-a-${i}`)));
      await importTypes('test', 'tp-a', [...Array.from({ length: 9 }, (_, i) => productType(`tp-b-${i}`)), invalidType('tp-bad')]);
      // Accepted but not yet processed: nothing is final.
      expect((await throughput('test')).imported).toBe(0);
      await drain(t);
      const after = await throughput('test', '?window=120&bucket=1');
      expect(after).toMatchObject({ windowSeconds: 120, bucketSeconds: 1, imported: 29, errors: 1, canceled: 0 });
      expect(after.buckets).toHaveLength(120);
      expect(after.buckets.reduce((sum, bucket) => sum + bucket.imported, 0)).toBe(29);

      // A cancel settles the open operations as canceled.
      await container('test', 'tp-cancel');
      await importTypes('test', 'tp-cancel', [productType('tp-c-1'), productType('tp-c-2')]);
      await t.http.post('/test/import-containers/tp-cancel/tasks').set(t.auth).send({ task: 'cancel' }).expect(200);
      expect(await throughput('test', '?window=120')).toMatchObject({ imported: 29, errors: 1, canceled: 2 });

      // Another project sees none of it.
      expect(await throughput('proj-a', '?window=120')).toMatchObject({ imported: 0, errors: 0, canceled: 0 });
    });

    it('places operations in the bucket of their settle time and leaves out what is older than the window', async () => {
      await container('proj-a', 'tp-time');
      await importTypes('proj-a', 'tp-time', [productType('tp-t-1'), productType('tp-t-2'), productType('tp-t-3')]);
      await drain(t);
      // Settled 100 s ago (one), 1000 s ago (one), now (one).
      await t.dataSource.query(
        `UPDATE import_operations SET last_modified_at = now() - make_interval(secs => CASE resource_key WHEN 'tp-t-1' THEN 100 ELSE 1000 END)
          WHERE project_key = 'proj-a' AND resource_key IN ('tp-t-1', 'tp-t-2')`,
      );
      const recent = await throughput('proj-a', '?window=300&bucket=60');
      expect(recent).toMatchObject({ windowSeconds: 300, imported: 2 });
      const last = recent.buckets.length - 1;
      expect(recent.buckets[last].imported).toBe(1);
      const earlier = recent.buckets.findIndex((bucket) => bucket.imported === 1);
      // 100 s back lies one or two 60-second buckets before the current one (depending on where in its bucket "now" is).
      expect([last - 1, last - 2]).toContain(earlier);
      expect((await throughput('proj-a', '?window=3600&bucket=60')).imported).toBe(3);
      expect((await throughput('proj-a', '?window=10&bucket=1')).imported).toBeLessThanOrEqual(1);
    });

    it('rounds the window up to whole buckets and rejects unbounded or malformed windows with 400', async () => {
      expect(await throughput('test', '?window=65&bucket=10')).toMatchObject({ windowSeconds: 70, bucketSeconds: 10 });
      for (const query of ['?window=5', '?window=3601', '?window=abc', '?window=60&bucket=0', '?window=60&bucket=61', '?window=3600&bucket=1', '?window=60&window=70', '?bucket=1.5']) {
        const res = await t.http.get(`/test/import-stats/throughput${query}`).set(t.auth);
        expect({ query, status: res.status, code: res.body.errors?.[0]?.code }).toEqual({ query, status: 400, code: 'InvalidInput' });
      }
    });

    it('needs view_import_containers or manage_import_containers of the project', async () => {
      const viewer = await t.client('view_import_containers:test');
      expect((await throughput('test', '?window=60', viewer.header)).imported).toBeGreaterThan(0);
      const other = await t.client('manage_project:proj-b');
      expect((await t.http.get('/test/import-stats/throughput').set(other.header)).status).toBe(403);
      const products = await t.client('view_products:test');
      expect((await t.http.get('/test/import-stats/throughput').set(products.header)).status).toBe(403);
      expect((await t.http.get('/test/import-stats/throughput')).status).toBe(401);
    });
  });

  describe('containers with their status', () => {
    beforeAll(async () => {
      for (const key of ['shop-2', 'shop-1', 'other-1', 'a_b', 'axb']) await container('proj-b', key);
      await container('proj-a', 'shop-elsewhere');
      await importTypes('proj-b', 'shop-1', [productType('ov-1'), invalidType('ov-bad')]);
      await drain(t);
      await importTypes('proj-b', 'shop-1', [productType('ov-2')]);
      await t.http.post('/proj-b/import-containers/shop-2/tasks').set(t.auth).send({ task: 'pause' }).expect(200);
    });

    it('pages and sorts like the container list, each result with the status endpoint’s answer', async () => {
      const res = await t.http.get('/proj-b/import-stats/containers?sort=key%20asc').set(t.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ limit: 20, offset: 0, count: 5, total: 5 });
      expect(res.body.results.map((c: { key: string }) => c.key)).toEqual(['a_b', 'axb', 'other-1', 'shop-1', 'shop-2']);
      for (const result of res.body.results as Array<{ key: string; status: unknown; version: number; createdAt: string }>) {
        const status = await t.http.get(`/proj-b/import-containers/${result.key}/status`).set(t.auth);
        expect(result.status).toEqual(status.body);
        const plain = await t.http.get(`/proj-b/import-containers/${result.key}`).set(t.auth);
        const { status: _status, ...container } = result;
        expect(container).toEqual(plain.body);
      }
      const shop1 = res.body.results.find((c: { key: string }) => c.key === 'shop-1');
      expect(shop1.status).toMatchObject({ state: 'running', counts: { total: 3, processing: 1, imported: 1, errors: 1 } });
      expect(res.body.results.find((c: { key: string }) => c.key === 'shop-2').status.state).toBe('paused');

      const page = await t.http.get('/proj-b/import-stats/containers?sort=key%20desc&limit=2&offset=1').set(t.auth);
      expect(page.body).toMatchObject({ limit: 2, offset: 1, count: 2, total: 5 });
      expect(page.body.results.map((c: { key: string }) => c.key)).toEqual(['shop-1', 'other-1']);
      const beyond = await t.http.get('/proj-b/import-stats/containers?offset=10').set(t.auth);
      expect(beyond.body).toMatchObject({ count: 0, total: 5, results: [] });
    });

    it('filters by key prefix (literally: _ is no wildcard), counting only the matches', async () => {
      const shop = await t.http.get('/proj-b/import-stats/containers?keyPrefix=shop&sort=key%20asc').set(t.auth);
      expect(shop.body).toMatchObject({ total: 2, count: 2 });
      expect(shop.body.results.map((c: { key: string }) => c.key)).toEqual(['shop-1', 'shop-2']);
      const underscore = await t.http.get('/proj-b/import-stats/containers?keyPrefix=a_').set(t.auth);
      expect(underscore.body.results.map((c: { key: string }) => c.key)).toEqual(['a_b']);
      const none = await t.http.get('/proj-b/import-stats/containers?keyPrefix=zzz').set(t.auth);
      expect(none.body).toMatchObject({ total: 0, count: 0, results: [] });
      expect((await t.http.get('/proj-b/import-stats/containers?keyPrefix=').set(t.auth)).body.total).toBe(5);
      for (const bad of ['sh%25', 'a%20b', 'x'.repeat(257)]) {
        const res = await t.http.get(`/proj-b/import-stats/containers?keyPrefix=${bad}`).set(t.auth);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].code).toBe('InvalidInput');
      }
      expect((await t.http.get('/proj-b/import-stats/containers?sort=status%20asc').set(t.auth)).status).toBe(400);
    });

    it('shows only the project’s own containers, to tokens of that project', async () => {
      const a = await t.http.get('/proj-a/import-stats/containers?keyPrefix=shop').set(t.auth);
      expect(a.body.results.map((c: { key: string }) => c.key)).toEqual(['shop-elsewhere']);
      const otherProject = await t.client('manage_project:proj-a');
      const denied = await t.http.get('/proj-b/import-stats/containers').set(otherProject.header);
      expect(denied.status).toBe(403);
      expect(JSON.stringify(denied.body)).not.toContain('shop-1');
      const viewer = await t.client('view_import_containers:proj-b');
      expect((await t.http.get('/proj-b/import-stats/containers').set(viewer.header)).body.total).toBe(5);
    });
  });
});
