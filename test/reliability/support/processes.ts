import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from './database';
import { DIST, ROOT } from './paths';
import { waitFor } from './wait';

/** A compiled Berth app running as a separate process. */
export interface BerthProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code or signal once the process has ended. */
  readonly exited: Promise<string>;
  alive(): boolean;
  /** The last lines the process wrote (for failure messages). */
  output(): string;
  /** Sends the signal and waits for the process to end. */
  kill(signal?: NodeJS.Signals): Promise<string>;
}

export interface ApiProcess extends BerthProcess {
  readonly base: string;
  readonly port: number;
}

const OUTPUT_LIMIT = 20_000;

function spawnApp(app: 'api' | 'worker', env: Record<string, string>): BerthProcess {
  const child = spawn(process.execPath, [path.join(DIST, app, 'src', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'error', MIGRATIONS_RUN: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid ?? -1,
    exited,
    alive,
    output: () => output,
    kill: async (signal = 'SIGKILL') => {
      if (alive()) child.kill(signal);
      return exited;
    },
  };
}

/** Starts `dist/apps/api` (WORKER_ROLES=none) and waits until `/health` answers 200. */
export async function startApi(databaseUrl: string, options: { port?: number; env?: Record<string, string> } = {}): Promise<ApiProcess> {
  const port = options.port ?? (await freePort());
  const proc = spawnApp('api', { DATABASE_URL: databaseUrl, WORKER_ROLES: 'none', PORT: String(port), HOST: '127.0.0.1', ...options.env });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`API on ${base} healthy`, 60_000, async () => {
      if (!proc.alive()) throw new Error(`API process ended (${await proc.exited}): ${proc.output()}`);
      try {
        return (await fetch(`${base}/health`, { signal: AbortSignal.timeout(2000) })).status === 200;
      } catch {
        return false;
      }
    });
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return { ...proc, base, port };
}

/** Starts `dist/apps/worker` with the processor role. */
export function startWorker(databaseUrl: string, env: Record<string, string> = {}): BerthProcess {
  return spawnApp('worker', { DATABASE_URL: databaseUrl, WORKER_ROLES: 'processor', ...env });
}

/** Runs a CLI command against the database and returns its stdout lines parsed as JSON. */
export function cli(databaseUrl: string, ...args: string[]): unknown[] {
  const result = spawnSync(process.execPath, [path.join(DIST, 'cli', 'src', 'main.js'), ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cli ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);
}

export interface ApiClient {
  clientId: string;
  clientSecret: string;
  scope: string;
}

/** Creates an API client with the CLI (`clients:create`, one JSON line). */
export function createClient(databaseUrl: string, scope: string): ApiClient {
  const lines = cli(databaseUrl, 'clients:create', '--scope', scope);
  if (lines.length !== 1) throw new Error(`clients:create printed ${lines.length} lines`);
  return lines[0] as ApiClient;
}
