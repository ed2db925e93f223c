import { Client } from 'pg';
import { loadConfig } from '../../libs/config/src';
import { ProcessorService } from '../../libs/processing/src';
import { createProxiedTestApp, ProxiedTestApp, waitFor } from '../support/proxied-app';
import { createTestApp, TestApp } from '../support/test-app';

const LEASE_SECONDS = 2;
const productType = (key: string, description: string) => ({ key, name: `Type ${key}`, description, attributes: [] });
/** A ProcessorService whose claims can be made without settling them: a worker that dies right after claiming. */
type Claimer = { claimBatch(batchSize: number): Promise<Array<{ id: string }>> };

describe('processor leases', () => {
  let t: TestApp;
  const count = async (sql: string, params: unknown[] = []) => Number(((await t.dataSource.query(sql, params)) as Array<{ n: number }>)[0].n);

  beforeAll(async () => {
    t = await createTestApp({ PROCESSOR_LEASE_SECONDS: String(LEASE_SECONDS) });
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'leases' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const importTypes = async (...resources: unknown[]) => {
    const res = await t.http.post('/test/product-types/import-containers/leases').set(t.auth).send({ type: 'product-type', resources });
    expect(res.status).toBe(201);
    return res.body.operationStatus.map((s: { operationId: string }) => s.operationId) as string[];
  };

  it("takes over a dead worker's claims within the lease, applying each operation once", async () => {
    const ids = await importTypes(...Array.from({ length: 6 }, (_, i) => productType(`dead-${i}`, 'v1')));
    const dead = new ProcessorService(t.dataSource, t.config);
    const claimed = await (dead as unknown as Claimer).claimBatch(10);
    expect(claimed.map((o) => o.id).sort()).toEqual([...ids].sort());
    const claimedAt = Date.now();
    // The dead worker never settles nor renews. Before the lease runs out, nobody else may take them…
    const other = new ProcessorService(t.dataSource, t.config);
    expect((await other.runOnce()).claimed).toBe(0);
    // …after it, another worker does.
    await waitFor(async () => {
      await other.drain();
      return (await count(`SELECT count(*)::int AS n FROM import_operations WHERE id = ANY($1::uuid[]) AND state = 'imported'`, [ids])) === ids.length;
    }, LEASE_SECONDS * 1000 + 3000);
    const tookMs = Date.now() - claimedAt;
    expect(tookMs).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 - 200);
    expect(tookMs).toBeLessThan(LEASE_SECONDS * 1000 + 3000);
    const versions = (await t.dataSource.query(`SELECT version FROM product_types WHERE project_key = 'test' AND key LIKE 'dead-%'`)) as Array<{ version: number }>;
    expect(versions.map((row) => row.version)).toEqual(Array(6).fill(1));
  });

  it('operations taken over or canceled while a batch settles are rolled back in that batch and settled once, by their new owner', async () => {
    const ids = await importTypes(...Array.from({ length: 6 }, (_, i) => productType(`lost-${i}`, 'v1')));
    const worker = new ProcessorService(t.dataSource, t.config);
    const claimer = worker as unknown as Claimer;
    const claim = claimer.claimBatch.bind(worker);
    // Right after this worker's claim (before it settles), another worker takes one operation over (as after an
    // expired lease) and a cancel ends another: the batch's optimistic settle must not apply either of them.
    claimer.claimBatch = async (batchSize: number) => {
      const claimed = await claim(batchSize);
      await t.dataSource.query(`UPDATE import_operations SET locked_by = 'worker-other' WHERE id = $1`, [ids[1]]);
      await t.dataSource.query(`UPDATE import_operations SET state = 'canceled', locked_by = NULL, locked_until = NULL WHERE id = $1`, [ids[4]]);
      return claimed;
    };
    const result = await worker.runOnce();
    expect(result).toMatchObject({ claimed: 6, imported: 4 });
    const states = (await t.dataSource.query(`SELECT id, state, locked_by FROM import_operations WHERE id = ANY($1::uuid[])`, [ids])) as Array<{ id: string; state: string; locked_by: string | null }>;
    const stateOf = new Map(states.map((row) => [row.id, row]));
    expect(ids.map((id) => stateOf.get(id)!.state)).toEqual(['imported', 'processing', 'imported', 'imported', 'canceled', 'imported']);
    expect(stateOf.get(ids[1])!.locked_by).toBe('worker-other');
    // Nothing of the two was written by this worker.
    expect(await count(`SELECT count(*)::int AS n FROM product_types WHERE project_key = 'test' AND key IN ('lost-1', 'lost-4')`)).toBe(0);
    // The new owner's claim ends (here: released) and the operation is applied once.
    await t.dataSource.query(`UPDATE import_operations SET locked_by = NULL, locked_until = NULL WHERE id = $1`, [ids[1]]);
    await new ProcessorService(t.dataSource, t.config).drain();
    const versions = (await t.dataSource.query(`SELECT key, version FROM product_types WHERE project_key = 'test' AND key LIKE 'lost-%' ORDER BY key`)) as Array<{ key: string; version: number }>;
    expect(versions).toEqual(['lost-0', 'lost-1', 'lost-2', 'lost-3', 'lost-5'].map((key) => ({ key, version: 1 })));
  });

  it('a heartbeat keeps the claims of a worker that is still settling, however long it takes', async () => {
    await importTypes(productType('slow', 'v1'));
    await t.app.get(ProcessorService).drain();
    // Settling 'slow' will wait on this row lock; 'queued' waits behind it in the same batch (one at a time).
    const blocker = new Client({ connectionString: t.database.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`SELECT 1 FROM product_types WHERE project_key = 'test' AND key = 'slow' FOR UPDATE`);
      const [slowId, queuedId] = await importTypes(productType('slow', 'v2'), productType('queued', 'v1'));
      const busy = new ProcessorService(t.dataSource, loadConfig({ ...process.env, DATABASE_URL: t.database.url, PROCESSOR_LEASE_SECONDS: String(LEASE_SECONDS), PROCESSOR_CONCURRENCY: '1' }));
      const run = busy.runOnce();
      await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM import_operations WHERE id = ANY($1::uuid[]) AND locked_by IS NOT NULL`, [[slowId, queuedId]])) === 2, 5000, 20);
      const other = new ProcessorService(t.dataSource, t.config);
      // Well past the lease: the heartbeat renewed it, so the other worker gets nothing.
      const until = Date.now() + LEASE_SECONDS * 2500;
      while (Date.now() < until) {
        expect((await other.runOnce()).claimed).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await blocker.query('COMMIT');
      expect(await run).toMatchObject({ claimed: 2, imported: 2 });
      const rows = (await t.dataSource.query(`SELECT key, version FROM product_types WHERE project_key = 'test' AND key IN ('slow', 'queued') ORDER BY key`)) as Array<{ key: string; version: number }>;
      expect(rows).toEqual([
        { key: 'queued', version: 1 },
        { key: 'slow', version: 2 },
      ]);
    } finally {
      await blocker.end();
    }
  });

  it('graceful stop releases the claims it will not settle', async () => {
    const ids = await importTypes(...Array.from({ length: 4 }, (_, i) => productType(`stop-${i}`, 'v1')));
    const stopping = new ProcessorService(t.dataSource, t.config);
    await (stopping as unknown as Claimer).claimBatch(10);
    stopping.stop();
    expect(await stopping.release()).toBe(4);
    const other = new ProcessorService(t.dataSource, t.config);
    expect(await other.drain()).toBe(4);
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE id = ANY($1::uuid[]) AND state = 'imported' AND attempts = 1`, [ids])).toBe(4);
  });
});

describe('processor during a database outage', () => {
  let p: ProxiedTestApp;
  const KEYS = 5;
  const UPDATES = 12;

  beforeAll(async () => {
    p = await createProxiedTestApp({ PROCESSOR_LEASE_SECONDS: '30', PROCESSOR_BATCH_SIZE: '5', DATABASE_CONNECT_TIMEOUT_MS: '1000' });
    await p.http.post('/test/import-containers').set(p.auth).send({ key: 'cut' }).expect(201);
  });
  afterAll(async () => {
    await p?.close();
  });

  const count = async (sql: string) => Number(((await p.dataSource.query(sql)) as Array<{ n: number }>)[0].n);

  it('a settle cut by an outage rejects nothing, resumes right after restore (not after the lease) and applies everything once', async () => {
    for (let update = 0; update < UPDATES; update++) {
      const resources = Array.from({ length: KEYS }, (_, key) => productType(`cut-${key}`, `update ${update}`));
      await p.http.post('/test/product-types/import-containers/cut').set(p.auth).send({ type: 'product-type', resources }).expect(201);
    }
    const total = KEYS * UPDATES;
    // The processor reaches Postgres through the proxy (the app's pool); assertions use a direct connection.
    const processor = p.app.get(ProcessorService);
    const draining = processor.drain().then(
      () => undefined,
      (error: unknown) => error,
    );
    await waitFor(async () => (await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'imported'`)) >= 8, 20_000, 5);
    await p.proxy.cut();
    expect(String(((await draining) as { message?: string } | undefined)?.message)).toMatch(/ECONNREFUSED|ECONNRESET|terminated|timeout/i);
    const imported = await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'imported'`);
    expect(imported).toBeLessThan(total);
    // While the database is away, more runs fail without touching any operation.
    await expect(processor.runOnce()).rejects.toThrow();

    await p.proxy.restore();
    const restoredAt = Date.now();
    // The lease is 30 s here: finishing within seconds means the interrupted claims were released, not waited out.
    const resumedMs = await waitFor(async () => {
      await processor.drain();
      return (await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'imported'`)) === total;
    }, 10_000);
    expect(Date.now() - restoredAt).toBeLessThan(10_000);
    if (process.env.BERTH_TEST_TIMINGS) process.stderr.write(`processor outage: backlog imported ${resumedMs} ms after restore\n`);
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE state <> 'imported' OR locked_by IS NOT NULL`)).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE attempts <> 1`)).toBe(0);
    for (let key = 0; key < KEYS; key++) {
      const rows = (await p.dataSource.query(`SELECT version, data->>'description' AS description FROM product_types WHERE project_key = 'test' AND key = $1`, [`cut-${key}`])) as Array<{
        version: number;
        description: string;
      }>;
      expect(rows).toEqual([{ version: UPDATES, description: `update ${UPDATES - 1}` }]);
      const versions = (await p.dataSource.query(`SELECT resource_version FROM import_operations WHERE resource_key = $1 ORDER BY seq`, [`cut-${key}`])) as Array<{ resource_version: number }>;
      expect(versions.map((row) => row.resource_version)).toEqual(Array.from({ length: UPDATES }, (_, i) => i + 1));
    }
  }, 60_000);
});
