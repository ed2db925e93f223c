import { ApiClientsService } from '../../libs/auth/src';
import { ImportEvent, recordEvents } from '../../libs/events/src';
import { recordFinishedContainers } from '../../libs/import/src/containers/container-finished';
import { ProcessorService, ReaperService } from '../../libs/processing/src';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

const DAY_MS = 86_400_000;

/** The event log: what each change records (with its actor), the paged list and its filters, isolation, retention, ImportContainerFinished. */
describe('import events', () => {
  let t: TestApp;
  const project = 'proj-a';
  let manager: Awaited<ReturnType<TestApp['client']>>;
  let viewer: Awaited<ReturnType<TestApp['client']>>;

  const list = async (query: string, header: Record<string, string> = t.auth, projectKey = project) => {
    const res = await t.http.get(`/${projectKey}/import-events${query}`).set(header);
    expect(res.status).toBe(200);
    return res.body as { limit: number; offset: number; count: number; total: number; results: ImportEvent[] };
  };
  const ofContainer = async (key: string) => (await list(`?resourceKey=${key}&sort=createdAt asc&limit=500`)).results;
  const productType = (key: string) => ({ key, name: `Type ${key}`, description: 'd', attributes: [] });
  const importTypes = async (container: string, keys: string[]) => {
    const res = await t.http.post(`/${project}/product-types/import-containers/${container}`).set(t.auth).send({ type: 'product-type', resources: keys.map(productType) });
    expect(res.status).toBe(201);
  };
  const finished = async (container: string) => (await ofContainer(container)).filter((event) => event.type === 'ImportContainerFinished');

  beforeAll(async () => {
    t = await createTestApp();
    manager = await t.client(`manage_import_containers:${project}`);
    viewer = await t.client(`view_import_containers:${project}`);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('recording', () => {
    it('records container create, update and delete with the actor and the container as data', async () => {
      const created = await t.http.post(`/${project}/import-containers`).set(manager.header).send({ key: 'ev-c1' }).expect(201);
      const updated = await t.http.put(`/${project}/import-containers/ev-c1`).set(manager.header).send({ version: 1, resourceType: 'category' }).expect(200);
      const deleted = await t.http.delete(`/${project}/import-containers/ev-c1`).set(manager.header).expect(200);
      const events = await ofContainer('ev-c1');
      expect(events.map((event) => event.type)).toEqual(['ImportContainerCreated', 'ImportContainerUpdated', 'ImportContainerDeleted']);
      for (const event of events) {
        expect(event).toMatchObject({ projectKey: project, resource: { typeId: 'import-container', key: 'ev-c1' }, actor: manager.clientId });
        expect(typeof event.id).toBe('string');
        expect(Number.isInteger(event.sequenceNumber)).toBe(true);
        expect(Number.isNaN(Date.parse(event.createdAt))).toBe(false);
      }
      expect(events[0].data).toEqual(created.body);
      expect(events[1].data).toEqual(updated.body);
      expect(events[2].data).toEqual(deleted.body);
      expect(events[0].sequenceNumber).toBeLessThan(events[1].sequenceNumber);
      expect(events[1].sequenceNumber).toBeLessThan(events[2].sequenceNumber);
    });

    it('records nothing for a change that fails (duplicate key, stale version, unknown container)', async () => {
      await t.http.post(`/${project}/import-containers`).set(manager.header).send({ key: 'ev-fail' }).expect(201);
      await t.http.post(`/${project}/import-containers`).set(manager.header).send({ key: 'ev-fail' }).expect(400);
      await t.http.put(`/${project}/import-containers/ev-fail`).set(manager.header).send({ version: 7 }).expect(409);
      await t.http.delete(`/${project}/import-containers/ev-none`).set(manager.header).expect(404);
      await t.http.post(`/${project}/import-containers/ev-fail/tasks`).set(manager.header).send({ task: 'resume' }).expect(409);
      expect((await ofContainer('ev-fail')).map((event) => event.type)).toEqual(['ImportContainerCreated']);
      expect(await ofContainer('ev-none')).toEqual([]);
    });

    it('records pause, resume and cancel with the actor, the task and the states', async () => {
      await t.http.post(`/${project}/import-containers`).set(manager.header).send({ key: 'ev-tasks' }).expect(201);
      for (const task of ['pause', 'resume', 'cancel']) await t.http.post(`/${project}/import-containers/ev-tasks/tasks`).set(manager.header).send({ task }).expect(200);
      const events = (await ofContainer('ev-tasks')).slice(1);
      expect(events.map((event) => [event.type, event.actor, event.data])).toEqual([
        ['ImportContainerPaused', manager.clientId, { key: 'ev-tasks', task: 'pause', fromState: 'ready', toState: 'paused' }],
        ['ImportContainerResumed', manager.clientId, { key: 'ev-tasks', task: 'resume', fromState: 'paused', toState: 'ready' }],
        ['ImportContainerCanceled', manager.clientId, { key: 'ev-tasks', task: 'cancel', fromState: 'ready', toState: 'canceled' }],
      ]);
    });

    it('records API client creation and deletion once per project of its scopes, showing only that project’s scopes, without actor (CLI)', async () => {
      const clients = t.app.get(ApiClientsService);
      const created = await clients.create('manage_products:proj-a view_products:proj-a view_orders:proj-b', 'two projects');
      expect(await clients.delete(created.clientId)).toBe(true);
      const inA = (await list(`?resourceTypeId=api-client&resourceId=${created.clientId}&sort=createdAt asc`)).results;
      const inB = (await list(`?resourceTypeId=api-client&resourceId=${created.clientId}&sort=createdAt asc`, t.auth, 'proj-b')).results;
      expect(inA.map((event) => [event.type, event.data])).toEqual([
        ['ApiClientCreated', { id: created.clientId, name: 'two projects', scope: 'manage_products:proj-a view_products:proj-a' }],
        ['ApiClientDeleted', { id: created.clientId, name: 'two projects', scope: 'manage_products:proj-a view_products:proj-a' }],
      ]);
      expect(inB.map((event) => [event.type, event.data.scope])).toEqual([
        ['ApiClientCreated', 'view_orders:proj-b'],
        ['ApiClientDeleted', 'view_orders:proj-b'],
      ]);
      for (const event of [...inA, ...inB]) {
        expect(event.resource).toEqual({ typeId: 'api-client', id: created.clientId });
        expect(event.actor).toBeUndefined();
      }
      // Deleting an unknown client records nothing.
      expect(await clients.delete('no-such-client')).toBe(false);
      expect((await list(`?resourceId=no-such-client`)).total).toBe(0);
    });
  });

  describe('list', () => {
    const keys = ['ev-l1', 'ev-l2', 'ev-l3', 'ev-l4', 'ev-l5'];
    let all: ImportEvent[];
    let between: { from: string; to: string };

    beforeAll(async () => {
      for (const key of keys.slice(0, 2)) await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
      // Microsecond precision, as the event times have it.
      const now = `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at`;
      const [{ at: mark }] = (await t.dataSource.query(now)) as Array<{ at: string }>;
      for (const key of keys.slice(2)) await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
      await t.http.delete(`/${project}/import-containers/ev-l5`).set(t.auth).expect(200);
      const [{ at: end }] = (await t.dataSource.query(now)) as Array<{ at: string }>;
      between = { from: mark, to: end };
      all = (await list('?limit=500')).results;
    });

    it('pages newest first with limit, offset, count and total', async () => {
      expect(all.length).toBeGreaterThan(10);
      const sequence = all.map((event) => event.sequenceNumber);
      expect(sequence).toEqual([...sequence].sort((a, b) => b - a));
      const page = await list('?limit=3&offset=2');
      expect(page).toMatchObject({ limit: 3, offset: 2, count: 3, total: all.length });
      expect(page.results).toEqual(all.slice(2, 5));
      const defaults = await list('');
      expect(defaults).toMatchObject({ limit: 20, offset: 0, total: all.length });
      expect((await list(`?offset=${all.length}`)).results).toEqual([]);
    });

    it('sorts oldest first with sort=createdAt asc', async () => {
      const ascending = (await list('?limit=500&sort=createdAt asc')).results;
      expect(ascending).toEqual([...all].reverse());
      expect((await list('?limit=500&sort=createdAt desc')).results).toEqual(all);
    });

    it('filters by type (repeatable), resourceTypeId, resourceKey, and from/to', async () => {
      const deletes = (await list('?type=ImportContainerDeleted&limit=500')).results;
      expect(deletes.length).toBeGreaterThan(0);
      expect(deletes.every((event) => event.type === 'ImportContainerDeleted')).toBe(true);
      expect(deletes.map((event) => event.resource.key)).toContain('ev-l5');
      const two = (await list('?type=ImportContainerDeleted&type=ImportContainerUpdated&limit=500')).results;
      expect(two).toEqual(all.filter((event) => ['ImportContainerDeleted', 'ImportContainerUpdated'].includes(event.type)));
      expect((await list('?resourceTypeId=api-client&limit=500')).results).toEqual(all.filter((event) => event.resource.typeId === 'api-client'));
      expect((await list('?resourceKey=ev-l5&sort=createdAt asc')).results.map((event) => event.type)).toEqual(['ImportContainerCreated', 'ImportContainerDeleted']);
      const window = (await list(`?from=${encodeURIComponent(between.from)}&to=${encodeURIComponent(between.to)}&sort=createdAt asc`)).results;
      expect(window.map((event) => `${event.type}:${event.resource.key}`)).toEqual([
        'ImportContainerCreated:ev-l3',
        'ImportContainerCreated:ev-l4',
        'ImportContainerCreated:ev-l5',
        'ImportContainerDeleted:ev-l5',
      ]);
      expect((await list(`?from=${encodeURIComponent(between.to)}&resourceKey=ev-l1`)).total).toBe(0);
      expect((await list(`?to=${encodeURIComponent(between.from)}&resourceKey=ev-l1`)).total).toBe(1);
    });

    it.each([
      ['type=ContainerExploded', 'type'],
      ['type=ImportContainerCreated&type=Nope', 'type'],
      ['resourceTypeId=product', 'resourceTypeId'],
      ['from=yesterday', 'from'],
      ['from=2026-02-30T00:00:00Z', 'from'],
      ['to=2026-12-01', 'to'],
      ['to=2026-12-01T25:00:00Z', 'to'],
    ])('answers 400 InvalidField for %s', async (query, field) => {
      const res = await t.http.get(`/${project}/import-events?${query}`).set(t.auth);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'InvalidField', field })]));
    });

    it('answers 400 for malformed paging and repeated single-valued parameters', async () => {
      for (const query of ['limit=501', 'offset=-1', 'sort=type asc', 'from=2026-12-01T00:00:00Z&from=2026-12-02T00:00:00Z']) {
        const res = await t.http.get(`/${project}/import-events?${query}`).set(t.auth);
        expect(res.status).toBe(400);
        expect(res.body.statusCode).toBe(400);
      }
    });

    it('is readable with view_import_containers; other projects see nothing and get 403', async () => {
      expect((await list('?limit=500', viewer.header)).total).toBe(all.length);
      const other = await t.client('manage_project:proj-b');
      const res = await t.http.get(`/${project}/import-events`).set(other.header);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('insufficient_scope');
      const productsOnly = await t.client(`manage_products:${project}`);
      expect((await t.http.get(`/${project}/import-events`).set(productsOnly.header)).status).toBe(403);
      const inB = (await list('?limit=500', other.header, 'proj-b')).results;
      expect(inB.every((event) => event.projectKey === 'proj-b')).toBe(true);
      expect(inB.some((event) => event.resource.key?.startsWith('ev-'))).toBe(false);
    });
  });

  describe('ImportContainerFinished', () => {
    it('is recorded once when every operation is final, and again after new operations finish', async () => {
      await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'ev-fin' }).expect(201);
      await importTypes('ev-fin', ['fin-a', 'fin-b']);
      await drain(t);
      const first = await finished('ev-fin');
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ resource: { typeId: 'import-container', key: 'ev-fin' }, data: { key: 'ev-fin', state: 'finished', counts: { total: 2, imported: 2 }, progress: 1 } });
      expect(first[0].actor).toBeUndefined();
      await drain(t);
      expect(await finished('ev-fin')).toHaveLength(1);
      await importTypes('ev-fin', ['fin-c']);
      await drain(t);
      const second = await finished('ev-fin');
      expect(second).toHaveLength(2);
      expect(second[1].data).toMatchObject({ state: 'finished', counts: { total: 3, imported: 3 } });
    });

    it('waits for unresolved operations, reports finishedWithErrors, and is not recorded for a canceled container', async () => {
      await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'ev-wait' }).expect(201);
      const category = (key: string, parent?: string) => ({ key, name: { en: key }, slug: { en: `slug-${key}` }, ...(parent ? { parent: { typeId: 'category', key: parent } } : {}) });
      await t.http.post(`/${project}/categories/import-containers/ev-wait`).set(t.auth).send({ type: 'category', resources: [category('ev-child', 'ev-parent')] }).expect(201);
      await drain(t);
      expect(await finished('ev-wait')).toEqual([]);
      await t.http.post(`/${project}/categories/import-containers/ev-wait`).set(t.auth).send({ type: 'category', resources: [category('ev-parent')] }).expect(201);
      await drain(t);
      expect((await finished('ev-wait')).map((event) => event.data.state)).toEqual(['finished']);

      await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'ev-err' }).expect(201);
      const bad = { ...productType('ev-bad'), attributes: [1, 2].map(() => ({ type: { name: 'text' }, name: 'same', label: { en: 'S' }, isRequired: false, isSearchable: true })) };
      await t.http.post(`/${project}/product-types/import-containers/ev-err`).set(t.auth).send({ type: 'product-type', resources: [bad] }).expect(201);
      await drain(t);
      expect((await finished('ev-err')).map((event) => event.data.state)).toEqual(['finishedWithErrors']);

      await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'ev-cancel' }).expect(201);
      await importTypes('ev-cancel', ['cancel-a']);
      await t.http.post(`/${project}/import-containers/ev-cancel/tasks`).set(t.auth).send({ task: 'cancel' }).expect(200);
      await drain(t);
      expect((await ofContainer('ev-cancel')).map((event) => event.type)).toEqual(['ImportContainerCreated', 'ImportContainerCanceled']);
    });

    it('is recorded exactly once when the checks of two workers see the same finish', async () => {
      await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'ev-twice' }).expect(201);
      await importTypes('ev-twice', ['tw-a', 'tw-b', 'tw-c', 'tw-d']);
      const operations = (await t.dataSource.query(
        `SELECT o.project_key, o.id, o.container_id FROM import_operations o JOIN import_containers c ON c.project_key = o.project_key AND c.id = o.container_id
          WHERE c.project_key = $1 AND c.key = 'ev-twice'`,
        [project],
      )) as Array<{ project_key: string; id: string; container_id: string }>;
      await drain(t);
      expect(await finished('ev-twice')).toHaveLength(1);
      // Later checks of batches the recorded finish already saw record nothing.
      expect(await recordFinishedContainers(t.dataSource, operations.slice(0, 2))).toBe(0);
      expect(await recordFinishedContainers(t.dataSource, operations)).toBe(0);
      // As if no check had run yet: two workers, each having settled half of the operations, check at the same time.
      await t.dataSource.query(`UPDATE import_container_activity SET finished_snapshot = NULL WHERE container_id = $1`, [operations[0].container_id]);
      const results = await Promise.all([recordFinishedContainers(t.dataSource, operations.slice(0, 2)), recordFinishedContainers(t.dataSource, operations.slice(2))]);
      expect(results.sort()).toEqual([0, 1]);
      expect(await finished('ev-twice')).toHaveLength(2);
    });

    it('two workers draining at once record exactly one event per finished container', async () => {
      const small = { ...t.config, processorBatchSize: 3, processorConcurrency: 1 };
      const containers = ['ev-race-1', 'ev-race-2', 'ev-race-3', 'ev-race-4'];
      for (const key of containers) {
        await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
        await importTypes(key, Array.from({ length: 12 }, (_, i) => `${key}-${i}`));
      }
      const workers = [new ProcessorService(t.dataSource, small), new ProcessorService(t.dataSource, small)];
      await Promise.all(workers.map((worker) => worker.drain()));
      for (const key of containers) {
        const events = await finished(key);
        expect(events).toHaveLength(1);
        expect(events[0].data).toMatchObject({ state: 'finished', counts: { total: 12, imported: 12 } });
      }
    });
  });

  describe('retention', () => {
    it('reaps events older than EVENTS_TTL (default 30 days) in batches, and records the deletion of expired containers', async () => {
      const reaper = t.app.get(ReaperService);
      await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'ev-short', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '1h' } } }).expect(201);
      await t.dataSource.transaction((manager) =>
        recordEvents(
          manager,
          Array.from({ length: 2500 }, (_, i) => ({ projectKey: 'proj-b', type: 'ImportContainerUpdated' as const, resource: { typeId: 'import-container' as const, key: `bulk-${i}` } })),
        ),
      );
      const total = Number(((await t.dataSource.query(`SELECT count(*) AS n FROM import_events`)) as Array<{ n: string }>)[0].n);
      // Two hours on: the container expired (its deletion is an event, no actor); no event is 30 days old.
      const early = await reaper.sweepOnce(new Date(Date.now() + 2 * 3600_000));
      expect(early).toMatchObject({ containersDeleted: 1 });
      expect(early.eventsDeleted).toBeUndefined();
      const deleted = (await list('?resourceKey=ev-short&type=ImportContainerDeleted')).results;
      expect(deleted).toHaveLength(1);
      expect(deleted[0].actor).toBeUndefined();
      expect(deleted[0].data).toMatchObject({ key: 'ev-short', reason: 'expired' });
      expect((await reaper.sweepOnce(new Date(Date.now() + 29 * DAY_MS))).eventsDeleted).toBeUndefined();
      const late = await reaper.sweepOnce(new Date(Date.now() + 31 * DAY_MS));
      expect(late.eventsDeleted).toBe(total + 1);
      expect((await list('')).total).toBe(0);
      expect((await list('', t.auth, 'proj-b')).total).toBe(0);
    });

    it('follows a configured EVENTS_TTL', async () => {
      const other = await createTestApp({ EVENTS_TTL: '2h' });
      try {
        await other.http.post(`/test/import-containers`).set(other.auth).send({ key: 'ttl' }).expect(201);
        const count = async () => Number(((await other.dataSource.query(`SELECT count(*) AS n FROM import_events WHERE project_key = 'test'`)) as Array<{ n: string }>)[0].n);
        const before = await count();
        expect(before).toBeGreaterThanOrEqual(2);
        const reaper = other.app.get(ReaperService);
        expect((await reaper.sweepOnce(new Date(Date.now() + 3600_000))).eventsDeleted).toBeUndefined();
        expect((await reaper.sweepOnce(new Date(Date.now() + 3 * 3600_000))).eventsDeleted).toBeGreaterThanOrEqual(before);
        expect(await count()).toBe(0);
      } finally {
        await other.close();
      }
    });
  });
});
