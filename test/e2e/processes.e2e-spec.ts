import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { ProcessorService } from '../../libs/processing/src';
import { createTestApp, TestApp } from '../support/test-app';

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
