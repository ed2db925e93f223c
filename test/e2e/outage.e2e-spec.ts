import { createProxiedTestApp, ProxiedTestApp, waitFor } from '../support/proxied-app';

/**
 * A Postgres outage (a TCP proxy between Berth and Postgres, cut and restored): every route answers 503
 * with Retry-After (never 500), liveness stays up, and Berth recovers by itself, losing nothing accepted.
 */
describe('database outage', () => {
  let t: ProxiedTestApp;
  const productType = (key: string, description: string) => ({ key, name: `Type ${key}`, description, attributes: [] });
  const count = async (sql: string, params: unknown[] = []) => Number(((await t.dataSource.query(sql, params)) as Array<{ n: number }>)[0].n);

  beforeAll(async () => {
    // The processor runs inside the app (the runner with its LISTEN connection, through the proxy too).
    t = await createProxiedTestApp({ WORKER_ROLES: 'processor', PROCESSOR_LEASE_SECONDS: '2', PROCESSOR_POLL_MS: '200', DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'outage' }).expect(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  const importTypes = (resources: unknown[]) => t.http.post('/test/product-types/import-containers/outage').set(t.auth).send({ type: 'product-type', resources });

  const expectUnavailable = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }) => {
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toMatch(/^\d+$/);
    expect(res.body).toMatchObject({ statusCode: 503, message: expect.any(String), errors: [{ code: 'ServiceUnavailable', message: expect.any(String) }] });
  };

  it('answers 503 with Retry-After on every route during the outage and recovers by itself', async () => {
    const accepted = new Map<string, string>();
    const before = await importTypes([productType('before', 'v1')]).expect(201);
    const operationId = before.body.operationStatus[0].operationId as string;
    accepted.set(operationId, 'before');

    // Traffic keeps flowing while the database goes away: each answer is 201 or 503, never a 500.
    const statuses: number[] = [];
    let round = 0;
    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        const res = await importTypes([productType(`flood-${round % 7}`, `r${round}`)]);
        round++;
        statuses.push(res.status);
        if (res.status === 201) accepted.set(res.body.operationStatus[0].operationId as string, `flood`);
        else expectUnavailable(res);
      }
    })();
    await waitFor(async () => statuses.length >= 10, 10_000, 10);
    await t.proxy.cut();
    const cutAt = Date.now();
    await waitFor(async () => statuses.slice(-3).every((status) => status === 503) && statuses.length >= 3, 10_000, 10);

    expectUnavailable(await importTypes([productType('during', 'v1')]));
    expectUnavailable(await t.http.get('/test/import-containers/outage').set(t.auth));
    expectUnavailable(await t.http.get(`/test/import-operations/${operationId}`).set(t.auth));
    expectUnavailable(await t.http.get('/test/product-types').set(t.auth));
    expectUnavailable(await t.http.post('/oauth/token').auth('some-client', 'some-secret').type('form').send({ grant_type: 'client_credentials' }));
    // The auth guard's "client still exists" check cannot run: 503, not 401.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expectUnavailable(await t.http.get('/test/import-containers').set(t.auth));
    const ready = await t.http.get('/health/ready');
    expectUnavailable(ready);
    expect(ready.body).toMatchObject({ status: 'error', error: { database: { status: 'down', message: expect.stringMatching(/ECONNREFUSED|timeout|terminated/i) } } });
    expectUnavailable(await t.http.get('/health'));
    const live = await t.http.get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ status: 'ok' });
    expect(Date.now() - cutAt).toBeLessThan(15_000);

    await t.proxy.restore();
    const restoredAt = Date.now();
    await waitFor(async () => (await importTypes([productType('after', 'v1')])).status === 201, 10_000);
    const recoveryMs = Date.now() - restoredAt;
    expect(recoveryMs).toBeLessThan(5_000);
    flooding = false;
    await flood;
    expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
    expect(statuses).toContain(503);

    expect((await t.http.get('/health/ready')).status).toBe(200);
    expect((await t.http.get('/test/import-containers/outage').set(t.auth)).status).toBe(200);
    expect((await t.http.get(`/test/import-operations/${operationId}`).set(t.auth)).status).toBe(200);
    const token = await t.http.post('/oauth/token').auth('some-client', 'some-secret').type('form').send({ grant_type: 'client_credentials' });
    expect(token.status).toBe(401);

    // Nothing accepted is lost: the in-app processor imports every accepted operation (the one 'after' included).
    const drainedMs = await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM import_operations WHERE state <> 'imported'`)) === 0, 20_000);
    if (process.env.BERTH_TEST_TIMINGS) process.stderr.write(`outage: API answered 201 again ${recoveryMs} ms after restore; backlog imported ${drainedMs} ms later\n`);
    const ids = [...accepted.keys()];
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE id = ANY($1::uuid[]) AND state = 'imported'`, [ids])).toBe(ids.length);
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'rejected'`)).toBe(0);
  }, 90_000);
});
