import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Pool } from 'pg';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The suite's own embedded Postgres: one data directory and port, stoppable and restartable. */
export interface ReliabilityDatabase {
  url: string;
  /** Stops the server (fast shutdown) and waits until it is down; the data directory stays. */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port and waits until it accepts connections. */
  start(): Promise<void>;
  /** A query on the suite's own small pool (not Berth's); throws while the server is down. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** One integer from `SELECT … AS n`. */
  count(sql: string, params?: unknown[]): Promise<number>;
  destroy(): Promise<void>;
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

/** Starts libs/database's startEmbeddedPostgres in a helper process (see postgres-server.js). */
function spawnServer(dataDir: string, port: number): Promise<Server> {
  const child = spawn(process.execPath, [path.join(__dirname, 'postgres-server.js'), dataDir, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-10_000)));
  return new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n')) resolve({ child, exited, url: (JSON.parse(line) as { url: string }).url });
    });
    void exited.then(() => reject(new Error(`embedded Postgres helper ended before it was ready: ${stderr}`)));
  });
}

export async function startDatabase(): Promise<ReliabilityDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-reliability-'));
  const port = await freePort();
  let server: Server | undefined = await spawnServer(dataDir, port);
  const url = server.url;
  const pool = new Pool({ connectionString: url, max: 2, idleTimeoutMillis: 1000, connectionTimeoutMillis: 5000 });
  // Idle clients of this pool see the server go away during outage scenarios; that is expected.
  pool.on('error', () => undefined);
  const query = async <T>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as T[];
  const stop = async () => {
    if (!server) return;
    const { child, exited } = server;
    server = undefined;
    child.kill('SIGTERM');
    await exited;
  };
  return {
    url,
    query,
    count: async (sql, params) => Number((await query<{ n: string | number }>(sql, params))[0].n),
    stop,
    start: async () => {
      if (!server) server = await spawnServer(dataDir, port);
    },
    destroy: async () => {
      await pool.end().catch(() => undefined);
      await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
