import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProcessorService } from '../../libs/processing/src';
import { createTestApp, TestApp } from '../support/test-app';
import { withDatabase } from '../support/test-database';

const ROOT = path.resolve(__dirname, '..', '..');
const KEYS = 5;
const UPDATES_PER_KEY = 40;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Berth's separate processes, compiled as a user runs them: the worker (crash safety) and the admin CLI. */
describe('worker and CLI processes', () => {
  let t: TestApp;
  let worker: ChildProcess | undefined;
  const apis: ChildProcess[] = [];

  beforeAll(async () => {
    // The worker runs as a real separate process from the compiled app.
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
    t = await createTestApp();
  }, 180_000);
  afterAll(async () => {
    worker?.kill('SIGKILL');
    for (const api of apis) api.kill('SIGKILL');
    await t.close();
  });

  const count = async (sql: string) => Number(((await t.dataSource.query(sql)) as Array<{ n: number }>)[0].n);

  it('every operation is applied exactly once after a SIGKILL and a restart', async () => {
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'crash' }).expect(201);
    for (let round = 0; round < UPDATES_PER_KEY / 4; round++) {
      const resources = [];
      for (let update = 0; update < 4; update++) {
        for (let key = 0; key < KEYS; key++) {
          resources.push({ key: `crash-${key}`, name: 'Crash', description: `update ${round * 4 + update}`, attributes: [] });
        }
      }
      await t.http.post('/test/product-types/import-containers/crash').set(t.auth).send({ type: 'product-type', resources }).expect(201);
    }
    const total = KEYS * UPDATES_PER_KEY;

    worker = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.database.url, WORKER_ROLES: 'processor', PROCESSOR_BATCH_SIZE: '5', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => worker!.once('exit', resolve));
    // Kill it as soon as it is visibly mid-way.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'imported'`)) < 20) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    worker.kill('SIGKILL');
    const killedAt = Date.now();
    await exited;
    const importedBeforeCrash = await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'imported'`);
    expect(importedBeforeCrash).toBeGreaterThanOrEqual(20);
    const orphaned = ((await t.dataSource.query(`SELECT id FROM import_operations WHERE state = 'processing' AND locked_by IS NOT NULL`)) as Array<{ id: string }>).map((row) => row.id);

    // The dead worker's claims (default lease, no longer renewed by its heartbeat) are taken over within
    // 15 s by another worker, without touching locked_until.
    const survivor = new ProcessorService(t.dataSource, t.config);
    const takeOverDeadline = killedAt + 15_000;
    let takeOverMs: number | undefined;
    while (Date.now() < takeOverDeadline) {
      await survivor.runOnce();
      if ((await count(`SELECT count(*)::int AS n FROM import_operations WHERE id = ANY('{${orphaned.join(',')}}'::uuid[]) AND state = 'processing'`)) === 0) {
        takeOverMs = Date.now() - killedAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (process.env.BERTH_TEST_TIMINGS) process.stderr.write(`kill -9: ${orphaned.length} orphaned claim(s) taken over ${takeOverMs} ms after the kill\n`);
    expect(takeOverMs).toBeLessThan(15_000);
    await survivor.drain();
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE state = 'imported'`)).toBe(total);
    for (let key = 0; key < KEYS; key++) {
      const rows = (await t.dataSource.query(`SELECT version, data->>'description' AS description FROM product_types WHERE project_key = 'test' AND key = $1`, [`crash-${key}`])) as Array<{
        version: number;
        description: string;
      }>;
      // Each update changes the description once: exactly one version per accepted update, the last one wins.
      expect(rows[0]).toEqual({ version: UPDATES_PER_KEY, description: `update ${UPDATES_PER_KEY - 1}` });
      const versions = (await t.dataSource.query(`SELECT resource_version FROM import_operations WHERE resource_key = $1 ORDER BY seq`, [`crash-${key}`])) as Array<{ resource_version: number }>;
      expect(versions.map((row) => row.resource_version)).toEqual(Array.from({ length: UPDATES_PER_KEY }, (_, i) => i + 1));
    }
  }, 180_000);

  it('SIGTERM: the worker finishes the batch it is settling (one transaction), takes no more, and exits 0', async () => {
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'sigterm' }).expect(201);
    const keys = 20;
    const updates = 5;
    for (let update = 0; update < updates; update++) {
      const resources = Array.from({ length: keys }, (_, key) => ({ key: `term-${key}`, name: 'Term', description: `update ${update}`, attributes: [] }));
      await t.http.post('/test/product-types/import-containers/sigterm').set(t.auth).send({ type: 'product-type', resources }).expect(201);
    }
    const pending = `SELECT count(*)::int AS n FROM import_operations WHERE resource_key LIKE 'term-%' AND state = 'processing'`;
    const sigterm = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.database.url, WORKER_ROLES: 'processor', PROCESSOR_BATCH_SIZE: '20', PROCESSOR_CONCURRENCY: '1', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => sigterm.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && (await count(pending)) > keys * updates - 5) await new Promise((resolve) => setTimeout(resolve, 10));
    sigterm.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Nothing is left claimed: the rest of its batch was released, not left for the lease.
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE resource_key LIKE 'term-%' AND state = 'processing' AND locked_by IS NOT NULL`)).toBe(0);
    // A batch (one operation of each of the 20 keys) settles in one transaction: whole batches or nothing.
    const settledBeforeExit = keys * updates - (await count(pending));
    if (process.env.BERTH_TEST_TIMINGS) process.stderr.write(`SIGTERM: ${settledBeforeExit} operation(s) settled before exit\n`);
    expect(settledBeforeExit % keys).toBe(0);
    await new ProcessorService(t.dataSource, t.config).drain();
    expect(await count(pending)).toBe(0);
    const versions = (await t.dataSource.query(`SELECT DISTINCT version FROM product_types WHERE project_key = 'test' AND key LIKE 'term-%'`)) as Array<{ version: number }>;
    expect(versions).toEqual([{ version: updates }]);
  }, 120_000);

  /** Starts the compiled API as a separate process on this test's database and waits until it is ready. */
  const startApi = async (): Promise<string> => {
    const port = await freePort();
    const api = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.database.url, WORKER_ROLES: 'none', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error', PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    apis.push(api);
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (api.exitCode !== null) throw new Error(`API process exited with ${api.exitCode}`);
      try {
        if ((await fetch(`${base}/health`)).ok) return base;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('API process did not become ready');
  };

  it('two API processes: requests for one key answered one after another apply in that order', async () => {
    const bases = await Promise.all([startApi(), startApi()]);
    const headers = { ...t.auth, 'Content-Type': 'application/json' };
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'two-apis' }).expect(201);
    const post = async (base: string, resources: unknown[]) => {
      const res = await fetch(`${base}/test/product-types/import-containers/two-apis`, { method: 'POST', headers, body: JSON.stringify({ type: 'product-type', resources }) });
      const body = (await res.json()) as { operationStatus: Array<{ operationId: string }> };
      expect(res.status).toBe(201);
      return body.operationStatus[0].operationId;
    };
    const rounds = 40;
    const accepted: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      // Alternate between the two processes; the other one takes concurrent traffic for other keys.
      const [main] = await Promise.all([
        post(bases[round % 2], [{ key: 'two-x', name: 'X', description: `v${round}`, attributes: [] }]),
        post(bases[(round + 1) % 2], [{ key: `two-side-${round}`, name: 'S', description: 's', attributes: [] }]),
        post(bases[round % 2], [{ key: `two-side-${round}-b`, name: 'S', description: 's', attributes: [] }]),
      ]);
      accepted.push(main);
    }
    await Promise.all([new ProcessorService(t.dataSource, t.config).drain(), new ProcessorService(t.dataSource, t.config).drain()]);
    const rows = (await t.dataSource.query(`SELECT version, data->>'description' AS description FROM product_types WHERE project_key = 'test' AND key = 'two-x'`)) as Array<{
      version: number;
      description: string;
    }>;
    expect(rows[0]).toEqual({ version: rounds, description: `v${rounds}` });
    const versions = (await t.dataSource.query(`SELECT id, resource_version FROM import_operations WHERE id = ANY($1::uuid[])`, [accepted])) as Array<{ id: string; resource_version: number }>;
    const byId = new Map(versions.map((row) => [row.id, row.resource_version]));
    expect(accepted.map((id) => byId.get(id))).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
  }, 180_000);

  /** Starts the compiled worker as a separate process on this test's database. */
  const startWorker = (roles: string): ChildProcess => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: t.database.url,
        WORKER_ROLES: roles,
        PROCESSOR_BATCH_SIZE: '7',
        PROCESSOR_POLL_MS: '50',
        REAPER_CRON: '* * * * * *',
        MIGRATIONS_RUN: 'false',
        LOG_LEVEL: 'error',
      },
      stdio: 'ignore',
    });
    apis.push(child);
    return child;
  };

  it('two API processes and two workers on one database: per-key order, exactly once, pause/resume/cancel, wake-ups and the reaper singleton hold', async () => {
    const started = apis.length;
    const bases = await Promise.all([startApi(), startApi()]);
    startWorker('processor,reaper');
    startWorker('processor,reaper');
    try {
      await multiProcessScenario(bases);
    } finally {
      // This test's four processes stop here; later tests use the database alone.
      for (const child of apis.slice(started)) child.kill('SIGKILL');
    }
  }, 240_000);

  const multiProcessScenario = async (bases: string[]) => {
    const headers = { ...t.auth, 'Content-Type': 'application/json' };
    const call = async (base: string, method: string, route: string, body?: unknown) => {
      const res = await fetch(`${base}/test${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const accept = async (base: string, container: string, type: string, resources: unknown[]) => {
      const path = type === 'category' ? 'categories' : 'product-types';
      const res = await call(base, 'POST', `/${path}/import-containers/${container}`, { type, resources });
      expect(res.status).toBe(201);
      return (res.body.operationStatus as Array<{ operationId: string }>).map((status) => status.operationId);
    };
    const productType = (key: string, description: string) => ({ key, name: key, description, attributes: [] });
    const category = (key: string, parent?: string) => ({ key, name: { en: key }, slug: { en: `slug-${key}` }, ...(parent ? { parent: { typeId: 'category', key: parent } } : {}) });
    for (const [index, key] of ['mp-order', 'mp-wait', 'mp-pause', 'mp-cancel', 'mp-expire'].entries()) {
      expect((await call(bases[index % 2], 'POST', '/import-containers', { key })).status).toBe(201);
    }
    // Paused before anything arrives; the cancel container is paused too, so its operations are still open when it is canceled.
    expect((await call(bases[0], 'POST', '/import-containers/mp-pause/tasks', { task: 'pause' })).status).toBe(200);
    expect((await call(bases[1], 'POST', '/import-containers/mp-cancel/tasks', { task: 'pause' })).status).toBe(200);

    // The child is accepted first (unresolved until its parent arrives through the other API).
    await accept(bases[0], 'mp-wait', 'category', [category('mp-child', 'mp-parent')]);
    const rounds = 30;
    const ordered: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      const [main] = await Promise.all([
        accept(bases[round % 2], 'mp-order', 'product-type', [productType('mp-x', `v${round}`)]),
        accept(bases[(round + 1) % 2], 'mp-order', 'product-type', [productType(`mp-side-${round}`, 's')]),
        accept(bases[(round + 1) % 2], 'mp-pause', 'product-type', [productType(`mp-paused-${round}`, 'p')]),
        accept(bases[round % 2], 'mp-cancel', 'product-type', [productType(`mp-canceled-${round}`, 'c')]),
        accept(bases[round % 2], 'mp-expire', 'product-type', [productType(`mp-expired-${round}`, 'e')]),
      ]);
      ordered.push(main[0]);
      if (round === rounds / 2) await accept(bases[1], 'mp-wait', 'category', [category('mp-parent')]);
    }
    expect((await call(bases[1], 'POST', '/import-containers/mp-cancel/tasks', { task: 'cancel' })).status).toBe(200);

    const waitFor = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const open = (container: string) =>
      count(`SELECT count(*)::int AS n FROM import_operations o JOIN import_containers c ON c.project_key = o.project_key AND c.id = o.container_id
              WHERE c.project_key = 'test' AND c.key = '${container}' AND o.state IN ('processing', 'unresolved', 'waitForMasterVariant')`);
    await waitFor('mp-order and mp-wait to finish', async () => (await open('mp-order')) + (await open('mp-wait')) === 0);

    // Per-key order and exactly once across two APIs and two workers.
    const [x] = (await t.dataSource.query(`SELECT version, data->>'description' AS description FROM product_types WHERE project_key = 'test' AND key = 'mp-x'`)) as Array<{
      version: number;
      description: string;
    }>;
    expect(x).toEqual({ version: rounds, description: `v${rounds}` });
    const versions = (await t.dataSource.query(`SELECT id, resource_version FROM import_operations WHERE id = ANY($1::uuid[])`, [ordered])) as Array<{ id: string; resource_version: number }>;
    const byId = new Map(versions.map((row) => [row.id, row.resource_version]));
    expect(ordered.map((id) => byId.get(id))).toEqual(Array.from({ length: rounds }, (_, i) => i + 1));
    expect(await count(`SELECT count(*)::int AS n FROM product_types WHERE project_key = 'test' AND key LIKE 'mp-side-%' AND version = 1`)).toBe(rounds);
    // The unresolved child was woken when its parent arrived through the other API.
    const [child] = (await t.dataSource.query(
      `SELECT p.key AS parent FROM categories c JOIN categories p ON p.project_key = c.project_key AND p.id = c.parent_id WHERE c.project_key = 'test' AND c.key = 'mp-child'`,
    )) as Array<{ parent: string }>;
    expect(child).toEqual({ parent: 'mp-parent' });

    // Paused: nothing of it was applied while the others drained; resumed through the other API, it drains.
    expect(await count(`SELECT count(*)::int AS n FROM product_types WHERE project_key = 'test' AND key LIKE 'mp-paused-%'`)).toBe(0);
    expect((await call(bases[1], 'POST', '/import-containers/mp-pause/tasks', { task: 'resume' })).status).toBe(200);
    await waitFor('mp-pause to finish after resume', async () => (await open('mp-pause')) === 0);
    expect(await count(`SELECT count(*)::int AS n FROM product_types WHERE project_key = 'test' AND key LIKE 'mp-paused-%' AND version = 1`)).toBe(rounds);

    // Canceled: every operation ends canceled, none applied.
    const canceled = await call(bases[0], 'GET', '/import-containers/mp-cancel/status');
    expect(canceled.body).toMatchObject({ state: 'canceled' });
    expect(await count(`SELECT count(*)::int AS n FROM product_types WHERE project_key = 'test' AND key LIKE 'mp-canceled-%'`)).toBe(0);
    expect(
      await count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = 'test' AND resource_key LIKE 'mp-canceled-%' AND state = 'canceled'`),
    ).toBe(rounds);

    // The reaper (a singleton under an advisory lock, running every second in both workers) deletes an expired
    // container with its operations exactly once.
    await waitFor('mp-expire to drain', async () => (await open('mp-expire')) === 0);
    const before = await count(`SELECT coalesce(sum(operations_deleted), 0)::int AS n FROM reaper_runs`);
    await t.dataSource.query(`UPDATE import_containers SET expires_at = now() - interval '1 second' WHERE project_key = 'test' AND key = 'mp-expire'`);
    await waitFor('the reaper to delete mp-expire', async () => (await count(`SELECT count(*)::int AS n FROM import_containers WHERE project_key = 'test' AND key = 'mp-expire'`)) === 0);
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = 'test' AND resource_key LIKE 'mp-expired-%'`)).toBe(0);
    // The sweep records its run after it has deleted the container (and swept old events), so wait for the record.
    const reaped = async () => (await count(`SELECT coalesce(sum(operations_deleted), 0)::int AS n FROM reaper_runs`)) - before;
    await waitFor('the reaper to record its run', async () => (await reaped()) >= rounds);
    expect(await reaped()).toBe(rounds);
    // Nothing is left claimed by either worker.
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = 'test' AND resource_key LIKE 'mp-%' AND state = 'processing'`)).toBe(0);
  };

  it('CLI creates, lists and deletes API clients against DATABASE_URL; the created client gets tokens', async () => {
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: t.database.url }, encoding: 'utf8' });
    const created = cli('clients:create', '--scope', 'manage_project:cli view_import_containers:test', '--name', 'from-cli');
    expect(created.status).toBe(0);
    const lines = created.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const client = JSON.parse(lines[0]) as { clientId: string; clientSecret: string; scope: string };
    expect(client.scope).toBe('manage_project:cli view_import_containers:test');
    const token = await t.http.post('/oauth/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' });
    expect(token.status).toBe(200);
    const listed = cli('clients:list');
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(client.clientId);
    expect(listed.stdout).not.toContain(client.clientSecret);
    expect(cli('clients:delete', client.clientId).status).toBe(0);
    expect(cli('clients:list').stdout).not.toContain(client.clientId);
    const bad = cli('clients:create', '--scope', 'fly_to_the_moon:test');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/unknown or malformed scope/);
    expect(cli('clients:create').status).toBe(2);
  });
});

/**
 * Start-up, Ctrl-C and data-directory ownership of the compiled API, worker and CLI (the build is made by the
 * describe block above; one build per run, so no two test files write dist/ at the same time).
 */
describe('start-up, shutdown and the data directory', () => {
  const API = path.join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
  const WORKER = path.join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');
  const CLI = path.join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js');
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  let t: TestApp;

  beforeAll(async () => {
    if (!fs.existsSync(API)) {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, stdio: 'inherit' });
    }
    t = await createTestApp();
  }, 180_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await t.close();
    for (const dir of dirs) {
      for (const pid of postgresPids(dir)) process.kill(pid, 'SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** PIDs of postgres servers running on this data directory. */
  const postgresPids = (dataDir: string): number[] =>
    execFileSync('ps', ['-e', '-o', 'pid=,args='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('postgres') && line.includes(`${dataDir}/pgdata`))
      .map((line) => Number(line.trim().split(/\s+/)[0]));

  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-startup-'));
    dirs.push(dir);
    return dir;
  };

  const baseEnv = (extra: Record<string, string>) => {
    const env: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: '0', ...extra };
    if (!extra.DATABASE_URL) delete env.DATABASE_URL;
    return env;
  };

  interface Server {
    child: ChildProcess;
    base: string;
    stdout: () => string;
    stderr: () => string;
    exited: Promise<number | null>;
  }

  /** Starts the compiled API leading its own process group (as a shell does for a foreground job) and waits for its listening line. */
  const startServer = async (env: Record<string, string>): Promise<Server> => {
    const child = spawn(process.execPath, [API], { cwd: ROOT, env: baseEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const match = /Berth listening on http:\/\/localhost:(\d+)/.exec(out);
      if (match) {
        expect(Number(match[1])).toBeGreaterThan(0); // the bound port, not PORT=0
        return { child, base: `http://127.0.0.1:${match[1]}`, stdout: () => out, stderr: () => err, exited };
      }
      if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}: ${err}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`API did not start: ${err}`);
  };

  const run = (script: string, args: string[], env: Record<string, string>) => spawnSync(process.execPath, [script, ...args], { cwd: ROOT, env: baseEnv(env), encoding: 'utf8', timeout: 60_000 });
  const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

  it('start-up failures print one line naming the cause on stderr and exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const busy = run(API, [], { DATABASE_URL: t.database.url, WORKER_ROLES: 'none', PORT: String(taken) });
      expect(busy.status).toBe(1);
      expect(lines(busy.stderr)).toEqual([`Berth could not start: port ${taken} is already in use (set PORT)`]);
    } finally {
      blocker.close();
    }
    const cron = run(API, [], { DATABASE_URL: t.database.url, REAPER_CRON: 'every-minute' });
    expect(cron.status).toBe(1);
    expect(lines(cron.stderr)).toHaveLength(1);
    expect(cron.stderr).toContain("REAPER_CRON is not a valid cron expression: 'every-minute'");
    const workerCron = run(WORKER, [], { DATABASE_URL: t.database.url, REAPER_CRON: 'every-minute' });
    expect(workerCron.status).toBe(1);
    expect(workerCron.stderr).toContain('REAPER_CRON');

    const emptyDb = `berth_empty_${process.pid}`;
    await t.dataSource.query(`CREATE DATABASE ${emptyDb}`);
    try {
      const emptyUrl = withDatabase(t.database.url, emptyDb);
      const pending = run(API, [], { DATABASE_URL: emptyUrl, MIGRATIONS_RUN: 'false', WORKER_ROLES: 'none' });
      expect(pending.status).toBe(1);
      expect(lines(pending.stderr)).toHaveLength(1);
      expect(pending.stderr).toMatch(/^Berth could not start: MIGRATIONS_RUN=false and the database .* pending migration\(s\).*npm run cli -- migrate/);
      expect(pending.stderr).not.toContain(`:${new URL(emptyUrl).password}@`); // no password
      const workerPending = run(WORKER, [], { DATABASE_URL: emptyUrl, MIGRATIONS_RUN: 'false' });
      expect(workerPending.status).toBe(1);
      expect(workerPending.stderr).toMatch(/^Berth worker could not start: .*npm run cli -- migrate/);
      // migrate, then the same start-up works.
      const migrate = run(CLI, ['migrate'], { DATABASE_URL: emptyUrl });
      expect(migrate.status).toBe(0);
      expect(migrate.stderr).toMatch(/using DATABASE_URL \w+@127\.0\.0\.1:\d+\/berth_empty_/);
      const server = await startServer({ DATABASE_URL: emptyUrl, MIGRATIONS_RUN: 'false', WORKER_ROLES: 'none' });
      expect((await fetch(`${server.base}/health`)).status).toBe(200);
      process.kill(-server.child.pid!, 'SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      await t.dataSource.query(`DROP DATABASE IF EXISTS ${emptyDb} WITH (FORCE)`);
    }
  }, 120_000);

  it('the CLI prints help without a database; an unknown command exits 2 with usage', () => {
    const nowhere = path.join(os.tmpdir(), `berth-no-such-dir-${process.pid}`);
    for (const args of [['clients:create', '--help'], ['help'], ['migrate', '--help'], ['seed', '--help'], ['clients:list', '-h']]) {
      const help = run(CLI, args, { BERTH_DATA_DIR: nowhere });
      expect(help.status).toBe(0);
      expect(help.stdout).toMatch(/clients:create|migrate|seed|clients:list/);
    }
    expect(fs.existsSync(nowhere)).toBe(false);
    const unknown = run(CLI, ['frobnicate'], { BERTH_DATA_DIR: nowhere });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^unknown command 'frobnicate'\n/);
    expect(unknown.stderr).toContain('clients:create --scope');
    expect(fs.existsSync(nowhere)).toBe(false);
  });

  const credentials = (stdout: string) => {
    const id = /client id:\s+(\S+)/.exec(stdout)?.[1];
    const secret = /client secret:\s+(\S+)/.exec(stdout)?.[1];
    if (!id || !secret) throw new Error(`no dev client printed: ${stdout.slice(0, 500)}`);
    return { id, secret };
  };
  const tokenFor = async (base: string, id: string, secret: string) => {
    const res = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    return { Authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}`, 'Content-Type': 'application/json' };
  };
  const operationIds = async (base: string, headers: Record<string, string>, container: string) => {
    const ids = new Set<string>();
    for (let offset = 0; ; offset += 500) {
      const res = await fetch(`${base}/demo/import-containers/${container}/import-operations?limit=500&offset=${offset}`, { headers });
      expect(res.status).toBe(200);
      const page = (await res.json()) as { results: Array<{ id: string }> };
      for (const op of page.results) ids.add(op.id);
      if (page.results.length < 500) return ids;
    }
  };

  it('one data directory, one owner: a second start fails naming the owner; the CLI uses the owner’s Postgres; Ctrl-C under load drains cleanly', async () => {
    const dir = dataDir();
    const first = await startServer({ BERTH_DATA_DIR: dir });
    const { id, secret } = credentials(first.stdout());
    const lock = JSON.parse(fs.readFileSync(path.join(dir, 'berth.lock'), 'utf8')) as { pid: number; port: number };
    expect(lock.pid).toBe(first.child.pid);

    // A second server on the same directory refuses, naming the owner.
    const second = run(API, [], { BERTH_DATA_DIR: dir });
    expect(second.status).toBe(1);
    expect(lines(second.stderr)).toHaveLength(1);
    expect(second.stderr).toContain(`in use by another Berth process (PID ${first.child.pid}`);
    expect(postgresPids(dir)).toHaveLength(1);

    // The CLI, with BERTH_DATA_DIR set, uses the server's database: the client it creates gets tokens from the server.
    const cli = run(CLI, ['clients:create', '--scope', 'manage_project:demo', '--name', 'cli'], { BERTH_DATA_DIR: dir });
    expect(cli.status).toBe(0);
    expect(cli.stderr).toContain(`using embedded Postgres at ${dir}, shared with the running Berth process ${first.child.pid}`);
    const created = JSON.parse(cli.stdout) as { clientId: string; clientSecret: string };
    await tokenFor(first.base, created.clientId, created.clientSecret);
    expect(postgresPids(dir)).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'berth.lock'), 'utf8'))).toEqual(lock);

    // Ctrl-C with imports in flight: SIGINT to the whole process group, as a terminal sends it.
    const headers = await tokenFor(first.base, id, secret);
    expect((await fetch(`${first.base}/demo/import-containers`, { method: 'POST', headers, body: JSON.stringify({ key: 'ctrl-c' }) })).status).toBe(201);
    const statuses: number[] = [];
    const acknowledged: string[] = [];
    let stop = false;
    let n = 0;
    const loop = async () => {
      while (!stop) {
        const i = n++;
        const resources = Array.from({ length: 5 }, (_, r) => ({ key: `cc-${i}-${r}`, name: 'C', description: `d${i}`, attributes: [] }));
        try {
          const res = await fetch(`${first.base}/demo/product-types/import-containers/ctrl-c`, { method: 'POST', headers, body: JSON.stringify({ type: 'product-type', resources }) });
          statuses.push(res.status);
          if (res.status === 201) for (const op of ((await res.json()) as { operationStatus: Array<{ operationId: string }> }).operationStatus) acknowledged.push(op.operationId);
        } catch {
          // refused or cut: not answered
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
    };
    const loops = Array.from({ length: 8 }, () => loop());
    while (statuses.length < 60) await new Promise((resolve) => setTimeout(resolve, 20));
    process.kill(-first.child.pid!, 'SIGINT');
    const code = await first.exited;
    stop = true;
    await Promise.all(loops);
    if (process.env.BERTH_TEST_TIMINGS) process.stderr.write(`Ctrl-C: ${statuses.length} answered, ${acknowledged.length} operations acknowledged\n`);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(code).toBe(0);
    expect(first.stdout() + first.stderr()).not.toMatch(/ECONNREFUSED/);
    expect(postgresPids(dir)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'berth.lock'))).toBe(false);

    // After a restart every acknowledged operation is there.
    const again = await startServer({ BERTH_DATA_DIR: dir });
    const stored = await operationIds(again.base, await tokenFor(again.base, id, secret), 'ctrl-c');
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.filter((op) => !stored.has(op))).toEqual([]);

    // kill -9 of the owner leaves its Postgres orphaned; the next start recovers the stale lock and stops it.
    process.kill(again.child.pid!, 'SIGKILL');
    await again.exited;
    const orphans = postgresPids(dir);
    expect(orphans).toHaveLength(1);
    const third = await startServer({ BERTH_DATA_DIR: dir });
    expect(third.stdout()).toContain(`removing the stale lock of PID ${again.child.pid}`);
    expect(third.stdout()).toContain(`stopping the orphaned Postgres (PID ${orphans[0]})`);
    const now = postgresPids(dir);
    expect(now).toHaveLength(1);
    expect(now[0]).not.toBe(orphans[0]);
    expect((await operationIds(third.base, await tokenFor(third.base, id, secret), 'ctrl-c')).size).toBe(stored.size);
    // `npm start` forwards the signal it got from the process group: the same signal arrives twice, and the
    // second one must not cut the shutdown short (Postgres still running, exit by signal).
    process.kill(-third.child.pid!, 'SIGTERM');
    process.kill(third.child.pid!, 'SIGTERM');
    expect(await third.exited).toBe(0);
    expect(postgresPids(dir)).toEqual([]);
  }, 240_000);

  it('the worker logs pino JSON at LOG_LEVEL and serves /health and /metrics on WORKER_HTTP_PORT', async () => {
    const port = await freePort();
    const worker = spawn(process.execPath, [WORKER], {
      cwd: ROOT,
      env: baseEnv({ DATABASE_URL: t.database.url, WORKER_ROLES: 'processor', WORKER_HTTP_PORT: String(port), LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(worker);
    let out = '';
    worker.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    let health: Response | undefined;
    while (Date.now() < deadline && !health) {
      health = await fetch(`${base}/health`).catch(() => undefined);
      if (!health) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health?.status).toBe(200);
    expect(await health?.json()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    expect((await fetch(`${base}/health/live`)).status).toBe(200);

    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'worker-http' }).expect(201);
    await t.http.post('/test/product-types/import-containers/worker-http').set(t.auth).send({ type: 'product-type', resources: [{ key: 'wh-1', name: 'W', description: 'w', attributes: [] }] }).expect(201);
    let metrics = '';
    while (Date.now() < deadline && !/berth_operations_processed_total\{state="imported"\} [1-9]/.test(metrics)) {
      metrics = await (await fetch(`${base}/metrics`)).text();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(metrics).toMatch(/berth_operations_processed_total\{state="imported"\} [1-9]/);
    expect(metrics).toContain('berth_process_cpu_seconds_total');

    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
    const logLines = lines(out);
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(logLines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(expect.arrayContaining([expect.stringMatching(/worker running roles: processor/)]));

    // LOG_LEVEL=warn: nothing below warn.
    const quiet = spawn(process.execPath, [WORKER], { cwd: ROOT, env: baseEnv({ DATABASE_URL: t.database.url, WORKER_ROLES: 'processor', WORKER_HTTP_PORT: String(port), LOG_LEVEL: 'warn' }), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(quiet);
    let quietOut = '';
    quiet.stdout?.on('data', (chunk: Buffer) => (quietOut += chunk.toString('utf8')));
    const quietExited = new Promise<number | null>((resolve) => quiet.once('exit', (code) => resolve(code)));
    let up = false;
    while (Date.now() < deadline + 30_000 && !up) {
      up = (await fetch(`${base}/health`).catch(() => undefined))?.status === 200;
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(up).toBe(true);
    quiet.kill('SIGTERM');
    expect(await quietExited).toBe(0);
    for (const line of lines(quietOut)) expect((JSON.parse(line) as { level: number }).level).toBeGreaterThanOrEqual(40);
  }, 120_000);
});
