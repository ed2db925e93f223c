import { createTestApp, TestApp } from '../support/test-app';

describe('Import Containers API', () => {
  let t: TestApp;
  const base = '/proj-a/import-containers';

  beforeAll(async () => {
    t = await createTestApp({ MAX_CONTAINERS_PER_PROJECT: '5' });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM import_containers');
  });

  const create = (body: unknown, project = 'proj-a') => t.http.post(`/${project}/import-containers`).set(t.auth).send(body as object);

  it('creates a container (201) in the commercetools shape', async () => {
    const res = await create({ key: 'my-container', resourceType: 'product' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      key: 'my-container',
      resourceType: 'product',
      version: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastModifiedAt: expect.any(String),
    });
    expect(res.body.expiresAt).toBeUndefined();
  });

  it('computes expiresAt from a ttl retention policy', async () => {
    const res = await create({ key: 'ttl', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '2d' } } });
    expect(res.status).toBe(201);
    expect(res.body.retentionPolicy).toEqual({ strategy: 'ttl', config: { timeToLive: '2d' } });
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(2 * 86_400_000);
  });

  it.each([['59m'], ['31d'], ['0h'], ['1x'], ['']])('rejects timeToLive %p', async (timeToLive) => {
    const res = await create({ key: 'ttl-bad', retentionPolicy: { strategy: 'ttl', config: { timeToLive } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'retentionPolicy.config.timeToLive', invalidValue: timeToLive });
  });

  it('accepts the boundaries 1h and 30d', async () => {
    expect((await create({ key: 'one-hour', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '1h' } } })).status).toBe(201);
    expect((await create({ key: 'thirty-days', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '30d' } } })).status).toBe(201);
    expect((await create({ key: 'minutes', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '90m' } } })).status).toBe(201);
  });

  it('rejects a bad strategy', async () => {
    const res = await create({ key: 'strategy', retentionPolicy: { strategy: 'forever', config: { timeToLive: '2h' } } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'retentionPolicy.strategy', invalidValue: 'forever' });
  });

  it.each([['has space'], ['ümlaut'], [''], ['x'.repeat(257)], [42]])('rejects key %p with InvalidField', async (key) => {
    const res = await create({ key });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: expect.any(String) });
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'key', invalidValue: key });
  });

  it('reports a missing key with invalidValue null', async () => {
    const res = await create({});
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'key', invalidValue: null });
  });

  it('rejects an unknown resourceType', async () => {
    const res = await create({ key: 'rt', resourceType: 'spaceship' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'resourceType', invalidValue: 'spaceship' });
  });

  it('answers DuplicateField on a reused key, but the same key is free in another project', async () => {
    expect((await create({ key: 'dup' })).status).toBe(201);
    const res = await create({ key: 'dup' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: 'dup' });
    expect((await create({ key: 'dup' }, 'proj-b')).status).toBe(201);
    await t.dataSource.query(`DELETE FROM import_containers WHERE project_key = 'proj-b'`);
  });

  it('answers InvalidJsonInput on malformed JSON', async () => {
    const res = await t.http.post(base).set(t.auth).set('Content-Type', 'application/json').send('{"key": ');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe('InvalidJsonInput');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js/);
  });

  it('gets a container, and 404 ResourceNotFound for an unknown one', async () => {
    await create({ key: 'get-me' });
    const res = await t.http.get(`${base}/get-me`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body.key).toBe('get-me');
    const missing = await t.http.get(`${base}/nope`).set(t.auth);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      statusCode: 404,
      message: 'Import container nope does not exist',
      errors: [{ code: 'ResourceNotFound', message: 'Import container nope does not exist' }],
    });
  });

  it('does not show a container of another project', async () => {
    await create({ key: 'private' });
    expect((await t.http.get('/proj-b/import-containers/private').set(t.auth)).status).toBe(404);
  });

  it('updates with the current version and bumps it; a stale version gets 409 with currentVersion', async () => {
    await create({ key: 'upd' });
    const ok = await t.http.put(`${base}/upd`).set(t.auth).send({ version: 1, resourceType: 'category' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ key: 'upd', version: 2, resourceType: 'category' });
    expect(Date.parse(ok.body.lastModifiedAt)).toBeGreaterThanOrEqual(Date.parse(ok.body.createdAt));
    const stale = await t.http.put(`${base}/upd`).set(t.auth).send({ version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({ code: 'ConcurrentModification', currentVersion: 2, specifiedVersion: 1 });
    const removeType = await t.http.put(`${base}/upd`).set(t.auth).send({ version: 2 });
    expect(removeType.status).toBe(200);
    expect(removeType.body.resourceType).toBeUndefined();
  });

  it('rejects an update without version, and 404 for an unknown container', async () => {
    await create({ key: 'upd2' });
    const res = await t.http.put(`${base}/upd2`).set(t.auth).send({ resourceType: 'category' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'version', invalidValue: null });
    expect((await t.http.put(`${base}/ghost`).set(t.auth).send({ version: 1 })).status).toBe(404);
  });

  it('lets exactly one of two concurrent PUTs with the same version win', async () => {
    await create({ key: 'race' });
    for (let round = 0; round < 5; round++) {
      const version = round + 1;
      const results = await Promise.all([
        t.http.put(`${base}/race`).set(t.auth).send({ version, resourceType: 'product' }),
        t.http.put(`${base}/race`).set(t.auth).send({ version, resourceType: 'category' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const loser = results.find((r) => r.status === 409)!;
      expect(loser.body.errors[0]).toMatchObject({ code: 'ConcurrentModification', currentVersion: version + 1 });
    }
    const final = await t.http.get(`${base}/race`).set(t.auth);
    expect(final.body.version).toBe(6);
  });

  it('deletes a container, returning it; then it is gone', async () => {
    await create({ key: 'del' });
    const res = await t.http.delete(`${base}/del`).set(t.auth).set('Content-Type', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'del', version: 1 });
    expect((await t.http.get(`${base}/del`).set(t.auth)).status).toBe(404);
    expect((await t.http.delete(`${base}/del`).set(t.auth)).status).toBe(404);
  });

  it('a deleted container takes its operations and counters with it, also while accepts race the delete', async () => {
    const accept = (container: string, round: number, n: number) =>
      t.http
        .post(`/proj-a/categories/import-containers/${container}`)
        .set(t.auth)
        .send({ type: 'category', resources: Array.from({ length: 5 }, (_, i) => ({ key: `c-${round}-${n}-${i}`, name: { en: 'C' }, slug: { en: `c-${round}-${n}-${i}` } })) });
    const orphans = async () =>
      (
        (await t.dataSource.query(
          `SELECT (SELECT count(*)::int FROM import_operations op WHERE NOT EXISTS (SELECT 1 FROM import_containers c WHERE c.project_key = op.project_key AND c.id = op.container_id)) AS operations,
                  (SELECT count(*)::int FROM import_summary_counts s WHERE NOT EXISTS (SELECT 1 FROM import_containers c WHERE c.project_key = s.project_key AND c.id = s.container_id)) AS counters`,
        )) as Array<{ operations: number; counters: number }>
      )[0];
    for (let round = 0; round < 4; round++) {
      const key = `race-del-${round}`;
      expect((await create({ key })).status).toBe(201);
      expect((await accept(key, round, 0)).status).toBe(201);
      // Accepts on several pooled connections, with the delete sent in the middle of them.
      const requests = Array.from({ length: 8 }, (_, n) => accept(key, round, n + 1));
      const deleted = t.http.delete(`${base}/${key}`).set(t.auth);
      const answers = await Promise.all([...requests, ...Array.from({ length: 4 }, (_, n) => accept(key, round, n + 20))]);
      expect((await deleted).status).toBe(200);
      // Each accept either committed before the delete (201) or found no container (400): nothing in between.
      for (const answer of answers) expect([201, 400]).toContain(answer.status);
      expect(await orphans()).toEqual({ operations: 0, counters: 0 });
    }
    // The same with a container that still has its operations, deleted on its own.
    expect((await create({ key: 'full' })).status).toBe(201);
    for (let n = 0; n < 3; n++) expect((await accept('full', 9, n)).status).toBe(201);
    const [{ count }] = (await t.dataSource.query(`SELECT count(*)::int AS count FROM import_operations WHERE container_key = 'full'`)) as Array<{ count: number }>;
    expect(count).toBe(15);
    expect((await t.http.delete(`${base}/full`).set(t.auth)).status).toBe(200);
    expect(await orphans()).toEqual({ operations: 0, counters: 0 });
  });

  describe('paged query', () => {
    beforeEach(async () => {
      for (const key of ['c-3', 'a-1', 'b-2']) expect((await create({ key, resourceType: key === 'b-2' ? 'price' : 'category' })).status).toBe(201);
    });

    it('defaults to limit 20 offset 0 in creation order', async () => {
      const res = await t.http.get(base).set(t.auth).set('Content-Type', 'application/json');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ limit: 20, offset: 0, count: 3, total: 3 });
      expect(res.body.results.map((c: { key: string }) => c.key)).toEqual(['c-3', 'a-1', 'b-2']);
    });

    it('sorts by key asc/desc and by several fields', async () => {
      const asc = await t.http.get(`${base}?sort=key asc`).set(t.auth);
      expect(asc.body.results.map((c: { key: string }) => c.key)).toEqual(['a-1', 'b-2', 'c-3']);
      const desc = await t.http.get(`${base}?sort=${encodeURIComponent('key desc')}`).set(t.auth);
      expect(desc.body.results.map((c: { key: string }) => c.key)).toEqual(['c-3', 'b-2', 'a-1']);
      const multi = await t.http.get(`${base}?sort=resourceType%20desc&sort=key%20desc`).set(t.auth);
      expect(multi.body.results.map((c: { key: string }) => c.key)).toEqual(['b-2', 'c-3', 'a-1']);
    });

    it('handles limit=0, offset beyond total, limit and offset bounds', async () => {
      const zero = await t.http.get(`${base}?limit=0`).set(t.auth);
      expect(zero.status).toBe(200);
      expect(zero.body).toEqual({ limit: 0, offset: 0, count: 0, total: 3, results: [] });
      const beyond = await t.http.get(`${base}?offset=10`).set(t.auth);
      expect(beyond.body).toEqual({ limit: 20, offset: 10, count: 0, total: 3, results: [] });
      const page = await t.http.get(`${base}?limit=1&offset=1&sort=key%20asc`).set(t.auth);
      expect(page.body).toMatchObject({ limit: 1, offset: 1, count: 1, total: 3 });
      expect(page.body.results[0].key).toBe('b-2');
      expect((await t.http.get(`${base}?limit=500`).set(t.auth)).status).toBe(200);
      expect((await t.http.get(`${base}?offset=10000`).set(t.auth)).status).toBe(200);
      for (const bad of ['limit=501', 'limit=-1', 'limit=abc', 'offset=10001', 'offset=-3', 'sort=color%20asc', 'sort=key%20sideways']) {
        const res = await t.http.get(`${base}?${bad}`).set(t.auth);
        expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
        expect(res.body.errors[0].code).toBeDefined();
      }
    });
  });

  it('enforces the per-project container limit', async () => {
    for (let i = 0; i < 5; i++) expect((await create({ key: `lim-${i}` })).status).toBe(201);
    const res = await create({ key: 'lim-5' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/maximum of 5/);
    expect((await create({ key: 'other-project' }, 'proj-b')).status).toBe(201);
    await t.dataSource.query(`DELETE FROM import_containers WHERE project_key = 'proj-b'`);
  });

  it('answers unknown routes with a commercetools 404', async () => {
    const res = await t.http.get('/proj-a/nothing-here/at-all').set(t.auth);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, errors: [{ code: 'ResourceNotFound' }] });
  });

  it('serves health, openapi.json and docs', async () => {
    const health = await t.http.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.info.database.status).toBe('up');
    const openapi = await t.http.get('/openapi.json');
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.body.paths)).toContain('/{projectKey}/import-containers');
    const docs = await t.http.get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
  });
});
