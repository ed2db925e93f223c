import { Client } from 'pg';
import { ProcessorService } from '../../libs/processing/src';
import { OPERATIONS_CHANNEL } from '../../libs/queue/src';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Per-key order under real concurrency: requests answered one after another must apply in that order even
 * when they reach different pooled connections (here: a pool of 10 kept busy by concurrent side traffic).
 */
describe('accept order across pooled connections', () => {
  let t: TestApp;
  const project = 'test';
  const productType = (key: string, description: string) => ({ key, name: `Type ${key}`, description, attributes: [] });
  const ROUNDS = 60;

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'order' }).expect(201);
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'side' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const post = (container: string, resources: unknown[]) =>
    t.http.post(`/${project}/product-types/import-containers/${container}`).set(t.auth).send({ type: 'product-type', resources });

  it('applies sequential requests for one key in accept order while concurrent requests use other connections', async () => {
    const accepted: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      // The request under test, answered before the next one is sent, with three concurrent requests for
      // other keys beside it, so consecutive requests land on different backends of the pool.
      const [main] = await Promise.all([
        post('order', [productType('pt-x', `v${round}`)]),
        ...[1, 2, 3].map((side) => post('side', [productType(`side-${round}-${side}`, 's'), productType(`side-${side}`, `s${round}`)])),
      ]);
      expect(main.status).toBe(201);
      accepted.push(main.body.operationStatus[0].operationId as string);
    }
    // The backends that accepted them really were different (otherwise this test proves nothing).
    const backends = (await t.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database()`)) as Array<{ n: number }>;
    expect(backends[0].n).toBeGreaterThan(2);

    const workers = [new ProcessorService(t.dataSource, t.config), new ProcessorService(t.dataSource, t.config)];
    await Promise.all(workers.map((worker) => worker.drain()));

    const final = await t.http.get(`/${project}/product-types/key=pt-x`).set(t.auth).expect(200);
    expect(final.body).toMatchObject({ description: `v${ROUNDS}`, version: ROUNDS });
    const versions: number[] = [];
    for (const id of accepted) {
      const operation = await t.http.get(`/${project}/import-operations/${id}`).set(t.auth).expect(200);
      expect(operation.body.state).toBe('imported');
      versions.push(operation.body.resourceVersion as number);
    }
    expect(versions).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));

    // sort=createdAt lists the key's operations in accept order, with createdAt never going backwards.
    const listed = await t.http.get(`/${project}/import-containers/order/import-operations?resourceKey=pt-x&sort=createdAt%20asc&limit=500`).set(t.auth).expect(200);
    expect(listed.body.results.map((o: { id: string }) => o.id)).toEqual(accepted);
    const descending = await t.http.get(`/${project}/import-containers/order/import-operations?resourceKey=pt-x&sort=createdAt%20desc&limit=500`).set(t.auth).expect(200);
    expect(descending.body.results.map((o: { id: string }) => o.id)).toEqual([...accepted].reverse());
    // The same key imported by three concurrent requests per round: versions follow createdAt order.
    for (let side = 1; side <= 3; side++) {
      const ops = await t.http.get(`/${project}/import-containers/side/import-operations?resourceKey=side-${side}&sort=createdAt%20asc&limit=500`).set(t.auth).expect(200);
      expect(ops.body.results.map((o: { resourceVersion: number }) => o.resourceVersion)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
      const read = await t.http.get(`/${project}/product-types/key=side-${side}`).set(t.auth).expect(200);
      expect(read.body.description).toBe(`s${ROUNDS}`);
    }
  });

  it('lists a container by createdAt with createdAt never going backwards, in both directions', async () => {
    for (const direction of ['asc', 'desc']) {
      let previous: string | undefined;
      for (let offset = 0; offset < 300; offset += 100) {
        const page = await t.http.get(`/${project}/import-containers/side/import-operations?sort=createdAt%20${direction}&limit=100&offset=${offset}`).set(t.auth).expect(200);
        for (const operation of page.body.results as Array<{ createdAt: string }>) {
          if (previous !== undefined) {
            if (direction === 'asc') expect(operation.createdAt >= previous).toBe(true);
            else expect(operation.createdAt <= previous).toBe(true);
          }
          previous = operation.createdAt;
        }
      }
    }
  });
  it('notifies the processors of accepted operations after their commit, concurrent accepts coalesced', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'notified' }).expect(201);
    const listener = new Client({ connectionString: t.database.url });
    await listener.connect();
    const seen: Array<{ payload: string | undefined; visible: Promise<number> }> = [];
    try {
      // What a processor would see when woken: on its own connection, at each notification, every operation
      // answered 201 before the notification was sent is there already (the notification follows the commit).
      listener.on('notification', (message) => {
        if (message.channel !== OPERATIONS_CHANNEL) return;
        seen.push({ payload: message.payload, visible: t.dataSource.query(`SELECT count(*)::int AS n FROM import_operations WHERE container_key = 'notified'`).then((rows: Array<{ n: number }>) => rows[0].n, () => -1) });
      });
      await listener.query(`LISTEN ${OPERATIONS_CHANNEL}`);
      const first = await post('notified', [productType('n-0', 'n')]);
      expect(first.status).toBe(201);
      for (let i = 0; i < 1000 && seen.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      expect({ notifications: seen.length, payload: seen[0]?.payload, visible: await seen[0]?.visible }).toEqual({ notifications: expect.any(Number), payload: project, visible: 1 });
      expect(seen.length).toBeGreaterThan(0);

      // 24 concurrent requests: every one answered 201, and a notification follows the last commit.
      const before = seen.length;
      const answers = await Promise.all(Array.from({ length: 24 }, (_, i) => post('notified', [productType(`n-${i + 1}`, 'n')])));
      for (const answer of answers) expect(answer.status).toBe(201);
      const settled = async () => {
        const counts = await Promise.all(seen.slice(before).map((entry) => entry.visible));
        return counts.length > 0 ? Math.max(...counts) : 0;
      };
      for (let i = 0; i < 1000 && (await settled()) < 25; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const later = await Promise.all(seen.slice(before).map(async (entry) => ({ payload: entry.payload, visible: await entry.visible })));
      expect({ settled: await settled(), later }).toEqual({ settled: 25, later: later.map(() => ({ payload: project, visible: expect.any(Number) })) });
    } finally {
      // A notification that arrives from here on must not query a database the next afterAll closes.
      listener.removeAllListeners('notification');
      await listener.end();
      await Promise.all(seen.map((entry) => entry.visible));
    }
  });
});
