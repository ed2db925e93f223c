import { createTestApp, TestApp } from '../support/test-app';

interface EventRow {
  type: string;
  resource_key: string;
  actor: string | null;
  data: Record<string, unknown>;
}

describe('Subscriptions API (webhook subscriptions CRUD)', () => {
  let t: TestApp;
  const base = '/proj-a/subscriptions';
  const draft = (overrides: Record<string, unknown> = {}) => ({ key: 'hook-1', url: 'https://hooks.example.com/berth', events: ['ImportContainerCreated'], ...overrides });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM subscriptions');
    await t.dataSource.query('DELETE FROM import_events');
  });

  const create = (body: unknown, project = 'proj-a', header = t.auth) => t.http.post(`/${project}/subscriptions`).set(header).send(body as object);
  const events = async (project = 'proj-a') =>
    (await t.dataSource.query(`SELECT type, resource_key, actor, data FROM import_events WHERE project_key = $1 ORDER BY sequence_number`, [project])) as EventRow[];

  it('creates a subscription (201); a generated secret is returned only in the creation response', async () => {
    const res = await create(draft());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: 'hook-1',
      version: 1,
      url: 'https://hooks.example.com/berth',
      events: ['ImportContainerCreated'],
      enabled: true,
      consecutiveFailures: 0,
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastModifiedAt: expect.any(String),
    });
    const again = await create(draft({ key: 'hook-2' }));
    expect(again.body.secret).not.toBe(res.body.secret);

    const get = await t.http.get(`${base}/hook-1`).set(t.auth);
    expect(get.status).toBe(200);
    expect(get.body.secret).toBeUndefined();
    expect(JSON.stringify(get.body)).not.toContain(res.body.secret);
    const list = await t.http.get(base).set(t.auth);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
    const put = await t.http.put(`${base}/hook-1`).set(t.auth).send({ version: 1, url: 'https://hooks.example.com/v2', events: ['ImportContainerDeleted'] });
    expect(put.status).toBe(200);
    expect(put.body.secret).toBeUndefined();
    const deleted = await t.http.delete(`${base}/hook-1`).set(t.auth);
    expect(deleted.body.secret).toBeUndefined();
    // Nor in any event recorded about it.
    expect(JSON.stringify(await events())).not.toContain(res.body.secret);
  });

  it('keeps a given secret (shown once) and the given enabled flag; duplicate event types are dropped', async () => {
    const res = await create(draft({ secret: 'my-own-secret-of-some-length', enabled: false, events: ['ImportContainerCreated', 'ImportContainerCreated', 'SubscriptionCreated'] }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ secret: 'my-own-secret-of-some-length', enabled: false, events: ['ImportContainerCreated', 'SubscriptionCreated'] });
    const [{ secret }] = (await t.dataSource.query(`SELECT secret FROM subscriptions WHERE key = 'hook-1'`)) as Array<{ secret: string }>;
    expect(secret).toBe('my-own-secret-of-some-length');
  });

  it('rejects a duplicate key with 400 DuplicateField', async () => {
    expect((await create(draft())).status).toBe(201);
    const res = await create(draft({ url: 'https://other.example.com/' }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: 'hook-1' });
    expect((await t.http.get(base).set(t.auth)).body.total).toBe(1);
  });

  it.each([
    ['ftp://hooks.example.com/x', 'only http and https'],
    ['file:///etc/passwd', 'only http and https'],
    ['javascript:alert(1)', 'only http and https'],
    ['not a url', 'not an absolute URL'],
    ['/relative/path', 'not an absolute URL'],
    ['https://user:pass@hooks.example.com/', 'credentials'],
  ])('rejects url %p with 400 InvalidField', async (url, reason) => {
    const res = await create(draft({ url }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'url', invalidValue: url });
    expect(res.body.errors[0].message).toContain(reason);
    expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM subscriptions`))[0].n).toBe(0);
  });

  it('rejects unknown event types naming the entry, with the allowed values', async () => {
    const res = await create(draft({ events: ['ImportContainerCreated', 'ProductPublished'] }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'events.1', invalidValue: 'ProductPublished', allowedValues: expect.arrayContaining(['SubscriptionDisabled']) });
  });

  it.each([
    [{ key: 'x' }, 'key'],
    [{ key: 'has space' }, 'key'],
    [{ key: 'k'.repeat(257) }, 'key'],
    [{ key: undefined }, 'key'],
    [{ url: undefined }, 'url'],
    [{ url: 42 }, 'url'],
    [{ url: `https://hooks.example.com/${'p'.repeat(2048)}` }, 'url'],
    [{ events: [] }, 'events'],
    [{ events: 'ImportContainerCreated' }, 'events'],
    [{ events: undefined }, 'events'],
    [{ secret: 'short' }, 'secret'],
    [{ enabled: 'yes' }, 'enabled'],
  ])('rejects draft %p with 400 InvalidField on %p', async (overrides, field) => {
    const res = await create(draft(overrides));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field });
  });

  it('refuses more than 100 subscriptions per project (400 InvalidOperation); other projects are not affected', async () => {
    await t.dataSource.query(
      `INSERT INTO subscriptions (project_key, key, url, events, secret) SELECT 'proj-a', 'bulk-' || i, 'https://x.example.com/', ARRAY['ImportContainerCreated'], 'secret-' || i FROM generate_series(1, 99) i`,
    );
    expect((await create(draft({ key: 'hundredth' }))).status).toBe(201);
    const res = await create(draft({ key: 'one-too-many' }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidOperation', message: expect.stringContaining('maximum of 100 subscriptions') });
    expect((await create(draft({ key: 'elsewhere' }), 'proj-b')).status).toBe(201);
    await t.http.delete(`${base}/hundredth`).set(t.auth);
    expect((await create(draft({ key: 'one-too-many' }))).status).toBe(201);
  });

  it.each([[[]], ['a string'], [null], [{ ...draft(), events: [null] }], [{ ...draft(), events: [{}] }], [{ ...draft(), events: new Array(101).fill('ImportContainerCreated') }], [{ ...draft(), url: 'http://[::1' }], [{ ...draft(), url: 'https://exa mple.com/' }]])(
    'answers hostile body %p with a 4xx error response, never a 500',
    async (body) => {
      const res = await t.http.post(base).set(t.auth).set('Content-Type', 'application/json').send(JSON.stringify(body));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body).toMatchObject({ statusCode: res.status, errors: expect.arrayContaining([expect.objectContaining({ code: expect.any(String) })]) });
      expect((await t.dataSource.query(`SELECT count(*)::int AS n FROM subscriptions`))[0].n).toBe(0);
    },
  );

  it('pages and sorts like containers', async () => {
    for (const key of ['b-hook', 'a-hook', 'c-hook']) expect((await create(draft({ key }))).status).toBe(201);
    const page = await t.http.get(`${base}?limit=2&sort=key%20desc`).set(t.auth);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ limit: 2, offset: 0, count: 2, total: 3 });
    expect(page.body.results.map((s: { key: string }) => s.key)).toEqual(['c-hook', 'b-hook']);
    const next = await t.http.get(`${base}?limit=2&offset=2&sort=key%20desc`).set(t.auth);
    expect(next.body.results.map((s: { key: string }) => s.key)).toEqual(['a-hook']);
    expect((await t.http.get(`${base}?sort=secret%20asc`).set(t.auth)).status).toBe(400);
    expect((await t.http.get(`${base}?limit=501`).set(t.auth)).status).toBe(400);
  });

  it('updates with the current version (200, version + 1) and answers 409 ConcurrentModification with currentVersion otherwise', async () => {
    await create(draft());
    const updated = await t.http.put(`${base}/hook-1`).set(t.auth).send({ version: 1, url: 'http://10.0.0.5:8080/in', events: ['SubscriptionDisabled', 'ImportContainerDeleted'], enabled: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ version: 2, url: 'http://10.0.0.5:8080/in', events: ['SubscriptionDisabled', 'ImportContainerDeleted'], enabled: false });
    const stale = await t.http.put(`${base}/hook-1`).set(t.auth).send({ version: 1, url: 'https://x.example.com/', events: ['ImportContainerCreated'] });
    expect(stale.status).toBe(409);
    expect(stale.body.errors[0]).toMatchObject({ code: 'ConcurrentModification', specifiedVersion: 1, currentVersion: 2 });
    // enabled absent: unchanged.
    const keep = await t.http.put(`${base}/hook-1`).set(t.auth).send({ version: 2, url: 'https://x.example.com/', events: ['ImportContainerCreated'] });
    expect(keep.body).toMatchObject({ version: 3, enabled: false, url: 'https://x.example.com/' });
    const get = await t.http.get(`${base}/hook-1`).set(t.auth);
    expect(get.body).toMatchObject({ version: 3, url: 'https://x.example.com/', events: ['ImportContainerCreated'] });
  });

  it('validates updates like creates and leaves the subscription unchanged', async () => {
    await create(draft());
    const badUrl = await t.http.put(`${base}/hook-1`).set(t.auth).send({ version: 1, url: 'gopher://x', events: ['ImportContainerCreated'] });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'url' });
    const badEvents = await t.http.put(`${base}/hook-1`).set(t.auth).send({ version: 1, url: 'https://x.example.com/', events: ['Nope'] });
    expect(badEvents.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'events.0' });
    const noVersion = await t.http.put(`${base}/hook-1`).set(t.auth).send({ url: 'https://x.example.com/', events: ['ImportContainerCreated'] });
    expect(noVersion.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'version' });
    expect((await t.http.get(`${base}/hook-1`).set(t.auth)).body).toMatchObject({ version: 1, url: 'https://hooks.example.com/berth' });
  });

  it('answers 404 for unknown keys on get, put, delete and deliveries', async () => {
    expect((await t.http.get(`${base}/nope`).set(t.auth)).status).toBe(404);
    expect((await t.http.put(`${base}/nope`).set(t.auth).send({ version: 1, url: 'https://x.example.com/', events: ['ImportContainerCreated'] })).status).toBe(404);
    const deleted = await t.http.delete(`${base}/nope`).set(t.auth);
    expect(deleted.status).toBe(404);
    expect(deleted.body.errors[0].code).toBe('ResourceNotFound');
    expect((await t.http.get(`${base}/nope/deliveries`).set(t.auth)).status).toBe(404);
  });

  it('deletes (200 with the subscription); afterwards it is gone', async () => {
    await create(draft());
    const res = await t.http.delete(`${base}/hook-1`).set(t.auth);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ key: 'hook-1', version: 1 });
    expect((await t.http.get(`${base}/hook-1`).set(t.auth)).status).toBe(404);
  });

  it('records SubscriptionCreated/Updated/Deleted with the actor, in the transaction of the change', async () => {
    const client = await t.client('manage_import_containers:proj-a');
    await create(draft(), 'proj-a', client.header);
    await t.http.put(`${base}/hook-1`).set(client.header).send({ version: 1, url: 'https://x.example.com/', events: ['ImportContainerDeleted'] });
    await t.http.delete(`${base}/hook-1`).set(client.header);
    // A failing change records nothing.
    await create(draft({ url: 'ftp://x' }), 'proj-a', client.header);
    await create(draft({ key: 'hook-2' }), 'proj-a', client.header);
    await create(draft({ key: 'hook-2' }), 'proj-a', client.header);
    const recorded = await events();
    expect(recorded.map((e) => [e.type, e.resource_key, e.actor])).toEqual([
      ['SubscriptionCreated', 'hook-1', client.clientId],
      ['SubscriptionUpdated', 'hook-1', client.clientId],
      ['SubscriptionDeleted', 'hook-1', client.clientId],
      ['SubscriptionCreated', 'hook-2', client.clientId],
    ]);
    expect(recorded[1].data).toMatchObject({ version: 2, url: 'https://x.example.com/', events: ['ImportContainerDeleted'], enabled: true });
  });

  it('scopes: view_import_containers reads only; manage_import_containers writes; other projects are refused', async () => {
    const viewer = await t.client('view_import_containers:proj-a');
    const manager = await t.client('manage_import_containers:proj-a');
    expect((await create(draft(), 'proj-a', viewer.header)).status).toBe(403);
    expect((await create(draft(), 'proj-a', manager.header)).status).toBe(201);
    expect((await t.http.get(base).set(viewer.header)).status).toBe(200);
    expect((await t.http.get(`${base}/hook-1`).set(viewer.header)).status).toBe(200);
    expect((await t.http.get(`${base}/hook-1/deliveries`).set(viewer.header)).status).toBe(200);
    expect((await t.http.put(`${base}/hook-1`).set(viewer.header).send({ version: 1, url: 'https://x.example.com/', events: ['ImportContainerCreated'] })).status).toBe(403);
    expect((await t.http.delete(`${base}/hook-1`).set(viewer.header)).status).toBe(403);
    expect((await t.http.get('/proj-b/subscriptions').set(manager.header)).status).toBe(403);
    expect((await create(draft(), 'proj-b', manager.header)).status).toBe(403);
    expect((await t.http.get(base)).status).toBe(401);
  });

  it('isolates projects: same key in two projects, invisible across them', async () => {
    expect((await create(draft(), 'proj-a')).status).toBe(201);
    expect((await create(draft({ url: 'https://b.example.com/' }), 'proj-b')).status).toBe(201);
    expect((await t.http.get('/proj-a/subscriptions/hook-1').set(t.auth)).body.url).toBe('https://hooks.example.com/berth');
    expect((await t.http.get('/proj-b/subscriptions/hook-1').set(t.auth)).body.url).toBe('https://b.example.com/');
    expect((await t.http.delete('/proj-b/subscriptions/hook-1').set(t.auth)).status).toBe(200);
    expect((await t.http.get('/proj-a/subscriptions/hook-1').set(t.auth)).status).toBe(200);
    expect((await t.http.get('/test/subscriptions').set(t.auth)).body.total).toBe(0);
    expect((await events('proj-b')).map((e) => e.type)).toEqual(['SubscriptionCreated', 'SubscriptionDeleted']);
  });
});

describe('Subscriptions API with WEBHOOK_URL_ALLOWLIST', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_URL_ALLOWLIST: 'https://hooks.example.com/in/,*.trusted.example,10.1.0.0/16' });
  });
  afterAll(async () => {
    await t.close();
  });

  const create = (key: string, url: string) => t.http.post('/proj-a/subscriptions').set(t.auth).send({ key, url, events: ['ImportContainerCreated'] });

  it.each([
    ['https://hooks.example.com/in/orders', 201],
    ['https://hooks.example.com/other', 400],
    ['https://api.trusted.example/hook', 201],
    ['https://trusted.example.evil.test/hook', 400],
    ['http://10.1.2.3:8080/hook', 201],
    ['http://10.2.0.1/hook', 400],
    ['http://169.254.169.254/latest/meta-data', 400],
    ['http://[::1]:8080/', 400],
    ['http://localhost:8080/', 400],
  ])('%p → %p', async (url, status) => {
    const res = await create(`k-${Math.random().toString(36).slice(2, 10)}`, url);
    expect(res.status).toBe(status);
    if (status === 400) expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'url', message: expect.stringContaining('WEBHOOK_URL_ALLOWLIST') });
  });
});
