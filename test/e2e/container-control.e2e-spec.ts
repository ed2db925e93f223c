import { Client } from 'pg';
import { ProcessorService } from '../../libs/processing/src';
import { ContainerTasksService } from '../../libs/import/src';
import { OPERATIONS_CHANNEL } from '../../libs/queue/src';
import { createTestApp, TestApp } from '../support/test-app';
import { drain } from '../support/processor';

/** Processing control (pause / resume / cancel) and status per import container, over real HTTP. */
describe('import container tasks and status', () => {
  let t: TestApp;
  const project = 'test';
  let seq = 0;
  const productType = (key: string, description = 'd') => ({
    key,
    name: `Type ${key}`,
    description,
    attributes: [{ type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true }],
  });
  const duplicateAttributes = (key: string) => ({ ...productType(key), attributes: [...productType(key).attributes, ...productType(key).attributes] });
  const category = (key: string, parent?: string) => ({ key, name: { en: key }, slug: { en: `slug-${key}` }, ...(parent ? { parent: { typeId: 'category', key: parent } } : {}) });

  const createContainer = async (key: string, projectKey = project) => {
    await t.http.post(`/${projectKey}/import-containers`).set(t.auth).send({ key }).expect(201);
  };
  const importTypes = async (container: string, resources: unknown[]) => {
    const res = await t.http.post(`/${project}/product-types/import-containers/${container}`).set(t.auth).send({ type: 'product-type', resources });
    expect(res.status).toBe(201);
    return (res.body.operationStatus as Array<{ operationId: string }>).map((s) => s.operationId);
  };
  /** `count` product types with fresh keys, in requests of 20, 10 requests at a time. */
  const importMany = async (container: string, count: number, prefix = `pt${++seq}`) => {
    const keys = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += 20) chunks.push(keys.slice(i, i + 20));
    for (let i = 0; i < chunks.length; i += 10) await Promise.all(chunks.slice(i, i + 10).map((chunk) => importTypes(container, chunk.map((key) => productType(key)))));
    return keys;
  };
  const status = async (container: string, header = t.auth) => {
    const res = await t.http.get(`/${project}/import-containers/${container}/status`).set(header);
    expect(res.status).toBe(200);
    return res.body as { key: string; state: string; counts: Record<string, number>; progress: number; [time: string]: unknown };
  };
  const task = (container: string, name: unknown, header = t.auth) => t.http.post(`/${project}/import-containers/${container}/tasks`).set(header).send({ task: name });
  const summary = async (container: string) => (await t.http.get(`/${project}/import-containers/${container}/import-summaries`).set(t.auth)).body as { states: Record<string, number>; total: number };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports ready → running → waiting → finished / finishedWithErrors, with counts, progress and times', async () => {
    await createContainer('life');
    expect(await status('life')).toEqual({ key: 'life', state: 'ready', counts: { total: 0, processing: 0, waiting: 0, imported: 0, errors: 0, canceled: 0 }, progress: 0 });

    await t.http.post(`/${project}/categories/import-containers/life`).set(t.auth).send({ type: 'category', resources: [category('life-child', 'life-parent')] }).expect(201);
    await importTypes('life', [productType('life-a'), productType('life-b')]);
    const running = await status('life');
    expect(running).toMatchObject({ state: 'running', counts: { total: 3, processing: 3, waiting: 0, imported: 0 }, progress: 0 });
    expect(running.startedAt).toBeUndefined();

    await drain(t);
    const waiting = await status('life');
    expect(waiting).toMatchObject({ state: 'waiting', counts: { total: 3, processing: 0, waiting: 1, imported: 2 } });
    expect(waiting.progress).toBeCloseTo(2 / 3);
    expect(typeof waiting.startedAt).toBe('string');
    expect(typeof waiting.lastProcessedAt).toBe('string');
    expect(waiting.finishedAt).toBeUndefined();

    await t.http.post(`/${project}/categories/import-containers/life`).set(t.auth).send({ type: 'category', resources: [category('life-parent')] }).expect(201);
    await drain(t);
    const finished = await status('life');
    expect(finished).toMatchObject({ state: 'finished', counts: { total: 4, processing: 0, waiting: 0, imported: 4, errors: 0, canceled: 0 }, progress: 1 });
    expect(finished.startedAt).toBe(waiting.startedAt);
    expect(Date.parse(finished.finishedAt as string)).toBeGreaterThanOrEqual(Date.parse(finished.startedAt as string));

    await importTypes('life', [duplicateAttributes('life-bad')]);
    expect((await status('life')).state).toBe('running');
    await drain(t);
    expect(await status('life')).toMatchObject({ state: 'finishedWithErrors', counts: { total: 5, imported: 4, errors: 1 }, progress: 1 });

    // The container representation stays commercetools'.
    const container = (await t.http.get(`/${project}/import-containers/life`).set(t.auth)).body as Record<string, unknown>;
    expect(Object.keys(container).sort()).toEqual(['createdAt', 'key', 'lastModifiedAt', 'version']);
  });

  it('pause: 2,000 pending operations do not advance over several processor runs, requests are still accepted; resume wakes the workers and all import', async () => {
    await createContainer('big');
    await createContainer('other');
    await importMany('big', 2000);
    const paused = await task('big', 'pause');
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ key: 'big', state: 'paused', counts: { total: 2000, processing: 2000 } });
    expect(typeof paused.body.pausedAt).toBe('string');

    // Still accepting; another container's operations (queued behind the paused ones) are processed.
    await importMany('big', 40);
    const otherKeys = await importMany('other', 20);
    const worker = t.app.get(ProcessorService);
    let otherImported = 0;
    for (let run = 0; run < 4; run++) otherImported += (await worker.runOnce()).imported;
    expect(otherImported).toBe(otherKeys.length);
    expect((await summary('big')).states).toMatchObject({ processing: 2040, imported: 0 });
    expect(await status('big')).toMatchObject({ state: 'paused', counts: { total: 2040, processing: 2040, imported: 0 }, progress: 0 });
    const metrics = await t.http.get('/metrics');
    expect(metrics.text).toMatch(/berth_import_containers_paused 1\b/);
    expect(metrics.text).toMatch(/berth_operations_by_container_state\{container_state="paused"\} 2040\b/);

    // Resume notifies the processors' channel at once.
    const listener = new Client({ connectionString: t.database.url });
    await listener.connect();
    try {
      await listener.query(`LISTEN ${OPERATIONS_CHANNEL}`);
      const notified = new Promise<string | undefined>((resolve) => listener.once('notification', (message) => resolve(message.payload)));
      const resumed = await task('big', 'resume');
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ state: 'running', counts: { processing: 2040 } });
      expect(resumed.body.pausedAt).toBeUndefined();
      expect(await notified).toBe(project);
    } finally {
      await listener.end();
    }
    await drain(t);
    expect(await status('big')).toMatchObject({ state: 'finished', counts: { total: 2040, imported: 2040, processing: 0 }, progress: 1 });
  });

  it('pausing an empty container is allowed; it stays paused for what arrives', async () => {
    await createContainer('empty-paused');
    expect((await task('empty-paused', 'pause')).body).toMatchObject({ state: 'paused', counts: { total: 0 } });
    await importTypes('empty-paused', [productType('ep-1')]);
    await drain(t);
    expect(await status('empty-paused')).toMatchObject({ state: 'paused', counts: { total: 1, processing: 1 } });
    await task('empty-paused', 'resume').expect(200);
    await drain(t);
    expect((await status('empty-paused')).state).toBe('finished');
  });

  it('cancel mid-drain: the rest ends canceled (unresolved ones included), applied ones stay applied, and the container accepts nothing more', async () => {
    await createContainer('cancel-me');
    const keys = await importMany('cancel-me', 500);
    await t.http.post(`/${project}/categories/import-containers/cancel-me`).set(t.auth).send({ type: 'category', resources: [category('cm-child', 'cm-parent')] }).expect(201);
    const worker = t.app.get(ProcessorService);
    const first = await worker.runOnce(100);
    expect(first.imported).toBe(100);
    const waitRows = async () => Number((await t.dataSource.query(`SELECT count(*) AS n FROM import_operation_waits WHERE project_key = $1 AND key = 'cm-parent'`, [project]))[0].n);
    await drain(t);
    expect(await waitRows()).toBe(1);
    // Unprocessed again: more operations that will be canceled.
    await importMany('cancel-me', 60);

    const manager = await t.client(`manage_import_containers:${project}`);
    const canceled = await task('cancel-me', 'cancel', manager.header);
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ state: 'canceled', counts: { total: 561, processing: 0, waiting: 0, imported: 500, canceled: 61 }, progress: 1 });
    expect(typeof canceled.body.canceledAt).toBe('string');
    expect(typeof canceled.body.finishedAt).toBe('string');
    expect((await summary('cancel-me')).states).toMatchObject({ imported: 500, canceled: 61, processing: 0, unresolved: 0 });
    expect(await waitRows()).toBe(0);
    const applied = (await t.dataSource.query(`SELECT count(*)::int AS n FROM product_types WHERE project_key = $1 AND key = ANY($2)`, [project, keys]))[0].n;
    expect(applied).toBe(500);

    // The parent arriving elsewhere does not revive the canceled child.
    await createContainer('cm-parents');
    await t.http.post(`/${project}/categories/import-containers/cm-parents`).set(t.auth).send({ type: 'category', resources: [category('cm-parent')] }).expect(201);
    await drain(t);
    expect((await summary('cancel-me')).states).toMatchObject({ imported: 500, canceled: 61, processing: 0 });

    const refused = await t.http.post(`/${project}/product-types/import-containers/cancel-me`).set(t.auth).send({ type: 'product-type', resources: [productType('late')] });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({ code: 'InvalidOperation' });
    expect(refused.body.errors[0].message).toContain('canceled');

    for (const name of ['pause', 'resume', 'cancel']) {
      const res = await task('cancel-me', name);
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'InvalidOperation' });
      expect(res.body.errors[0].message).toContain('canceled');
    }

    // Every task is recorded with who, when and the from / to state.
    const records = (await t.dataSource.query(
      `SELECT t.task, t.from_state, t.to_state, t.client_id, t.created_at FROM import_container_tasks t JOIN import_containers c ON c.project_key = t.project_key AND c.id = t.container_id
        WHERE c.key = 'cancel-me' ORDER BY t.id`,
    )) as Array<{ task: string; from_state: string; to_state: string; client_id: string; created_at: Date }>;
    expect(records).toEqual([{ task: 'cancel', from_state: 'running', to_state: 'canceled', client_id: manager.clientId, created_at: expect.any(Date) }]);
  });

  it('concurrent cancel and processing (many rounds): every operation ends either applied or canceled, never both', async () => {
    let mixed = 0;
    for (let round = 0; round < 8; round++) {
      const container = `race-${round}`;
      await createContainer(container);
      const keys = await importMany(container, 200, `race${round}`);
      // Small batches (a batch settles in one transaction), and one of them settled before the race starts,
      // so the cancel lands in the middle of the drain.
      const small = { ...t.config, processorBatchSize: 10, processorConcurrency: 1 };
      const workers = [new ProcessorService(t.dataSource, small), new ProcessorService(t.dataSource, small)];
      await workers[0].runOnce();
      const draining = Promise.all(workers.map((worker) => worker.drain()));
      await new Promise((resolve) => setTimeout(resolve, (round * 7) % 20));
      const [res] = await Promise.all([task(container, 'cancel'), draining]);
      // A cancel that lost the race against a complete drain finds the container finished.
      if (res.status === 409) {
        expect(res.body.errors[0].message).toContain('finished');
        continue;
      }
      expect(res.status).toBe(200);
      const rows = (await t.dataSource.query(
        `SELECT o.resource_key, o.state, o.resource_version, p.version AS applied_version
           FROM import_operations o JOIN import_containers c ON c.project_key = o.project_key AND c.id = o.container_id
           LEFT JOIN product_types p ON p.project_key = o.project_key AND p.key = o.resource_key
          WHERE o.project_key = $1 AND c.key = $2`,
        [project, container],
      )) as Array<{ resource_key: string; state: string; resource_version: number | null; applied_version: number | null }>;
      expect(rows).toHaveLength(keys.length);
      const wrong = rows.filter((row) => !(row.state === 'imported' ? row.applied_version === row.resource_version : row.state === 'canceled' && row.applied_version === null));
      expect(wrong).toEqual([]);
      const final = await status(container);
      expect(final.state).toBe('canceled');
      expect(final.counts.imported + final.counts.canceled).toBe(final.counts.total);
      expect(final.counts.total).toBe(keys.length);
      if (final.counts.imported > 0 && final.counts.canceled > 0) mixed++;
      // Nothing is left for the processor.
      expect((await workers[0].runOnce()).claimed).toBe(0);
    }
    // The cancel really raced the drain (some rounds end with both imported and canceled operations).
    expect(mixed).toBeGreaterThan(0);
  });

  it('a cancel waits for an operation being settled and leaves it applied', async () => {
    await createContainer('settling');
    const [settlingId, openId] = await importTypes('settling', [productType('settling-1'), productType('settling-2')]);
    // Stand-in for settle(): holds the operation's row lock while it applies and records the outcome.
    const settle = t.dataSource.createQueryRunner();
    await settle.connect();
    await settle.startTransaction();
    let cancelDone = false;
    let canceling: Promise<{ status: number; body: { counts: Record<string, number> } }> | undefined;
    try {
      await settle.query(`SELECT 1 FROM import_operations WHERE project_key = $1 AND id = $2 AND state = 'processing' FOR UPDATE`, [project, settlingId]);
      canceling = task('settling', 'cancel').then((res) => {
        cancelDone = true;
        return res;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(cancelDone).toBe(false);
      await settle.query(`UPDATE import_operations SET state = 'imported', resource_version = 1, version = version + 1 WHERE project_key = $1 AND id = $2`, [project, settlingId]);
      await settle.commitTransaction();
    } finally {
      await settle.release();
    }
    const res = await canceling!;
    expect(res.status).toBe(200);
    expect(res.body.counts).toMatchObject({ total: 2, imported: 1, canceled: 1, processing: 0 });
    const states = (await t.dataSource.query(`SELECT id, state FROM import_operations WHERE project_key = $1 AND id = ANY($2::uuid[]) ORDER BY state`, [
      project,
      [settlingId, openId],
    ])) as Array<{ id: string; state: string }>;
    expect(states).toEqual([
      { id: openId, state: 'canceled' },
      { id: settlingId, state: 'imported' },
    ]);
  });

  it('a cancel racing accepts: every accepted operation ends canceled, later requests get 400 InvalidOperation', async () => {
    await createContainer('accept-race');
    await importMany('accept-race', 40);
    const accepts = Array.from({ length: 20 }, (_, i) =>
      t.http.post(`/${project}/product-types/import-containers/accept-race`).set(t.auth).send({ type: 'product-type', resources: [productType(`ar-${i}-a`), productType(`ar-${i}-b`)] }),
    );
    const [canceled, ...answers] = await Promise.all([task('accept-race', 'cancel'), ...accepts]);
    expect(canceled.status).toBe(200);
    const accepted = answers.filter((res) => res.status === 201).length;
    for (const res of answers.filter((r) => r.status !== 201)) expect(res.body.errors[0]).toMatchObject({ code: 'InvalidOperation' });
    expect(accepted + answers.filter((res) => res.status === 400).length).toBe(20);
    expect(await status('accept-race')).toMatchObject({ state: 'canceled', counts: { total: 40 + 2 * accepted, canceled: 40 + 2 * accepted, processing: 0 } });
  });

  it('cancels in batches, and finishes a cancel cut short (crash) at start-up', async () => {
    await createContainer('batched');
    await importMany('batched', 50);
    const tasks = t.app.get(ContainerTasksService);
    const [{ id }] = (await t.dataSource.query(`SELECT id FROM import_containers WHERE project_key = $1 AND key = 'batched'`, [project])) as Array<{ id: string }>;
    // The mark committed, the process died before the sweep.
    await t.dataSource.query(`UPDATE import_containers SET processing_state = 'canceled', canceled_at = now() WHERE project_key = $1 AND id = $2`, [project, id]);
    expect(await tasks.sweep(project, id, 7)).toBe(50);
    expect(await status('batched')).toMatchObject({ state: 'canceled', counts: { total: 50, canceled: 50 } });

    await createContainer('interrupted');
    await importMany('interrupted', 30);
    await t.dataSource.query(`UPDATE import_containers SET processing_state = 'canceled', canceled_at = now() WHERE project_key = $1 AND key = 'interrupted'`, [project]);
    const before = await status('interrupted');
    expect(before).toMatchObject({ state: 'canceled', counts: { processing: 30 } });
    expect(before.finishedAt).toBeUndefined();
    expect((await t.app.get(ProcessorService).runOnce()).claimed).toBe(0);
    expect(await tasks.completeInterruptedCancels()).toBe(30);
    const after = await status('interrupted');
    expect(after).toMatchObject({ state: 'canceled', counts: { processing: 0, canceled: 30 }, progress: 1 });
    expect(typeof after.finishedAt).toBe('string');
  });

  it('answers 409 for invalid transitions, naming the current state', async () => {
    await createContainer('transitions');
    let res = await task('transitions', 'resume');
    expect(res.status).toBe(409);
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidOperation' });
    expect(res.body.errors[0].message).toContain("'ready'");
    await task('transitions', 'pause').expect(200);
    res = await task('transitions', 'pause');
    expect(res.status).toBe(409);
    expect(res.body.errors[0].message).toContain("'paused'");
    await task('transitions', 'resume').expect(200);
    await importTypes('transitions', [productType('tr-1')]);
    await drain(t);
    for (const name of ['resume', 'cancel']) {
      res = await task('transitions', name);
      expect(res.status).toBe(409);
      expect(res.body.errors[0].message).toContain("'finished'");
    }
    // A finished container can be paused (for what arrives next), then canceled.
    await task('transitions', 'pause').expect(200);
    expect((await task('transitions', 'cancel')).body).toMatchObject({ state: 'canceled', counts: { imported: 1, canceled: 0 } });
    const records = (await t.dataSource.query(
      `SELECT t.task, t.from_state, t.to_state FROM import_container_tasks t JOIN import_containers c ON c.project_key = t.project_key AND c.id = t.container_id
        WHERE c.key = 'transitions' ORDER BY t.id`,
    )) as unknown[];
    expect(records).toEqual([
      { task: 'pause', from_state: 'ready', to_state: 'paused' },
      { task: 'resume', from_state: 'paused', to_state: 'ready' },
      { task: 'pause', from_state: 'finished', to_state: 'paused' },
      { task: 'cancel', from_state: 'paused', to_state: 'canceled' },
    ]);
  });

  it('answers 400 for a missing or unknown task, 404 for an unknown container, 403 for another project, and honours scopes', async () => {
    await createContainer('errors');
    for (const body of [{}, { task: 'restart' }, { task: 7 }, []]) {
      const res = await t.http.post(`/${project}/import-containers/errors/tasks`).set(t.auth).send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('InvalidInput');
    }
    const unknown = await task('nope', 'pause');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0]).toMatchObject({ code: 'ResourceNotFound', message: 'Import container nope does not exist' });
    expect((await t.http.get(`/${project}/import-containers/nope/status`).set(t.auth)).status).toBe(404);
    await createContainer('deleted');
    await t.http.delete(`/${project}/import-containers/deleted`).set(t.auth).expect(200);
    expect((await task('deleted', 'pause')).status).toBe(404);
    expect((await t.http.get(`/${project}/import-containers/deleted/status`).set(t.auth)).status).toBe(404);

    const otherProject = await t.client('manage_import_containers:proj-b');
    expect((await task('errors', 'pause', otherProject.header)).status).toBe(403);
    expect((await t.http.get(`/${project}/import-containers/errors/status`).set(otherProject.header)).status).toBe(403);

    const viewer = await t.client(`view_import_containers:${project}`);
    expect((await status('errors', viewer.header)).state).toBe('ready');
    expect((await task('errors', 'pause', viewer.header)).status).toBe(403);
    expect((await t.http.get(`/${project}/import-containers/errors/status`)).status).toBe(401);
    expect((await status('errors')).state).toBe('ready');
  });
});
