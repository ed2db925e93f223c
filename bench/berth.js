'use strict';
/** Starting and stopping Berth's processes (the built app in dist/) the way a user would. */
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist', 'apps');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A child process whose output is kept (last 200 lines) for error messages, and that can be awaited. */
class Child {
  constructor(name, script, env, nodeArgs = []) {
    this.name = name;
    this.lines = [];
    this.exited = false;
    this.exitCode = undefined;
    this.proc = spawn(process.execPath, [...nodeArgs, script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.proc.pid;
    this.exit = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exited = true;
        this.exitCode = code === null ? signal : code;
        resolve(this.exitCode);
      });
    });
    const keep = (chunk) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.lines.push(line);
        if (this.lines.length > 200) this.lines.shift();
      }
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
  }

  tail(n = 20) {
    return this.lines.slice(-n).join('\n');
  }

  async waitFor(pattern, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.lines.some((line) => pattern.test(line))) return;
      if (this.exited) throw new Error(`${this.name} exited (${this.exitCode}) before it was ready:\n${this.tail()}`);
      await sleep(50);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** {rssKb, hwmKb} from /proc, undefined when the process is gone. */
  memory() {
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (name) => Number((new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status) || [])[1]);
      return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL if it does not exit within `graceMs`. */
  async stop(graceMs = 30_000) {
    if (this.exited) return this.exitCode;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!this.exited) this.proc.kill('SIGKILL');
    }, graceMs);
    const code = await this.exit;
    clearTimeout(timer);
    return code;
  }
}

function baseEnv(db) {
  const env = { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn', MIGRATIONS_RUN: 'true' };
  delete env.DATABASE_URL;
  delete env.BERTH_DATA_DIR;
  if (db.databaseUrl) env.DATABASE_URL = db.databaseUrl;
  else env.BERTH_DATA_DIR = db.dataDir;
  return env;
}

/** Starts the API (WORKER_ROLES=none) and waits for /health. */
async function startApi(db, port) {
  const env = {
    ...baseEnv(db),
    PORT: String(port),
    HOST: '127.0.0.1',
    WORKER_ROLES: 'none',
    MAX_CONTAINERS_PER_PROJECT: '100000',
  };
  // BENCH_API_NODE_ARGS: extra node flags for the API, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof-api' to profile it.
  const nodeArgs = process.env.BENCH_API_NODE_ARGS ? process.env.BENCH_API_NODE_ARGS.split(' ').filter(Boolean) : [];
  const api = new Child('api', path.join(DIST, 'api', 'src', 'main.js'), env, nodeArgs);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (api.exited) throw new Error(`the API exited (${api.exitCode}) during start:\n${api.tail()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await api.stop(5000);
      throw new Error(`the API did not answer /health within 120 s:\n${api.tail()}`);
    }
    await sleep(100);
  }
  return api;
}

/** The embedded Postgres' URL: port from postmaster.pid (line 4), password from pg-password. */
function embeddedUrl(dataDir) {
  const lines = fs.readFileSync(path.join(dataDir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n');
  const port = Number(lines[3]);
  const password = fs.readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

/** Starts a worker process (processor role only unless `extraEnv` says otherwise, on the API's database) and waits until it runs. */
async function startWorker(databaseUrl, name, extraEnv = {}) {
  // info: the worker announces 'worker running roles' at info level once it runs (it logs little else).
  const env = { ...process.env, LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'info', DATABASE_URL: databaseUrl, WORKER_ROLES: 'processor', MIGRATIONS_RUN: 'false', ...extraEnv };
  delete env.BERTH_DATA_DIR;
  // BENCH_WORKER_NODE_ARGS: extra node flags for the workers, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile them.
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS ? process.env.BENCH_WORKER_NODE_ARGS.split(' ').filter(Boolean) : [];
  const worker = new Child(name, path.join(DIST, 'worker', 'src', 'main.js'), env, nodeArgs);
  await worker.waitFor(/worker running roles/, 60_000);
  return worker;
}

/** `clients:create` through the CLI; returns {clientId, clientSecret}. */
function createClient(db, scope) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(DIST, 'cli', 'src', 'main.js'), 'clients:create', '--scope', scope, '--name', 'bench'], { cwd: ROOT, env: baseEnv(db) }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`clients:create failed: ${error.message}\n${stderr}`));
      const line = stdout.trim().split('\n').pop();
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`clients:create printed no JSON: ${stdout}\n${stderr}`));
      }
    });
  });
}

async function getToken(baseUrl, client) {
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const body = await res.json();
  if (!res.ok || !body.access_token) throw new Error(`POST /oauth/token answered ${res.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

module.exports = { Child, freePort, startApi, startWorker, embeddedUrl, createClient, getToken, sleep, ROOT };
