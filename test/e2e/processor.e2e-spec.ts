import { ProcessorService, ReaperService } from '../../libs/processing/src';
import { lockReferencesShared, wakeWaitingOperations } from '../../libs/queue/src';
import { createTestApp, TestApp } from '../support/test-app';
import { drain } from '../support/processor';

describe('processor and reaper', () => {
  let t: TestApp;
  const project = 'test';
  const productType = (key: string, description = 'd') => ({ key, name: `Type ${key}`, description, attributes: [{ type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true }] });

  beforeAll(async () => {
    t = await createTestApp();
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'pt' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const importTypes = async (...resources: unknown[]) => {
    const res = await t.http.post(`/${project}/product-types/import-containers/pt`).set(t.auth).send({ type: 'product-type', resources });
    expect(res.status).toBe(201);
    return res.body.operationStatus.map((s: { operationId: string }) => s.operationId) as string[];
  };
  const operation = async (id: string) => (await t.http.get(`/${project}/import-operations/${id}`).set(t.auth)).body;

  it('imports a product type, readable through the read API, and records resourceVersion', async () => {
    const [id] = await importTypes(productType('shoes'));
    await drain(t);
    expect(await operation(id)).toMatchObject({ state: 'imported', resourceVersion: 1, version: 2 });
    const byKey = await t.http.get(`/${project}/product-types/key=shoes`).set(t.auth);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toMatchObject({ key: 'shoes', version: 1, name: 'Type shoes', attributes: [expect.objectContaining({ name: 'color', attributeConstraint: 'None' })] });
    const byId = await t.http.get(`/${project}/product-types/${byKey.body.id}`).set(t.auth);
    expect(byId.body.key).toBe('shoes');
    const list = await t.http.get(`/${project}/product-types`).set(t.auth);
    expect(list.body).toMatchObject({ total: 1, count: 1, results: [expect.objectContaining({ key: 'shoes' })] });
    expect((await t.http.get(`/${project}/product-types/key=nope`).set(t.auth)).status).toBe(404);
    const metrics = await t.http.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/berth_operations_processed_total\{state="imported"\} \d+/);
    expect(metrics.text).toMatch(/berth_operations\{state="imported"\} 1/);
    expect(metrics.text).toContain('berth_http_request_duration_seconds_bucket');
  });

  it('bumps the version only when something changes; unchanged imports still end imported', async () => {
    const [same] = await importTypes(productType('shoes'));
    await drain(t);
    expect(await operation(same)).toMatchObject({ state: 'imported', resourceVersion: 1 });
    const [changed] = await importTypes(productType('shoes', 'new description'));
    await drain(t);
    expect(await operation(changed)).toMatchObject({ state: 'imported', resourceVersion: 2 });
    const summary = await t.http.get(`/${project}/import-containers/pt/import-summaries`).set(t.auth);
    expect(summary.body.states).toMatchObject({ imported: 3, processing: 0 });
  });

  it('applies operations of one key in the order accepted, with two workers', async () => {
    const ids: string[] = [];
    for (let round = 0; round < 5; round++) {
      ids.push(...(await importTypes(...Array.from({ length: 20 }, (_, i) => productType('ordered', `update ${round * 20 + i}`)))));
    }
    // Two independent workers (distinct worker ids) claiming concurrently from the same queue.
    const workerA = new ProcessorService(t.dataSource, t.config);
    const workerB = new ProcessorService(t.dataSource, t.config);
    await Promise.all([workerA.drain(), workerB.drain()]);
    const states = await t.http.get(`/${project}/import-containers/pt/import-operations?resourceKey=ordered&limit=500`).set(t.auth);
    expect(states.body.results.every((o: { state: string }) => o.state === 'imported')).toBe(true);
    // Each accepted update was applied once, in order: versions 1..100 follow acceptance order.
    expect(states.body.results.map((o: { resourceVersion: number }) => o.resourceVersion)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const final = await t.http.get(`/${project}/product-types/key=ordered`).set(t.auth);
    expect(final.body.description).toBe('update 99');
    expect(final.body.version).toBe(100);
  });

  it('does not lose a wake-up when the referenced key is created while an operation is settling', async () => {
    const [id] = await importTypes(productType('race-type'));
    await drain(t);
    const queryRunner = t.dataSource.createQueryRunner();
    await queryRunner.connect();
    await queryRunner.startTransaction();
    try {
      // A settling operation holds the shared lock on the key it found missing…
      await lockReferencesShared(queryRunner.manager, project, [{ typeId: 'category', key: 'late' }]);
      // …meanwhile the key is created and committed, and its creator wakes waiters: it must wait for us.
      const wake = wakeWaitingOperations(t.dataSource, project, [{ typeId: 'category', key: 'late' }]);
      let settled = false;
      void wake.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(settled).toBe(false);
      await queryRunner.query(`UPDATE import_operations SET state = 'unresolved', unresolved_references = '[{"typeId":"category","key":"late"}]' WHERE id = $1`, [id]);
      await queryRunner.query(`INSERT INTO import_operation_waits (project_key, type_id, key, operation_id) VALUES ($1, 'category', 'late', $2)`, [project, id]);
      await queryRunner.commitTransaction();
      expect(await wake).toBe(1);
    } finally {
      await queryRunner.release();
    }
    expect((await operation(id)).state).toBe('processing');
    // With nobody waiting or settling, a wake-up is one cheap query and wakes nothing.
    expect(await wakeWaitingOperations(t.dataSource, project, [{ typeId: 'category', key: 'nobody-waits' }])).toBe(0);
    await drain(t);
  });

  it('reaps expired operations and containers, keeping summaries consistent', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'short', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '1h' } } }).expect(201);
    const res = await t.http.post(`/${project}/product-types/import-containers/short`).set(t.auth).send({ type: 'product-type', resources: [productType('reaped')] });
    expect(res.status).toBe(201);
    const reaper = t.app.get(ReaperService);
    const early = await reaper.sweepOnce(new Date(Date.now() + 30 * 60_000));
    expect(early).toEqual({ containersDeleted: 0, operationsDeleted: 0 });
    const later = await reaper.sweepOnce(new Date(Date.now() + 2 * 3600_000));
    expect(later.containersDeleted).toBe(1);
    expect(later.operationsDeleted).toBeGreaterThanOrEqual(1);
    expect((await t.http.get(`/${project}/import-containers/short`).set(t.auth)).status).toBe(404);
    // Operations past their 48 h expiry go too, from any container; the summary follows.
    const afterTwoDays = await reaper.sweepOnce(new Date(Date.now() + 49 * 3600_000));
    expect(afterTwoDays.operationsDeleted).toBeGreaterThan(0);
    const summary = await t.http.get(`/${project}/import-containers/pt/import-summaries`).set(t.auth);
    expect(summary.body.total).toBe(0);
  });

  it('the reaper is a singleton: a sweep while another holds the reaper lock is skipped; batches are short transactions', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'many' }).expect(201);
    const resources = Array.from({ length: 20 }, (_, i) => productType(`many-${i}`));
    expect((await t.http.post(`/${project}/product-types/import-containers/many`).set(t.auth).send({ type: 'product-type', resources })).status).toBe(201);
    const reaper = t.app.get(ReaperService);
    const holder = t.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('berth:reaper'))`);
      expect(await reaper.sweepOnce(new Date(Date.now() + 49 * 3600_000))).toEqual({ containersDeleted: 0, operationsDeleted: 0, skipped: true });
      await holder.query(`SELECT pg_advisory_unlock(hashtext('berth:reaper'))`);
    } finally {
      await holder.release();
    }
    const swept = await reaper.sweepOnce(new Date(Date.now() + 49 * 3600_000));
    expect(swept.operationsDeleted).toBe(20);
    // The sweep released its lock: nobody holds it now.
    const [{ held }] = (await t.dataSource.query(`SELECT count(*)::int AS held FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext('berth:reaper')::oid`)) as Array<{ held: number }>;
    expect(held).toBe(0);
  });
});
