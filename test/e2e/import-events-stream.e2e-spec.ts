import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { ApiClientsService, SigningKeysService, TOKEN_ALGORITHM, TOKEN_ISSUER } from '../../libs/auth/src';
import { EVENTS_LISTENER_NAME, EventNotifications, EventStreamsService, ImportEvent, recordEvents } from '../../libs/events/src';
import { createTestApp, TestApp } from '../support/test-app';

interface SseEvent {
  id: string;
  event: string;
  data: ImportEvent;
}

/** A real HTTP client reading the stream (node http.get with the bearer header), parsing Server-Sent Events. */
class StreamClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  ended = false;
  response?: http.IncomingMessage;
  private buffer = '';
  private waiters: Array<() => void> = [];
  private readonly request: http.ClientRequest;
  readonly opened: Promise<void>;

  constructor(port: number, path: string, headers: Record<string, string>) {
    let opened!: () => void;
    this.opened = new Promise((resolve) => (opened = resolve));
    this.request = http.get({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers } }, (response) => {
      this.response = response;
      this.status = response.statusCode ?? 0;
      this.headers = response.headers;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        this.buffer += chunk;
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.parse(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
        this.wake();
      });
      response.on('end', () => {
        this.ended = true;
        this.wake();
      });
      response.on('close', () => {
        this.ended = true;
        this.wake();
      });
      opened();
    });
    this.request.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The raw body so far (error answers). */
  get body(): string {
    return this.buffer;
  }

  private parse(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
      else {
        const colon = line.indexOf(':');
        if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
      }
    }
    if (fields.data !== undefined) this.events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) as ImportEvent });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Resolves once `condition` holds (checked on every chunk); rejects if the stream ends first. */
  until(condition: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      // Only so that a failure names what was missing (instead of the test's timeout); never an assertion on timing.
      const guard = setTimeout(() => reject(new Error(`no ${what} after 30 s; events: ${this.events.map((e) => `${e.id}:${e.event}`).join(',')}`)), 30_000);
      const check = () => {
        if (condition()) {
          clearTimeout(guard);
          return resolve();
        }
        if (this.ended) {
          clearTimeout(guard);
          return reject(new Error(`stream ended before ${what}; events: ${this.events.map((e) => `${e.id}:${e.event}`).join(',')}`));
        }
        this.waiters.push(check);
      };
      check();
    });
  }

  untilEvents(count: number): Promise<void> {
    return this.until(() => this.events.length >= count, `${count} event(s)`);
  }

  untilEnded(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => (this.ended ? resolve() : this.waiters.push(check));
      check();
    });
  }

  close(): void {
    this.request.destroy();
  }
}

/** Polls a condition of the server's state until it holds (no fixed sleeps in assertions). */
async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('import events stream (SSE)', () => {
  let t: TestApp;
  let port: number;
  const project = 'proj-a';
  let viewer: Awaited<ReturnType<TestApp['client']>>;
  const open: StreamClient[] = [];

  const stream = (query = '', headers: Record<string, string> = viewer.header, projectKey = project) => {
    const client = new StreamClient(port, `/${projectKey}/import-events/stream${query}`, headers);
    open.push(client);
    return client;
  };
  const createContainer = (key: string) => t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
  const subscribers = () => t.app.get(EventNotifications).subscriberCount();

  beforeAll(async () => {
    t = await createTestApp({ EVENTS_HEARTBEAT_MS: '200' });
    port = ((t.app.getHttpServer() as http.Server).address() as AddressInfo).port;
    viewer = await t.client(`view_import_containers:${project}`);
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses what is not a stream request: 406 without Accept: text/event-stream, 400 for a bad Last-Event-ID or type, 401/403 by the guard', async () => {
    const plain = await t.http.get(`/${project}/import-events/stream`).set(viewer.header);
    expect(plain.status).toBe(406);
    expect(plain.body.errors[0].code).toBe('InvalidInput');
    const sse = { ...viewer.header, Accept: 'text/event-stream' };
    expect((await t.http.get(`/${project}/import-events/stream`).set({ ...sse, 'Last-Event-ID': 'abc' })).status).toBe(400);
    const badType = await t.http.get(`/${project}/import-events/stream?type=Nope`).set(sse);
    expect(badType.status).toBe(400);
    expect(badType.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'type' });
    expect((await t.http.get(`/${project}/import-events/stream`).set({ Accept: 'text/event-stream' })).status).toBe(401);
    const other = await t.client('manage_project:proj-b');
    const denied = await t.http.get(`/${project}/import-events/stream`).set({ ...other.header, Accept: 'text/event-stream' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('insufficient_scope');
    // HEAD answers the headers of a stream and ends.
    const head = await t.http.head(`/${project}/import-events/stream`).set(sse);
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
    // Tokens are read from the Authorization header only, never from the URL.
    expect((await t.http.get(`/${project}/import-events/stream?access_token=${viewer.token}`).set({ Accept: 'text/event-stream' })).status).toBe(401);
  });

  it('delivers an event live, then resumes after a reconnect with Last-Event-ID with exactly the missed events', async () => {
    const first = stream();
    await first.opened;
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^text\/event-stream/);
    const created = await createContainer('live-1');
    await first.untilEvents(1);
    const [live] = first.events;
    expect(live.event).toBe('ImportContainerCreated');
    expect(live.data).toMatchObject({ type: 'ImportContainerCreated', resource: { typeId: 'import-container', key: 'live-1' }, data: created.body, actor: expect.any(String) });
    expect(live.id).toBe(String(live.data.sequenceNumber));
    const listed = await t.http.get(`/${project}/import-events?resourceKey=live-1`).set(viewer.header);
    expect(listed.body.results).toEqual([live.data]);

    first.close();
    await waitFor(() => subscribers() === 0, 'the disconnected stream to unsubscribe');
    await createContainer('missed-1');
    await t.http.delete(`/${project}/import-containers/missed-1`).set(t.auth).expect(200);

    const resumed = stream('', { ...viewer.header, 'Last-Event-ID': live.id });
    await resumed.untilEvents(2);
    await createContainer('live-2');
    await resumed.untilEvents(3);
    expect(resumed.events.map((event) => `${event.event}:${event.data.resource.key}`)).toEqual(['ImportContainerCreated:missed-1', 'ImportContainerDeleted:missed-1', 'ImportContainerCreated:live-2']);
    const ids = resumed.events.map((event) => Number(event.id));
    expect(ids[0]).toBeGreaterThan(Number(live.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('sends only the requested types, and heartbeats as `: ping` comments', async () => {
    const deletes = stream('?type=ImportContainerDeleted');
    await deletes.opened;
    await createContainer('typed-1');
    await t.http.delete(`/${project}/import-containers/typed-1`).set(t.auth).expect(200);
    await deletes.untilEvents(1);
    expect(deletes.events.map((event) => event.event)).toEqual(['ImportContainerDeleted']);
    await deletes.until(() => deletes.comments.includes('ping'), 'a heartbeat');
    expect(deletes.comments[0]).toBe('connected');
  });

  it('does not show another project’s events', async () => {
    const b = await t.client('view_import_containers:proj-b');
    const inB = stream('', b.header, 'proj-b');
    await inB.opened;
    await createContainer('only-a');
    await t.http.post(`/proj-b/import-containers`).set(t.auth).send({ key: 'only-b' }).expect(201);
    await inB.untilEvents(1);
    expect(inB.events.map((event) => event.data.resource.key)).toEqual(['only-b']);
    expect(inB.events[0].data.projectKey).toBe('proj-b');
  });

  it('ends when the token expires', async () => {
    const client = await t.app.get(ApiClientsService).create(`view_import_containers:${project}`);
    const key = await t.app.get(SigningKeysService).activeKey();
    const token = await new SignJWT({ scope: `view_import_containers:${project}` })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(client.clientId)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
      .sign(key.privateKey);
    const short = stream('', { Authorization: `Bearer ${token}` });
    await short.opened;
    expect(short.status).toBe(200);
    await short.untilEnded();
    expect(short.comments).toContain('token expired');
    await waitFor(() => subscribers() === 0, 'the expired stream to unsubscribe');
  });

  it('ends when its client is deleted (token revoked)', async () => {
    const doomed = await t.client(`view_import_containers:${project}`);
    const revoked = stream('', doomed.header);
    await revoked.opened;
    await t.app.get(ApiClientsService).delete(doomed.clientId);
    await revoked.untilEnded();
    expect(revoked.comments).toContain('token revoked');
  });

  it('survives the loss of the LISTEN connection: reconnects and catches up', async () => {
    const notifications = t.app.get(EventNotifications);
    const client = stream();
    await client.opened;
    await notifications.ready();
    const listenerPid = async () =>
      ((await t.dataSource.query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`, [EVENTS_LISTENER_NAME])) as Array<{ pid: number }>).map(
        (row) => row.pid,
      );
    const [before] = await listenerPid();
    expect(before).toBeDefined();
    await t.dataSource.query(`SELECT pg_terminate_backend($1)`, [before]);
    // Recorded while the listener is (most likely) down: no NOTIFY reaches this process for it.
    await createContainer('after-loss');
    await client.untilEvents(1);
    expect(client.events[0].data.resource.key).toBe('after-loss');
    await waitFor(async () => {
      const pids = await listenerPid();
      return pids.length === 1 && pids[0] !== before;
    }, 'a new LISTEN connection');
    await createContainer('after-reconnect');
    await client.untilEvents(2);
    expect(client.events[1].data.resource.key).toBe('after-reconnect');
  });

  it('stops reading while the client does not read (bounded memory), and then delivers everything in order, once', async () => {
    const slow = stream();
    await slow.opened;
    slow.response!.pause();
    // About 24 MB in all: far more than the socket buffers of both ends can hold.
    const big = 'x'.repeat(12_000);
    const count = 2000;
    const recorded = await t.dataSource.transaction((manager) =>
      recordEvents(
        manager,
        Array.from({ length: count }, (_, i) => ({ projectKey: project, type: 'ImportContainerUpdated' as const, resource: { typeId: 'import-container' as const, key: `bulk-${i}` }, data: { big } })),
      ),
    );
    const last = recorded[recorded.length - 1].sequenceNumber;
    const streams = t.app.get(EventStreamsService);
    await waitFor(() => streams.states().some((state) => state.waitingForDrain), 'the stream to wait for the socket to drain');
    const [state] = streams.states().filter((s) => s.waitingForDrain);
    // Not everything was read from the database into memory: the stream stopped at the socket's limit.
    expect(state.lastSent).toBeLessThan(last);
    slow.response!.resume();
    await slow.untilEvents(count);
    expect(slow.events.map((event) => event.data.resource.key)).toEqual(recorded.map((event) => event.resource.key));
    expect(new Set(slow.events.map((event) => event.id)).size).toBe(count);
  });

  it('closes every stream on shutdown (closeAll)', async () => {
    const a = stream();
    await a.opened;
    await waitFor(() => t.app.get(EventStreamsService).states().length > 0, 'the stream to be open');
    t.app.get(EventStreamsService).closeAll();
    await a.untilEnded();
    expect(a.comments).toContain('server shutting down');
  });
});
