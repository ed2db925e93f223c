import { productDraft } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

describe('Container clone', () => {
  let t: TestApp;
  let manager: { clientId: string; header: Record<string, string> };
  const base = '/proj-a/import-containers';

  beforeAll(async () => {
    t = await createTestApp({ MAX_CONTAINERS_PER_PROJECT: '4' });
    manager = await t.client('manage_import_containers:proj-a manage_import_containers:proj-b manage_products:proj-a');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM import_containers');
  });

  const createContainer = (body: Record<string, unknown>, project = 'proj-a') => t.http.post(`/${project}/import-containers`).set(manager.header).send(body);
  const clone = (source: string, body: unknown, project = 'proj-a', header = manager.header) => t.http.post(`/${project}/import-containers/${source}/clone`).set(header).send(body as object);

  it('copies resourceType and retentionPolicy with a new expiresAt from now, version 1, no operations', async () => {
    await createContainer({ key: 'nightly', resourceType: 'product-draft', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '2d' } } });
    const accepted = await t.http.post(`/proj-a/product-drafts/import-containers/nightly`).set(manager.header).send({ type: 'product-draft', resources: [productDraft()] });
    expect(accepted.status).toBe(201);
    await t.http.put(`${base}/nightly`).set(manager.header).send({ version: 1, resourceType: 'product-draft' });
    // The source is older than its clone: its expiry was counted from its own creation.
    await t.dataSource.query(`UPDATE import_containers SET created_at = created_at - interval '1 day', expires_at = expires_at - interval '1 day' WHERE key = 'nightly'`);
    const before = Date.now();

    const res = await clone('nightly', { key: 'nightly-copy' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      key: 'nightly-copy',
      resourceType: 'product-draft',
      version: 1,
      retentionPolicy: { strategy: 'ttl', config: { timeToLive: '2d' } },
      createdAt: expect.any(String),
      lastModifiedAt: expect.any(String),
      expiresAt: expect.any(String),
    });
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(2 * 86_400_000);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    // Same representation as GET (and POST) of import containers.
    expect((await t.http.get(`${base}/nightly-copy`).set(manager.header)).body).toEqual(res.body);
    const operations = await t.http.get(`${base}/nightly-copy/import-operations`).set(manager.header);
    expect(operations.status).toBe(200);
    expect(operations.body.total).toBe(0);
    const summary = await t.http.get(`${base}/nightly-copy/import-summaries`).set(manager.header);
    expect(summary.body.total).toBe(0);
    expect((await t.http.get(`${base}/nightly`).set(manager.header)).body.version).toBe(2);
  });

  it('a container without type or policy clones to one without them', async () => {
    await createContainer({ key: 'plain' });
    const res = await clone('plain', { key: 'plain-2' });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'key', 'lastModifiedAt', 'version']);
  });

  it('an unknown source is 404, a duplicate key DuplicateField, a bad body 400', async () => {
    await createContainer({ key: 'src' });
    await createContainer({ key: 'taken' });
    const missing = await clone('ghost', { key: 'new' });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toEqual({ code: 'ResourceNotFound', message: 'Import container ghost does not exist' });
    const dup = await clone('src', { key: 'taken' });
    expect(dup.status).toBe(400);
    expect(dup.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: 'taken' });
    for (const body of [{}, { key: '' }, { key: 'has space' }, { key: 'k'.repeat(257) }, { key: 'ok', resourceType: 'category' }]) {
      const res = await clone('src', body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('InvalidField');
    }
    const notObject = await t.http.post(`${base}/src/clone`).set(manager.header).set('Content-Type', 'application/json').send('["x"]');
    expect(notObject.status).toBe(400);
    expect(notObject.body.errors[0].code).toBe('InvalidJsonInput');
    expect((await t.http.get(base).set(manager.header)).body.total).toBe(2);
  });

  it('respects the per-project container limit, also under concurrent clones', async () => {
    await createContainer({ key: 'seed' });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => clone('seed', { key: `seed-${i}` })));
    expect(results.filter((res) => res.status === 201)).toHaveLength(3);
    for (const res of results.filter((r) => r.status !== 201)) {
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('InvalidOperation');
    }
    expect((await t.http.get(base).set(manager.header)).body.total).toBe(4);
  });

  it('records ImportContainerCreated with the actor and clonedFrom, in the same transaction', async () => {
    await createContainer({ key: 'evt', resourceType: 'category' });
    const res = await clone('evt', { key: 'evt-copy' });
    await clone('evt', { key: 'evt-copy' }); // a failed clone records nothing
    const events = (await t.dataSource.query(
      `SELECT type, resource_key, actor, data FROM import_events WHERE project_key = 'proj-a' AND resource_type_id = 'import-container' AND resource_key = 'evt-copy' ORDER BY sequence_number`,
    )) as Array<{ type: string; resource_key: string; actor: string; data: Record<string, unknown> }>;
    expect(events).toEqual([{ type: 'ImportContainerCreated', resource_key: 'evt-copy', actor: manager.clientId, data: { container: res.body, clonedFrom: 'evt' } }]);
  });

  it('isolates projects and needs manage_import_containers', async () => {
    await createContainer({ key: 'iso', resourceType: 'category' });
    await createContainer({ key: 'iso', resourceType: 'inventory' }, 'proj-b');
    const inB = await clone('iso', { key: 'iso-b' }, 'proj-b');
    expect(inB.body.resourceType).toBe('inventory');
    expect((await t.http.get(`${base}/iso-b`).set(manager.header)).status).toBe(404);

    const otherProject = await t.client('manage_import_containers:proj-b');
    expect((await clone('iso', { key: 'x-1' }, 'proj-a', otherProject.header)).status).toBe(403);
    const viewer = await t.client('view_import_containers:proj-a');
    expect((await clone('iso', { key: 'x-2' }, 'proj-a', viewer.header)).status).toBe(403);
    expect((await t.http.post(`${base}/iso/clone`).send({ key: 'x-3' })).status).toBe(401);
    expect((await t.http.get(base).set(manager.header)).body.total).toBe(1);
  });
});
