import { createHmac } from 'node:crypto';
import { createServer, IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { loadConfig } from '../../libs/config/src';
import { createDataSource } from '../../libs/database/src';
import { ImportEvent, NewEvent, recordEvent } from '../../libs/events/src';
import { WebhookDeliveryService, WebhooksRunner } from '../../libs/webhooks/src';
import { createTestApp, TestApp } from '../support/test-app';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver: records every request; `status` decides each answer (`'hang'` never answers). */
interface Receiver {
  url: string;
  received: Received[];
  status: (request: Received, index: number) => number | 'hang';
  /** Resolves once `count` requests have arrived (the test's own timeout bounds the wait). */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  let waiters: Array<() => void> = [];
  const receiver: Receiver = {
    url: '',
    received,
    status: () => 200,
    waitFor: (count) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (received.length >= count) resolve();
          else waiters.push(check);
        };
        check();
      }),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, body };
      received.push(request);
      const status = receiver.status(request, received.length - 1);
      if (status === 'hang') hanging.push(res);
      else res.writeHead(status).end('ok');
      const pending = waiters;
      waiters = [];
      for (const waiter of pending) waiter();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

const seconds = (ms: number) => ms / 1000;

/** What a receiver does to check a delivery: recompute the HMAC over `<t>.<raw body>` with the secret. */
function verify(request: Received, secret: string): { t: number; ok: boolean } {
  const header = String(request.headers['berth-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return { t: NaN, ok: false };
  const expected = createHmac('sha256', secret).update(`${match[1]}.${request.body}`).digest('hex');
  return { t: Number(match[1]), ok: expected === match[2] };
}

describe('webhook delivery', () => {
  let t: TestApp;
  let receiver: Receiver;
  let delivery: WebhookDeliveryService;

  beforeAll(async () => {
    t = await createTestApp({ WEBHOOK_MAX_ATTEMPTS_BEFORE_DISABLE: '5', WEBHOOK_MAX_BACKOFF: '15s' });
    delivery = t.app.get(WebhookDeliveryService);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    receiver = await startReceiver();
    await t.dataSource.query('DELETE FROM subscriptions');
  });
  afterEach(async () => {
    await receiver.close();
  });

  const subscribe = async (key: string, events: string[], options: { url?: string; project?: string; secret?: string } = {}) => {
    const res = await t.http
      .post(`/${options.project ?? 'proj-a'}/subscriptions`)
      .set(t.auth)
      .send({ key, url: options.url ?? receiver.url, events, ...(options.secret ? { secret: options.secret } : {}) });
    expect(res.status).toBe(201);
    return res.body as { id: string; key: string; secret: string; version: number };
  };
  const record = (event: Partial<NewEvent> = {}, dataSource: DataSource = t.dataSource): Promise<ImportEvent> =>
    dataSource.transaction((manager) =>
      recordEvent(manager, { projectKey: 'proj-a', type: 'ImportContainerCreated', resource: { typeId: 'import-container', key: 'c-1' }, actor: 'client-x', data: { n: 1 }, ...event }),
    );
  const deliveries = async (key: string, project = 'proj-a', query = 'sort=sequenceNumber%20asc') => {
    const res = await t.http.get(`/${project}/subscriptions/${key}/deliveries?${query}`).set(t.auth);
    expect(res.status).toBe(200);
    return res.body as {
      total: number;
      results: Array<{ eventId: string; eventType: string; sequenceNumber: number; state: string; attempts: number; lastStatusCode?: number; lastError?: string; nextAttemptAt?: string; lastAttemptAt?: string; deliveredAt?: string }>;
    };
  };

  it('delivers a matching event once, signed: the receiver verifies the HMAC of "<t>.<raw body>" with the secret', async () => {
    await record({ resource: { typeId: 'import-container', key: 'before' } });
    const subscription = await subscribe('signed', ['ImportContainerCreated']);
    await record({ type: 'ImportContainerDeleted' });
    const event = await record();
    const now = new Date();
    const run = await delivery.runOnce(now);
    expect(run).toMatchObject({ enqueued: 1, delivered: 1, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(request.path).toBe('/hook');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['berth-event-id']).toBe(event.id);
    expect(request.headers['berth-event-type']).toBe('ImportContainerCreated');
    expect(request.headers['berth-subscription-key']).toBe('signed');
    const signature = verify(request, subscription.secret);
    expect(signature.ok).toBe(true);
    expect(signature.t).toBe(Math.floor(now.getTime() / 1000));
    expect(verify(request, 'whsec_some-other-secret').ok).toBe(false);
    expect(verify({ ...request, body: request.body.replace('c-1', 'c-2') }, subscription.secret).ok).toBe(false);
    // The body is the event as the API shows it.
    expect(JSON.parse(request.body)).toEqual({
      id: event.id,
      sequenceNumber: event.sequenceNumber,
      projectKey: 'proj-a',
      type: 'ImportContainerCreated',
      resource: { typeId: 'import-container', key: 'c-1' },
      actor: 'client-x',
      createdAt: event.createdAt,
      data: { n: 1 },
    });
    const log = await deliveries('signed');
    expect(log.total).toBe(1);
    expect(log.results[0]).toMatchObject({ eventId: event.id, eventType: 'ImportContainerCreated', sequenceNumber: event.sequenceNumber, state: 'delivered', attempts: 1, lastStatusCode: 200 });
    expect(log.results[0].deliveredAt).toBe(now.toISOString());
    expect(log.results[0].nextAttemptAt).toBeUndefined();
    // Nothing more to do, nothing sent twice.
    expect(await delivery.runOnce()).toMatchObject({ enqueued: 0, delivered: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    expect((await t.http.get('/metrics')).text).toMatch(/berth_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
  });

  it('a PUT with a new URL takes effect for the next attempt; a PUT with other events for events not yet queued', async () => {
    const moved = await startReceiver();
    try {
      await subscribe('moving', ['ImportContainerCreated']);
      receiver.status = () => 500;
      const first = await record();
      const now = new Date();
      expect(await delivery.runOnce(now)).toMatchObject({ failed: 1 });
      const put = await t.http.put('/proj-a/subscriptions/moving').set(t.auth).send({ version: 1, url: moved.url, events: ['ImportContainerDeleted'] });
      expect(put.status).toBe(200);
      const deleted = await record({ type: 'ImportContainerDeleted' });
      await record({ type: 'ImportContainerCreated' });
      expect(await delivery.runOnce(new Date(now.getTime() + 5000))).toMatchObject({ delivered: 2, failed: 0 });
      expect(receiver.received).toHaveLength(1);
      expect(moved.received.map((request) => request.headers['berth-event-id'])).toEqual([first.id, deleted.id]);
    } finally {
      await moved.close();
    }
  });

  it("delivers another subscription's SubscriptionCreated (events from the API itself), not its own", async () => {
    const watcher = await subscribe('watcher', ['SubscriptionCreated', 'SubscriptionDeleted']);
    await subscribe('other', ['ImportContainerCreated'], { url: `${receiver.url}?other` });
    await delivery.runOnce();
    expect(receiver.received).toHaveLength(1);
    const body = JSON.parse(receiver.received[0].body) as ImportEvent;
    expect(body).toMatchObject({ type: 'SubscriptionCreated', resource: { typeId: 'subscription', key: 'other' }, data: { url: `${receiver.url}?other` } });
    expect(JSON.stringify(body)).not.toContain(watcher.secret);
    expect(verify(receiver.received[0], watcher.secret).ok).toBe(true);
  });

  it('delivers in order per subscription: a failing head blocks the later events until it succeeds', async () => {
    await subscribe('ordered', ['ImportContainerCreated']);
    const events: ImportEvent[] = [];
    for (let i = 0; i < 5; i++) events.push(await record({ resource: { typeId: 'import-container', key: `c-${i}` } }));
    receiver.status = (_request, index) => (index === 0 ? 500 : 200);
    const start = new Date();
    expect(await delivery.runOnce(start)).toMatchObject({ enqueued: 5, delivered: 0, failed: 1 });
    // Not due yet: nothing is sent, the later events wait behind the head.
    expect(await delivery.runOnce(new Date(start.getTime() + 4000))).toMatchObject({ delivered: 0, failed: 0 });
    const waiting = await deliveries('ordered');
    expect(waiting.results.map((d) => [d.state, d.attempts])).toEqual([['pending', 1], ['pending', 0], ['pending', 0], ['pending', 0], ['pending', 0]]);
    expect(waiting.results[0]).toMatchObject({ lastStatusCode: 500, lastError: 'The receiver answered HTTP 500.' });
    expect(await delivery.runOnce(new Date(start.getTime() + 5000))).toMatchObject({ delivered: 5, failed: 0 });
    const ids = receiver.received.map((request) => request.headers['berth-event-id']);
    expect(ids).toEqual([events[0].id, ...events.map((event) => event.id)]);
    expect(receiver.received.map((request) => request.headers['berth-delivery-attempt'])).toEqual(['1', '2', '1', '1', '1', '1']);
    const done = await deliveries('ordered');
    expect(done.results.map((d) => [d.sequenceNumber, d.state, d.attempts])).toEqual(events.map((event, i) => [event.sequenceNumber, 'delivered', i === 0 ? 2 : 1]));
    // Newest first by default.
    expect((await deliveries('ordered', 'proj-a', '')).results.map((d) => d.sequenceNumber)).toEqual(events.map((event) => event.sequenceNumber).reverse());
  });

  it('retries a failing receiver with growing delays (5 s, doubling, capped) and disables the subscription after N failures with a SubscriptionDisabled event', async () => {
    const failing = await subscribe('failing', ['ImportContainerCreated']);
    const healthy = await startReceiver();
    try {
      await subscribe('ops', ['SubscriptionDisabled'], { url: healthy.url });
      receiver.status = () => 500;
      const event = await record();
      let now = new Date();
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 4; attempt++) {
        expect(await delivery.runOnce(now)).toMatchObject({ failed: 1, disabled: 0 });
        const [head] = (await deliveries('failing')).results;
        expect(head).toMatchObject({ attempts: attempt, state: 'pending', lastStatusCode: 500, lastAttemptAt: now.toISOString() });
        const next = new Date(head.nextAttemptAt!);
        delays.push(seconds(next.getTime() - now.getTime()));
        // One millisecond early: not yet due, nothing is sent.
        expect(await delivery.runOnce(new Date(next.getTime() - 1))).toMatchObject({ delivered: 0, failed: 0 });
        now = next;
      }
      expect(delays).toEqual([5, 10, 15, 15]);
      expect((await t.http.get('/proj-a/subscriptions/failing').set(t.auth)).body).toMatchObject({ enabled: true, consecutiveFailures: 4, version: 1 });
      // The fifth failure in a row disables it.
      expect(await delivery.runOnce(now)).toMatchObject({ failed: 1, disabled: 1 });
      const disabled = (await t.http.get('/proj-a/subscriptions/failing').set(t.auth)).body;
      expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 5, version: 2 });
      const [recorded] = (await t.dataSource.query(`SELECT actor, data FROM import_events WHERE type = 'SubscriptionDisabled' AND resource_key = 'failing'`)) as Array<{
        actor: string | null;
        data: Record<string, unknown>;
      }>;
      expect(recorded).toEqual({ actor: null, data: expect.objectContaining({ id: failing.id, reason: 'ConsecutiveFailures', consecutiveFailures: 5, eventId: event.id, lastStatusCode: 500 }) });
      // A disabled subscription gets nothing, however late; the other one hears about the disabling.
      expect(await delivery.runOnce(new Date(now.getTime() + 86_400_000))).toMatchObject({ failed: 0 });
      expect(receiver.received).toHaveLength(5);
      expect(healthy.received.map((request) => JSON.parse(request.body).type)).toEqual(['SubscriptionDisabled']);
      await record({ resource: { typeId: 'import-container', key: 'while-disabled' } });

      // Re-enabled: the failure count resets, the queued delivery goes out at once; events of the disabled time are skipped.
      receiver.status = () => 204;
      const reenabled = await t.http.put('/proj-a/subscriptions/failing').set(t.auth).send({ version: 2, url: receiver.url, events: ['ImportContainerCreated'], enabled: true });
      expect(reenabled.body).toMatchObject({ enabled: true, consecutiveFailures: 0, version: 3 });
      const after = await record({ resource: { typeId: 'import-container', key: 'after' } });
      expect(await delivery.runOnce()).toMatchObject({ delivered: 2, failed: 0 });
      expect(receiver.received.slice(5).map((request) => request.headers['berth-event-id'])).toEqual([event.id, after.id]);
      const log = await deliveries('failing');
      expect(log.results.map((d) => [d.eventId, d.state, d.attempts, d.lastStatusCode])).toEqual([
        [event.id, 'delivered', 6, 204],
        [after.id, 'delivered', 1, 204],
      ]);
    } finally {
      await healthy.close();
    }
  });

  it('a receiver that does not answer within WEBHOOK_TIMEOUT_MS, a refused connection and a redirect are failures', async () => {
    const slow = await createTestApp({ WEBHOOK_TIMEOUT_MS: '300' });
    try {
      receiver.status = () => 'hang';
      await slow.http.post('/proj-a/subscriptions').set(slow.auth).send({ key: 'slow', url: receiver.url, events: ['ImportContainerCreated'] });
      await slow.http.post('/proj-a/subscriptions').set(slow.auth).send({ key: 'refused', url: 'http://127.0.0.1:1/hook', events: ['ImportContainerCreated'] });
      await record({}, slow.dataSource);
      expect(await slow.app.get(WebhookDeliveryService).runOnce()).toMatchObject({ delivered: 0, failed: 2 });
      const log = async (key: string) => (await slow.http.get(`/proj-a/subscriptions/${key}/deliveries`).set(slow.auth)).body.results[0];
      expect(await log('slow')).toMatchObject({ attempts: 1, state: 'pending', lastError: 'No answer within 300 ms.' });
      expect((await log('slow')).lastStatusCode).toBeUndefined();
      expect(await log('refused')).toMatchObject({ attempts: 1, state: 'pending', lastError: expect.stringContaining('ECONNREFUSED') });
      // Only the slow subscription's request can reach this receiver, once; on a loaded machine the 300 ms may run out
      // before the receiver has read it, so it is not required to have arrived.
      expect(receiver.received.length).toBeLessThanOrEqual(1);
    } finally {
      await slow.close();
    }
    receiver.status = () => 302;
    await subscribe('redirected', ['ImportContainerCreated']);
    await record();
    expect(await delivery.runOnce()).toMatchObject({ failed: 1 });
    expect((await deliveries('redirected')).results[0]).toMatchObject({ lastStatusCode: 302, lastError: 'The receiver answered HTTP 302 (redirects are not followed).' });
  });

  it('isolates projects: events of one project never reach subscriptions of another', async () => {
    const other = await startReceiver();
    try {
      await subscribe('same-key', ['ImportContainerCreated']);
      await subscribe('same-key', ['ImportContainerCreated'], { project: 'proj-b', url: other.url });
      const a = await record();
      const b = await record({ projectKey: 'proj-b' });
      expect(await delivery.runOnce()).toMatchObject({ enqueued: 2, delivered: 2 });
      expect(receiver.received.map((request) => request.headers['berth-event-id'])).toEqual([a.id]);
      expect(other.received.map((request) => request.headers['berth-event-id'])).toEqual([b.id]);
      expect((await deliveries('same-key', 'proj-a')).results.map((d) => d.eventId)).toEqual([a.id]);
      expect((await deliveries('same-key', 'proj-b')).results.map((d) => d.eventId)).toEqual([b.id]);
      const viewerA = await t.client('view_import_containers:proj-a');
      expect((await t.http.get('/proj-b/subscriptions/same-key/deliveries').set(viewerA.header)).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});

describe('webhook delivery across worker processes', () => {
  let t: TestApp;
  let receiver: Receiver;
  const workers: Array<{ context: INestApplicationContext; dataSource: DataSource }> = [];

  /** A worker as apps/worker starts it (WorkerModule), on its own pool to the same database. */
  const startWorker = async (env: Record<string, string> = {}) => {
    const config = loadConfig({ WORKER_ROLES: 'none', LOG_LEVEL: 'silent', ...env, DATABASE_URL: t.database.url });
    const dataSource = await createDataSource(t.database.url, 4);
    const context = await NestFactory.createApplicationContext(WorkerModule.register(config, dataSource), { logger: false, abortOnError: false });
    await context.init();
    const worker = { context, dataSource, delivery: context.get(WebhookDeliveryService) };
    workers.push(worker);
    return worker;
  };
  const stopWorker = async (worker: { context: INestApplicationContext; dataSource: DataSource }) => {
    await worker.context.close();
    await worker.dataSource.destroy();
    workers.splice(workers.indexOf(worker), 1);
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    for (const worker of [...workers]) await stopWorker(worker);
    await t.close();
  });
  beforeEach(async () => {
    receiver = await startReceiver();
    await t.dataSource.query('DELETE FROM subscriptions');
  });
  afterEach(async () => {
    await receiver.close();
  });

  const subscribe = async (key: string) => {
    const res = await t.http.post('/proj-a/subscriptions').set(t.auth).send({ key, url: receiver.url, events: ['ImportContainerCreated'] });
    expect(res.status).toBe(201);
    return res.body as { secret: string };
  };
  const record = (key = 'c-1') =>
    t.dataSource.transaction((manager) => recordEvent(manager, { projectKey: 'proj-a', type: 'ImportContainerCreated', resource: { typeId: 'import-container', key } }));
  const log = async (key: string) => (await t.http.get(`/proj-a/subscriptions/${key}/deliveries?sort=sequenceNumber%20asc`).set(t.auth)).body.results as Array<{ eventId: string; state: string; attempts: number }>;

  it('a pending delivery survives a worker restart: the next worker sends it', async () => {
    const subscription = await subscribe('restart');
    const event = await record();
    receiver.status = (_request, index) => (index === 0 ? 503 : 200);
    const first = await startWorker();
    const now = new Date();
    expect(await first.delivery.runOnce(now)).toMatchObject({ enqueued: 1, failed: 1 });
    await stopWorker(first);
    const second = await startWorker();
    expect(await second.delivery.runOnce(new Date(now.getTime() + 60_000))).toMatchObject({ enqueued: 0, delivered: 1 });
    expect(receiver.received.map((request) => request.headers['berth-event-id'])).toEqual([event.id, event.id]);
    expect(verify(receiver.received[1], subscription.secret).ok).toBe(true);
    expect(await log('restart')).toMatchObject([{ eventId: event.id, state: 'delivered', attempts: 2 }]);
  });

  it("a dead worker's claim is taken over once its lease expires (WEBHOOK_TIMEOUT_MS + 30 s)", async () => {
    await subscribe('lease');
    const event = await record();
    const dead = await startWorker();
    const now = new Date();
    await dead.delivery.enqueue(now);
    expect(await dead.delivery.claim(now)).toMatchObject({ key: 'lease' });
    // The worker dies holding the claim (no release): its pool is cut.
    await dead.dataSource.destroy();
    const survivor = await startWorker();
    expect(await survivor.delivery.runOnce(new Date(now.getTime() + 39_000))).toMatchObject({ delivered: 0 });
    expect(receiver.received).toHaveLength(0);
    expect(await survivor.delivery.runOnce(new Date(now.getTime() + 40_001))).toMatchObject({ delivered: 1 });
    expect(receiver.received.map((request) => request.headers['berth-event-id'])).toEqual([event.id]);
    await dead.context.close().catch(() => undefined);
    workers.splice(workers.indexOf(dead), 1);
  });

  it('two workers draining at the same time deliver every event exactly once and in order', async () => {
    await subscribe('shared-1');
    await subscribe('shared-2');
    const events: ImportEvent[] = [];
    for (let i = 0; i < 12; i++) events.push(await record(`c-${i}`));
    const a = await startWorker({ WEBHOOK_CONCURRENCY: '2' });
    const b = await startWorker({ WEBHOOK_CONCURRENCY: '2' });
    await Promise.all([a.delivery.runOnce(), b.delivery.runOnce(), a.delivery.runOnce(), b.delivery.runOnce()]);
    // Whatever a concurrent enqueue left for later.
    await a.delivery.runOnce();
    for (const key of ['shared-1', 'shared-2']) {
      const got = receiver.received.filter((request) => request.headers['berth-subscription-key'] === key).map((request) => request.headers['berth-event-id']);
      expect(got).toEqual(events.map((event) => event.id));
    }
  });

  it('with the role embedded in the API process, a hanging receiver holds one lane: the API answers and other subscriptions get their events', async () => {
    const embedded = await createTestApp({ WORKER_ROLES: 'webhooks', WEBHOOK_TIMEOUT_MS: '60000' });
    const hanging = await startReceiver();
    hanging.status = () => 'hang';
    try {
      await embedded.app.get(WebhooksRunner).listening;
      const create = (key: string, url: string) => embedded.http.post('/proj-a/subscriptions').set(embedded.auth).send({ key, url, events: ['ImportContainerCreated'] });
      expect((await create('slow', hanging.url)).status).toBe(201);
      expect((await create('fast', receiver.url)).status).toBe(201);
      const recordIn = (key: string) =>
        embedded.dataSource.transaction((manager) => recordEvent(manager, { projectKey: 'proj-a', type: 'ImportContainerCreated', resource: { typeId: 'import-container', key } }));
      const first = await recordIn('c-1');
      await Promise.all([hanging.waitFor(1), receiver.waitFor(1)]);
      // The slow receiver has not answered: its delivery is in flight, the API is not held up.
      const log = await embedded.http.get('/proj-a/subscriptions/slow/deliveries').set(embedded.auth);
      expect(log.status).toBe(200);
      expect(log.body.results).toMatchObject([{ eventId: first.id, state: 'pending', attempts: 0 }]);
      const second = await recordIn('c-2');
      await receiver.waitFor(2);
      expect(receiver.received.map((request) => request.headers['berth-event-id'])).toEqual([first.id, second.id]);
      // In order: the slow subscription's second event waits behind the first.
      expect(hanging.received).toHaveLength(1);
    } finally {
      await hanging.close();
      await embedded.close();
    }
  }, 30_000);

  it('the webhooks role delivers by itself the moment an event commits (LISTEN berth_events)', async () => {
    await subscribe('live');
    // A poll interval longer than the test: only the NOTIFY can wake the worker in time.
    const worker = await startWorker({ WORKER_ROLES: 'webhooks', WEBHOOK_POLL_MS: '60000' });
    await worker.context.get(WebhooksRunner).listening;
    const event = await record();
    await receiver.waitFor(1);
    expect(receiver.received[0].headers['berth-event-id']).toBe(event.id);
    const second = await record('c-2');
    await receiver.waitFor(2);
    expect(receiver.received[1].headers['berth-event-id']).toBe(second.id);
  }, 20_000);
});
