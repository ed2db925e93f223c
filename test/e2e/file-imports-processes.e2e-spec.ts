import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { createServer, AddressInfo } from 'node:net';
import * as path from 'node:path';
import { FileImportsService } from '../../libs/import/src';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

const ROOT = path.resolve(__dirname, '..', '..');

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

const categoriesCsv = (prefix: string, count: number) => ['key,name.en,slug.en', ...Array.from({ length: count }, (_, i) => `${prefix}-${i},Name ${i},${prefix}-slug-${i}`)].join('\n') + '\n';

/** File imports across real processes: the API killed (SIGKILL) mid-job, and the CLI's `import` command. */
describe('file imports across processes', () => {
  let t: TestApp;
  const project = 'test';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.js')], { cwd: ROOT, stdio: 'inherit' });
    t = await createTestApp();
  }, 240_000);
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await t.close();
  });

  const count = async (sql: string, params: unknown[]) => Number(((await t.dataSource.query(sql, params)) as Array<{ n: number }>)[0].n);
  const jobRow = async (id: string) =>
    ((await t.dataSource.query(`SELECT state, rows_total, upload_complete, stored_rows, stored_at, accepted FROM file_imports WHERE project_key = $1 AND id = $2`, [project, id])) as Array<{
      state: string;
      rows_total: number;
      upload_complete: boolean;
      stored_rows: number;
      stored_at: Date | null;
      accepted: number;
    }>)[0];

  /** A separate API process on the test database. */
  async function startApi(): Promise<{ child: ChildProcess; port: number; exited: Promise<unknown> }> {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js')], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: t.database.url, PORT: String(port), HOST: '127.0.0.1', WORKER_ROLES: 'none', MIGRATIONS_RUN: 'false', LOG_LEVEL: 'error' },
      stdio: 'ignore',
    });
    children.push(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (let i = 0; i < 600; i++) {
      const up = await fetch(`http://127.0.0.1:${port}/health`).then(
        (res) => res.status === 200,
        () => false,
      );
      if (up) return { child, port, exited };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the API process did not start');
  }

  const latestJob = async (container: string) =>
    ((await t.dataSource.query(`SELECT id FROM file_imports WHERE project_key = $1 AND container_key = $2 ORDER BY created_at DESC LIMIT 1`, [project, container])) as Array<{ id: string }>)[0]?.id;

  it('an API killed mid-store loses nothing acknowledged and stores no row twice: another process resumes from the cursor', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'crash-store' }).expect(201);
    const api = await startApi();
    const rows = 12_000;
    const body = categoriesCsv('cs', rows);
    const request = http.request({
      host: '127.0.0.1',
      port: api.port,
      path: `/${project}/import-containers/crash-store/file-imports?resourceType=category`,
      method: 'POST',
      headers: { ...t.auth, 'Content-Type': 'text/csv', 'Content-Length': String(Buffer.byteLength(body)) },
    });
    request.on('error', () => undefined);
    request.end(body);

    // Kill it once it is visibly storing (upload complete, some batches stored, not all).
    let id: string | undefined;
    for (let i = 0; i < 20_000; i++) {
      id ??= await latestJob('crash-store');
      const row = id ? await jobRow(id) : undefined;
      if (row && row.upload_complete && row.stored_rows > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    api.child.kill('SIGKILL');
    await api.exited;
    const before = await jobRow(id as string);
    expect(before).toMatchObject({ state: 'running', upload_complete: true, rows_total: rows });
    expect(before.stored_at).toBeNull();
    expect(before.stored_rows).toBeGreaterThan(0);
    expect(before.stored_rows).toBeLessThan(rows);
    // Exactly the acknowledged batches are stored: one operation per stored row, nothing beyond the cursor.
    const storedBefore = await count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1 AND file_import_id = $2`, [project, id]);
    expect(storedBefore).toBe(before.stored_rows);

    // The dead process's lease runs out (simulated: the test does not wait the 60 s), and this process resumes the job.
    await t.dataSource.query(`UPDATE file_imports SET lease_until = now() - interval '1 second' WHERE project_key = $1 AND id = $2`, [project, id]);
    expect(await t.app.get(FileImportsService).resumeInterrupted()).toBeGreaterThanOrEqual(1);
    const [{ ops, keys }] = (await t.dataSource.query(
      `SELECT count(*)::int AS ops, count(DISTINCT resource_key)::int AS keys FROM import_operations WHERE project_key = $1 AND file_import_id = $2`,
      [project, id],
    )) as Array<{ ops: number; keys: number }>;
    expect({ ops, keys }).toEqual({ ops: rows, keys: rows });
    const view = (await t.http.get(`/${project}/import-containers/crash-store/file-imports/${id}`).set(t.auth).expect(200)).body;
    expect(view).toMatchObject({ state: 'running', counts: { rows, accepted: rows, invalid: 0 } });
  }, 120_000);

  it('an API killed mid-upload: the job fails when its lease runs out (the body is gone), nothing is stored', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'crash-upload' }).expect(201);
    const api = await startApi();
    const request = http.request({
      host: '127.0.0.1',
      port: api.port,
      path: `/${project}/import-containers/crash-upload/file-imports?resourceType=category`,
      method: 'POST',
      headers: { ...t.auth, 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' },
    });
    request.on('error', () => undefined);
    request.write(categoriesCsv('cu', 1200));
    let id: string | undefined;
    for (let i = 0; i < 20_000; i++) {
      id ??= await latestJob('crash-upload');
      if (id && (await jobRow(id)).rows_total > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    api.child.kill('SIGKILL');
    await api.exited;
    expect((await jobRow(id as string)).upload_complete).toBe(false);
    await t.dataSource.query(`UPDATE file_imports SET lease_until = now() - interval '1 second' WHERE project_key = $1 AND id = $2`, [project, id]);
    await t.app.get(FileImportsService).resumeInterrupted();
    const view = (await t.http.get(`/${project}/import-containers/crash-upload/file-imports/${id}`).set(t.auth).expect(200)).body;
    expect(view.state).toBe('failed');
    expect(view.errors[view.errors.length - 1].message).toContain('send the file again');
    expect(await count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1 AND file_import_id = $2`, [project, id])).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [project, id])).toBe(0);
  }, 120_000);

  /** Runs the compiled CLI against the test app while the processor is driven, until the CLI exits. */
  async function runCli(args: string[], credentials: { clientId: string; clientSecret: string }) {
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), 'import', ...args], {
      cwd: ROOT,
      env: { ...process.env, BERTH_URL: `http://127.0.0.1:${port}`, BERTH_CLIENT_ID: credentials.clientId, BERTH_CLIENT_SECRET: credentials.clientSecret },
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let code: number | null | undefined;
    const exited = new Promise<void>((resolve) => child.once('exit', (exitCode) => ((code = exitCode), resolve())));
    while (code === undefined) {
      await drain(t);
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    return { code, stdout, stderr };
  }

  it('CLI import uploads the file, shows progress until the operations finish, prints a summary; exit code 1 on failures', async () => {
    const client = await t.client(`manage_project:${project}`);
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'cli-types' }).expect(201);
    await t.http.post(`/${project}/product-types/import-containers/cli-types`).set(t.auth).send({ type: 'product-type', resources: [{ key: 'apparel', name: 'Apparel', description: 'Clothing' }] }).expect(201);
    await drain(t);

    const ok = await runCli(['examples/products.csv', '--project', project, '--container', 'cli-products', '--type', 'product-draft', '--mapping', 'examples/products-mapping.json'], client);
    expect(ok.stderr).toContain('created import container cli-products');
    const lines = ok.stderr.split('\n').filter((line) => line.startsWith('['));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines[lines.length - 1]).toMatch(/^\[#{24}\] 100% completed .*rows 6 · accepted 6 · imported 6 · failed 0 · errors 0$/);
    expect(ok.stdout).toMatch(/\| state\s+\|\s+completed \|/);
    expect(ok.stdout).toMatch(/\| imported\s+\|\s+6 \|/);
    expect(ok.code).toBe(0);
    expect((await t.http.get(`/${project}/products/key=hoodie`).set(t.auth).expect(200)).body.masterData.staged.variants).toHaveLength(1);

    const bad = await runCli(['examples/orders.xml', '--project', project, '--container', 'cli-orders', '--type', 'order'], client);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/\| invalid\s+\|\s+2 \|/);
    expect(bad.stdout).toContain('first errors:');

    const usage = await runCli(['examples/products.csv', '--project', project], client);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--container');
  }, 120_000);
});
