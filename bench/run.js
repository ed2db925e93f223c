'use strict';
/**
 * Berth benchmark: `npm run bench [-- --quick] [-- --drafts N --operations N] [-- --processes N]`.
 *
 * `--mixed N` sets the size of the mixed-catalog drain (about N operations of 8 resource types; 3k quick, 50k full).
 *
 * `--processes N` runs N API processes (the load generator's clients spread over them) and N workers in
 * the end-to-end scenario; the drain scenarios always measure 1 and 2 workers.
 *
 * Starts the built app (dist/) as a user would — the API with WORKER_ROLES=none on the embedded
 * Postgres of a temp data dir (or DATABASE_URL), worker processes with WORKER_ROLES=processor —
 * drives it over HTTP on loopback from a separate load-generator process, measures raw-Postgres
 * baselines on the same server in the same run, prints a table and writes bench/results/latest.json.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Pool } = require('pg');
const { Baseline } = require('./baseline');
const { SchemaFloor } = require('./schema-floor');
const { freePort, startApi, startWorker, embeddedUrl, createClient, getToken, sleep, ROOT } = require('./berth');
const { productDraft, PRODUCT_TYPE_REQUEST, CATEGORY_REQUEST } = require('./fixtures');
const { round, nowMs } = require('./stats');
const cpu = require('./cpu');
const { runMixed } = require('./mixed');
const { StatementProfile } = require('./statements');
const { LoadGenerator } = require('./load-generator');

const BATCH = 20;
const STATES = ['processing', 'validationFailed', 'unresolved', 'waitForMasterVariant', 'imported', 'rejected', 'canceled', 'partiallyImported'];

function parseArgs(argv) {
  const quick = argv.includes('--quick');
  const value = (name) => {
    const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
    if (index === -1) return undefined;
    const raw = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive integer`);
    return n;
  };
  return {
    quick,
    processes: value('--processes') ?? 1,
    drafts: value('--drafts') ?? (quick ? 6_000 : 100_000),
    operations: value('--operations') ?? (quick ? 50_000 : 1_000_000),
    mixedOperations: value('--mixed') ?? (quick ? 3_000 : 50_000),
    containers: 1000,
    queryRequests: quick ? 40 : 200,
    drainTimeoutMs: quick ? 45_000 : 30 * 60_000,
    endToEndMs: quick ? 10_000 : 60_000,
  };
}

function gitCommit() {
  try {
    let gitDir = path.join(ROOT, '.git');
    if (fs.statSync(gitDir).isFile()) gitDir = path.resolve(ROOT, fs.readFileSync(gitDir, 'utf8').replace(/^gitdir:\s*/, '').trim());
    const head = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref:')) return head;
    const ref = head.slice(4).trim();
    // A worktree's gitdir holds HEAD; its branches live in the common dir.
    const commonFile = path.join(gitDir, 'commondir');
    const commonDir = fs.existsSync(commonFile) ? path.resolve(gitDir, fs.readFileSync(commonFile, 'utf8').trim()) : gitDir;
    for (const dir of [gitDir, commonDir]) {
      const loose = path.join(dir, ref);
      if (fs.existsSync(loose)) return fs.readFileSync(loose, 'utf8').trim();
    }
    const packed = fs.readFileSync(path.join(commonDir, 'packed-refs'), 'utf8').split('\n').find((line) => line.endsWith(` ${ref}`));
    return packed ? packed.split(' ')[0] : null;
  } catch {
    return null;
  }
}

class MemorySampler {
  constructor() {
    this.watched = new Map();
    this.peaks = {};
    this.phase = 'setup';
    this.timer = setInterval(() => this.sample(), 200);
  }

  watch(role, child) {
    this.watched.set(child, role);
  }

  unwatch(child) {
    this.sample();
    this.watched.delete(child);
  }

  sample() {
    for (const [child, role] of this.watched) {
      const memory = child.memory();
      if (!memory) continue;
      const peaks = (this.peaks[this.phase] ??= {});
      peaks[role] = Math.max(peaks[role] ?? 0, memory.rssKb);
      // Workers live for one phase only, so their high-water mark belongs to it (it also catches peaks between samples).
      if (role === 'worker') peaks[role] = Math.max(peaks[role], memory.hwmKb);
    }
  }

  stop() {
    clearInterval(this.timer);
  }
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = Date.now();
  const externalUrl = process.env.DATABASE_URL && process.env.DATABASE_URL.trim() !== '' ? process.env.DATABASE_URL.trim() : undefined;
  const runId = Math.random().toString(16).slice(2, 8);
  const project = externalUrl ? `bench-${runId}` : 'bench';
  const dataDir = externalUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-'));
  const db = { databaseUrl: externalUrl, dataDir };
  const log = (message) => process.stderr.write(`[bench ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}\n`);

  let api;
  const extraApis = [];
  let pool;
  let statements;
  let baseline;
  let loadgen;
  let clientId;
  const workers = new Set();
  const memory = new MemorySampler();
  let cleaning;
  let interrupted = false;
  // One shared cleanup: a signal and the main flow's finally both wait for the same one to finish.
  const cleanup = () => (cleaning ??= stopEverything());
  const stopEverything = async () => {
    memory.stop();
    if (loadgen) loadgen.stop();
    await Promise.all([...workers].map((worker) => worker.stop().catch(() => undefined)));
    if (baseline) await baseline.close().catch((error) => log(`could not drop the scratch tables: ${error.message}`));
    if (pool && externalUrl) {
      await pool.query(`DELETE FROM import_containers WHERE project_key = $1`, [project]).catch(() => undefined);
      if (clientId) await pool.query(`DELETE FROM api_clients WHERE id = $1`, [clientId]).catch(() => undefined);
    }
    if (pool) await pool.end().catch(() => undefined);
    for (const extra of extraApis) await extra.stop().catch(() => undefined);
    if (api) {
      const code = await api.stop();
      if (code !== 0) log(`the API exited with ${code}:\n${api.tail()}`);
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (signal) => {
    log(`${signal}: stopping`);
    interrupted = true;
    cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results = {
    generatedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    processes: options.processes,
    commit: gitCommit(),
    node: process.version,
    machine: {
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0] ? os.cpus()[0].model : null,
      totalMemGb: round(os.totalmem() / 1024 ** 3, 1),
    },
    database: externalUrl ? 'DATABASE_URL' : 'embedded',
    postgres: null,
    params: { drafts: options.drafts, operations: options.operations, containers: options.containers, requestSize: BATCH, payloadBytes: JSON.stringify(productDraft('bench-a1-99999')).length },
    ratios: {},
    baseline: {},
    scenarios: {},
    memory: {},
  };

  try {
    // --- start Berth ---------------------------------------------------------------------------
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    log(`starting the API on ${baseUrl} (${externalUrl ? 'DATABASE_URL' : `embedded Postgres in ${dataDir}`})`);
    api = await startApi(db, port);
    memory.watch('api', api);
    const databaseUrl = externalUrl ?? embeddedUrl(dataDir);
    const baseUrls = [baseUrl];
    for (let n = 2; n <= options.processes; n++) {
      const extraPort = await freePort();
      log(`starting API process ${n} on http://127.0.0.1:${extraPort}`);
      const extra = await startApi({ databaseUrl }, extraPort);
      extraApis.push(extra);
      memory.watch(`api${n}`, extra);
      baseUrls.push(`http://127.0.0.1:${extraPort}`);
    }
    pool = new Pool({ connectionString: databaseUrl, max: 4 });
    // Per-statement Postgres time of each drain, when the server preloads pg_stat_statements (see bench/statements.js).
    statements = new StatementProfile(pool);
    results.postgres = (await pool.query(`SELECT version()`)).rows[0].version;
    const client = await createClient(db, `manage_project:${project}`);
    clientId = client.clientId;
    const token = await getToken(baseUrl, client);
    loadgen = new LoadGenerator();
    const http = async (method, urlPath, body) => {
      const res = await fetch(`${baseUrl}${urlPath}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${urlPath} answered ${res.status}: ${text.slice(0, 500)}`);
      return text ? JSON.parse(text) : undefined;
    };
    // CPU ms per role (API processes, workers, the whole Postgres server) for per-core costs; embedded Postgres only.
    const postmaster = dataDir ? cpu.postmasterPid(dataDir) : undefined;
    const cpuNow = (workerList = []) => cpu.snapshot({ api: [api, ...extraApis], worker: workerList }, postmaster);
    const createContainer = (key) => http('POST', `/${project}/import-containers`, { key });
    const containerId = async (key) => (await pool.query(`SELECT id FROM import_containers WHERE project_key = $1 AND key = $2`, [project, key])).rows[0].id;
    const counts = async (id) => {
      const rows = (await pool.query(`SELECT state, sum(count)::int AS count FROM import_summary_counts WHERE project_key = $1 AND container_id = $2 GROUP BY state`, [project, id])).rows;
      const byState = Object.fromEntries(STATES.map((state) => [state, 0]));
      for (const row of rows) byState[row.state] = row.count;
      return byState;
    };
    const nonZero = (byState) => Object.fromEntries(Object.entries(byState).filter(([, count]) => count > 0));
    const importJob = (container, prefix, total, concurrency) =>
      loadgen.run({ kind: 'import', baseUrl, baseUrls, token, path: `/${project}/product-drafts/import-containers/${container}`, type: 'product-draft', prefix, total, batchSize: BATCH, concurrency });
    const check = (report, what) => {
      if (!report.ok) throw new Error(`${what}: ${report.errors} failed request(s), first: ${report.firstError}`);
      return report;
    };

    // Drains `containerKey` with `count` workers; rate measured from the first settled operation on.
    const drainWith = async (containerKey, count, phase) => {
      const id = await containerId(containerKey);
      const initial = (await counts(id)).processing;
      memory.phase = phase;
      const started = await Promise.all(Array.from({ length: count }, (_, i) => startWorker(databaseUrl, `worker-${i + 1}`)));
      for (const worker of started) {
        workers.add(worker);
        memory.watch('worker', worker);
      }
      const cpuBefore = cpuNow(started);
      await statements.reset();
      const waits = new Map();
      let samples = 0;
      let t0;
      let p0;
      let last;
      const deadline = Date.now() + options.drainTimeoutMs;
      for (;;) {
        last = await counts(id);
        const now = nowMs();
        if (t0 === undefined && last.processing < initial) {
          t0 = now;
          p0 = last.processing;
        }
        if (last.processing === 0 || Date.now() > deadline) break;
        // What the active backends wait on (lock, LWLock, IO, client…), to explain a drain that does not scale.
        const active = (await pool.query(`SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query
                                            FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()`)).rows;
        for (const row of active) {
          const what = row.wait.startsWith('Lock') ? `${row.wait} ${row.query}` : row.wait;
          waits.set(what, (waits.get(what) ?? 0) + 1);
        }
        samples++;
        for (const worker of started) if (worker.exited) throw new Error(`${worker.name} exited (${worker.exitCode}):\n${worker.tail()}`);
        await sleep(100);
      }
      const t1 = nowMs();
      const cpuAfter = cpuNow(started);
      const byStatement = await statements.top(initial - last.processing);
      for (const worker of started) {
        memory.unwatch(worker);
        await worker.stop();
        workers.delete(worker);
      }
      // What a timed-out drain left would be claimed first by the next phase's workers: remove it.
      if (last.processing > 0) await http('DELETE', `/${project}/import-containers/${containerKey}`);
      const settled = t0 === undefined ? 0 : p0 - last.processing;
      const seconds = t0 === undefined ? 0 : (t1 - t0) / 1000;
      return {
        workers: count,
        operations: initial,
        settled,
        seconds: round(seconds),
        operationsPerSecond: seconds > 0 ? round(settled / seconds, 0) : null,
        timedOut: last.processing > 0,
        endStates: nonZero(last),
        cpu: cpu.cost(cpuBefore, cpuAfter, initial - last.processing),
        // Mean number of active backends per wait (CPU = running), over the drain.
        ...(byStatement ? { statements: byStatement } : {}),
        backendsByWait: Object.fromEntries([...waits].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([what, n]) => [what, round(n / Math.max(1, samples), 2)])),
      };
    };

    // --- baselines: staging ----------------------------------------------------------------------
    baseline = new Baseline(databaseUrl);
    await baseline.setup();
    log('baseline staging: warm-up');
    await baseline.staging('warm', 1000, 8);
    for (const concurrency of [1, 8]) {
      log(`baseline staging: ${options.drafts} rows, ${concurrency} connection(s)`);
      const r = await baseline.staging(`stage${concurrency}`, options.drafts, concurrency);
      results.baseline[`staging${concurrency}`] = { connections: concurrency, rows: r.rows, rowsPerSecond: round(r.rowsPerSecond, 0), latency: r.latency };
    }

    // --- setup: product type and category, applied by a worker ---------------------------------
    log('setup: product type default-type and category root');
    await createContainer('setup');
    await http('POST', `/${project}/product-types/import-containers/setup`, PRODUCT_TYPE_REQUEST);
    await http('POST', `/${project}/categories/import-containers/setup`, CATEGORY_REQUEST);
    const setup = await drainWith('setup', 1, 'setup');
    results.setup = { endStates: setup.endStates };
    log(`setup end states: ${JSON.stringify(setup.endStates)}`);

    // --- warm-up of the HTTP path ----------------------------------------------------------------
    log('accept: warm-up');
    await createContainer('warmup');
    check(await importJob('warmup', `warm-${runId}`, 2000, 8), 'warm-up');
    await http('DELETE', `/${project}/import-containers/warmup`);

    // --- 1 + 2: accept with 1 client, drain with 1 worker; accept with 8 clients, drain with 2 ---
    results.scenarios.accept = {};
    results.scenarios.drain = {};
    for (const [clients, drainers] of [
      [1, 1],
      [8, 2],
    ]) {
      const container = `accept-${clients}`;
      await createContainer(container);
      memory.phase = 'accept';
      log(`accept: ${options.drafts} product drafts, ${clients} client(s)`);
      const acceptCpuBefore = cpuNow();
      const report = check(await importJob(container, `p${clients}-${runId}`, options.drafts, clients), `accept with ${clients} client(s)`);
      const acceptCpu = cpu.cost(acceptCpuBefore, cpuNow(), report.resources);
      const staging = results.baseline[`staging${clients}`];
      const rate = (report.resources / report.durationMs) * 1000;
      results.scenarios.accept[`clients${clients}`] = {
        clients,
        resources: report.resources,
        requests: report.requests,
        seconds: round(report.durationMs / 1000),
        resourcesPerSecond: round(rate, 0),
        ratioToStaging: round(rate / staging.rowsPerSecond, 3),
        latency: report.latency,
        cpu: acceptCpu,
      };

      log(`drain baseline: ${options.drafts} rows, ${drainers} drainer(s)`);
      await baseline.fillQueue(`q${drainers}`, options.drafts);
      if (drainers === 1) {
        await baseline.drain(1); // warm-up on the first queue, then refill
        await baseline.fillQueue(`q${drainers}b`, options.drafts);
      }
      const b = await baseline.drain(drainers);
      results.baseline[`drain${drainers}`] = { drainers, batchSize: 500, rows: b.rows, rowsPerSecond: round(b.rowsPerSecond, 0) };
      // The floor of Berth's own schema (bench/schema-floor.js): the same writes per product draft, no product logic.
      log(`drain floor (Berth's schema, minimal client): ${options.drafts} operations, ${drainers} drainer(s)`);
      const floor = new SchemaFloor(pool);
      await floor.fill(options.drafts);
      const f = await floor.drain(drainers);
      await floor.cleanup();
      results.baseline[`floor${drainers}`] = { drainers, batchSize: 400, rows: f.rows, rowsPerSecond: round(f.rowsPerSecond, 0), clientMsPer1000: f.msPer1000 };

      log(`drain: ${options.drafts} operations, ${drainers} worker(s)`);
      const d = await drainWith(container, drainers, 'drain');
      d.ratioToBaseline = d.operationsPerSecond === null ? null : round(d.operationsPerSecond / results.baseline[`drain${drainers}`].rowsPerSecond, 3);
      d.ratioToFloor = d.operationsPerSecond === null ? null : round(d.operationsPerSecond / results.baseline[`floor${drainers}`].rowsPerSecond, 3);
      results.scenarios.drain[`workers${drainers}`] = d;
      log(`drain end states: ${JSON.stringify(d.endStates)}${d.timedOut ? ' (timed out)' : ''}`);
    }

    // --- 2b: a mixed catalog (8 resource types, waits and wake-ups) drained by 1 worker -------------
    results.scenarios.mixed = await runMixed({ options, project, baseUrl, token, loadgen, pool, statements, http, databaseUrl, startWorker, workers, memory, cpuNow, counts, nonZero, log, check });
    {
      const m = results.scenarios.mixed;
      m.ratioToBaseline = m.operationsPerSecond === null ? null : round(m.operationsPerSecond / results.baseline.drain1.rowsPerSecond, 3);
      m.ratioToProductDrain = m.operationsPerSecond === null || !results.scenarios.drain.workers1.operationsPerSecond ? null : round(m.operationsPerSecond / results.scenarios.drain.workers1.operationsPerSecond, 3);
      log(`mixed: ${m.operationsPerSecond} operations/s, end states ${JSON.stringify(m.endStates)}, ${m.waited} waited; per type ${JSON.stringify(Object.fromEntries(Object.entries(m.byType).map(([type, t]) => [type, t.operationsPerSecond])))}`);
    }

    // --- 3: end to end, 8 clients accepting while 1 worker processes, for a bounded time ---------
    {
      const container = 'e2e';
      await createContainer(container);
      const id = await containerId(container);
      memory.phase = 'endToEnd';
      const e2eWorkers = await Promise.all(Array.from({ length: options.processes }, (_, i) => startWorker(databaseUrl, `worker-e2e-${i + 1}`)));
      for (const worker of e2eWorkers) {
        workers.add(worker);
        memory.watch('worker', worker);
      }
      log(`end to end: 8 clients posting product drafts for ${options.endToEndMs / 1000} s over ${baseUrls.length} API process(es), ${e2eWorkers.length} worker(s)`);
      const series = [];
      const lockWaitQueries = new Map();
      let running = true;
      const t0 = nowMs();
      const poller = (async () => {
        while (running) {
          const c = await counts(id);
          const waiting = (await pool.query(`SELECT wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query FROM pg_stat_activity WHERE wait_event_type = 'Lock'`)).rows;
          for (const row of waiting) {
            const what = `${row.wait_event}: ${row.query}`;
            lockWaitQueries.set(what, (lockWaitQueries.get(what) ?? 0) + 1);
          }
          series.push({ t: (nowMs() - t0) / 1000, ...c, lockWaits: waiting.length });
          await sleep(250);
        }
      })();
      let report;
      try {
        report = check(
          await loadgen.run({
            kind: 'import',
            baseUrl,
            baseUrls,
            token,
            path: `/${project}/product-drafts/import-containers/${container}`,
            type: 'product-draft',
            prefix: `e-${runId}`,
            total: options.drafts * 100,
            batchSize: BATCH,
            concurrency: 8,
            maxDurationMs: options.endToEndMs,
          }),
          'end to end',
        );
      } finally {
        running = false;
        await poller;
      }
      const seconds = (nowMs() - t0) / 1000;
      const end = await counts(id);
      series.push({ t: seconds, ...end });
      for (const worker of e2eWorkers) {
        memory.unwatch(worker);
        await worker.stop();
        workers.delete(worker);
      }
      // Steady state: the second half of the window (the worker's start-up and JIT warm-up excluded).
      const mid = series.find((point) => point.t >= seconds / 2) ?? series[0];
      const settledOf = (point) => STATES.filter((state) => state !== 'processing').reduce((sum, state) => sum + point[state], 0);
      const half = seconds - mid.t;
      results.scenarios.endToEnd = {
        clients: 8,
        apiProcesses: baseUrls.length,
        workers: e2eWorkers.length,
        seconds: round(seconds),
        accepted: report.resources,
        acceptedPerSecond: round(report.resources / seconds, 0),
        importedPerSecond: half > 0 ? round((end.imported - mid.imported) / half, 0) : null,
        settledPerSecond: half > 0 ? round((settledOf(end) - settledOf(mid)) / half, 0) : null,
        backlogGrowthPerSecond: half > 0 ? round((end.processing - mid.processing) / half, 0) : null,
        backlogAtEnd: end.processing,
        latency: report.latency,
        statesAtEnd: nonZero(end),
        lockWaitsSeen: Object.fromEntries([...lockWaitQueries].sort((a, b) => b[1] - a[1]).slice(0, 5)),
        meanBackendsWaitingOnLocks: round(series.reduce((sum, point) => sum + (point.lockWaits ?? 0), 0) / Math.max(1, series.length - 1), 2),
        note: 'imported/settled/backlog rates over the second half of the window',
      };
      await http('DELETE', `/${project}/import-containers/${container}`);
    }

    // --- 4: queries with 1000 containers and M operations -----------------------------------------
    memory.phase = 'query';
    const existing = (await pool.query(`SELECT count(*)::int AS n FROM import_containers WHERE project_key = $1`, [project])).rows[0].n;
    log(`query: creating ${options.containers - existing} containers (1 with ${options.operations} operations)`);
    await createContainer('q-big');
    let nextContainer = 0;
    const toCreate = Math.max(0, options.containers - existing - 1);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (nextContainer < toCreate) await createContainer(`q-${nextContainer++}`);
      }),
    );
    const bigId = await containerId('q-big');
    const template = JSON.stringify(productDraft('KEY'));
    const insertStarted = nowMs();
    for (let from = 0; from < options.operations; from += 100_000) {
      await pool.query(
        `INSERT INTO import_operations (project_key, id, container_id, container_key, resource_type, resource_key, payload, state, expires_at)
         SELECT $1, gen_random_uuid(), $2, 'q-big', 'product-draft', 'q-' || g, replace($3, 'KEY', 'q-' || g)::jsonb,
                (ARRAY['imported','imported','imported','imported','imported','imported','rejected','validationFailed','unresolved','imported'])[g % 10 + 1],
                now() + interval '48 hours'
           FROM generate_series($4::int, $5::int) g`,
        [project, bigId, template, from, Math.min(from + 100_000, options.operations) - 1],
      );
    }
    await pool.query(`ANALYZE import_operations`);
    await pool.query(`ANALYZE import_containers`);
    log(`query: inserted ${options.operations} operations in ${((nowMs() - insertStarted) / 1000).toFixed(1)} s`);
    const containerCount = (await pool.query(`SELECT count(*)::int AS n FROM import_containers WHERE project_key = $1`, [project])).rows[0].n;
    const queries = [
      ['containers limit=20', `/${project}/import-containers?limit=20`],
      ['containers limit=500', `/${project}/import-containers?limit=500`],
      [`containers last page (offset ${containerCount - 20})`, `/${project}/import-containers?limit=20&offset=${containerCount - 20}`],
      ['operations limit=20', `/${project}/import-containers/q-big/import-operations?limit=20`],
      ['operations limit=500', `/${project}/import-containers/q-big/import-operations?limit=500`],
      ['operations offset=10000 limit=20', `/${project}/import-containers/q-big/import-operations?limit=20&offset=10000`],
      ['operations state=rejected limit=20', `/${project}/import-containers/q-big/import-operations?limit=20&state=rejected`],
      ['import-summaries', `/${project}/import-containers/q-big/import-summaries`],
    ];
    results.scenarios.query = { containers: containerCount, operationsInContainer: options.operations, requestsPerQuery: options.queryRequests, results: {} };
    for (const [name, urlPath] of queries) {
      check(await loadgen.run({ kind: 'get', baseUrl, token, path: urlPath, requests: 5, concurrency: 1 }), `${name} warm-up`);
      const report = check(await loadgen.run({ kind: 'get', baseUrl, token, path: urlPath, requests: options.queryRequests, concurrency: 1 }), name);
      results.scenarios.query.results[name] = { path: urlPath, p50: report.latency.p50, p99: report.latency.p99, max: report.latency.max };
    }

    // --- 5: the reaper deleting expired operations, against the accept rate ----------------------
    {
      memory.phase = 'reaper';
      // The reaper worker (sweeping every second) runs first; the clock starts when the expiry commits.
      const remaining = async () => (await pool.query(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1 AND container_id = $2`, [project, bigId])).rows[0].n;
      const worker = await startWorker(databaseUrl, 'reaper', { WORKER_ROLES: 'reaper', REAPER_CRON: '* * * * * *' });
      workers.add(worker);
      memory.watch('worker', worker);
      const total = await remaining();
      const expireStarted = nowMs();
      await pool.query(`UPDATE import_operations SET expires_at = now() - interval '1 second' WHERE project_key = $1 AND container_id = $2`, [project, bigId]);
      const t0 = nowMs();
      log(`reaper: ${total} operations expired in ${((t0 - expireStarted) / 1000).toFixed(1)} s`);
      let left = total;
      const deadline = Date.now() + options.drainTimeoutMs;
      while (left > 0 && Date.now() < deadline) {
        await sleep(50);
        left = await remaining();
      }
      const seconds = (nowMs() - t0) / 1000;
      memory.unwatch(worker);
      await worker.stop();
      workers.delete(worker);
      const rowsPerSecond = seconds > 0 ? round((total - left) / seconds, 0) : null;
      const acceptRate = results.scenarios.accept.clients8.resourcesPerSecond;
      results.scenarios.reaper = {
        operations: total,
        deleted: total - left,
        seconds: round(seconds),
        rowsPerSecond,
        timedOut: left > 0,
        ratioToAccept8: rowsPerSecond === null ? null : round(rowsPerSecond / acceptRate, 3),
        note: 'expired operations deleted per second by one reaper worker (REAPER_CRON every second; the clock includes up to 1 s until its next tick), against the 8-client accept rate of this run',
      };
      log(`reaper: ${JSON.stringify(results.scenarios.reaper)}`);
    }

    memory.sample();
    results.memory = Object.fromEntries(
      Object.entries(memory.peaks).map(([phase, peaks]) => [phase, Object.fromEntries(Object.entries(peaks).map(([role, kb]) => [`${role}PeakRssMb`, round(kb / 1024, 1)]))]),
    );
    const apiHwm = api.memory();
    results.memory.apiHighWaterMb = apiHwm ? round(apiHwm.hwmKb / 1024, 1) : null;
    delete results.memory.setup;

    // --- ratios -----------------------------------------------------------------------------------
    const acc = results.scenarios.accept;
    const drn = results.scenarios.drain;
    results.ratios = {
      accept: acc.clients8.ratioToStaging,
      accept1: acc.clients1.ratioToStaging,
      drain: drn.workers1.ratioToBaseline,
      drain2: drn.workers2.ratioToBaseline,
      // The same drains against the floor of Berth's schema (bench/schema-floor.js), measured in this run.
      drainToFloor: drn.workers1.ratioToFloor,
      drain2ToFloor: drn.workers2.ratioToFloor,
      // The mixed-catalog drain (1 worker) against the raw product-row drain baseline (1 drainer) of this run.
      mixed: results.scenarios.mixed.ratioToBaseline,
      reaperToAccept: results.scenarios.reaper ? results.scenarios.reaper.ratioToAccept8 : null,
    };
    results.seconds = round((Date.now() - startedAt) / 1000, 1);

    const out = path.join(__dirname, 'results', options.processes > 1 ? `latest-processes${options.processes}.json` : 'latest.json');
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderTable(results));
    process.stdout.write(`\nwritten ${path.relative(ROOT, out)}\n`);
    if (!results.scenarios.mixed.allImported) {
      process.stderr.write(`bench: the mixed catalog did not end fully imported: ${JSON.stringify(results.scenarios.mixed.endStates)}\n`);
      process.exitCode = 1;
    }
  } catch (error) {
    if (interrupted) await new Promise(() => undefined); // the signal handler exits once cleanup is done
    throw error;
  } finally {
    await cleanup();
  }
}

function renderTable(r) {
  const rows = [];
  const fmt = (v) => (v === null || v === undefined ? '-' : String(v));
  const add = (...cells) => rows.push(cells.map(fmt));
  add('measure', 'value', 'baseline', 'ratio', 'p50 ms', 'p99 ms');
  add('---', '---', '---', '---', '---', '---');
  for (const c of [1, 8]) {
    const a = r.scenarios.accept[`clients${c}`];
    add(`accept, ${c} client(s) (resources/s)`, a.resourcesPerSecond, r.baseline[`staging${c}`].rowsPerSecond, a.ratioToStaging, a.latency.p50, a.latency.p99);
  }
  for (const w of [1, 2]) {
    const d = r.scenarios.drain[`workers${w}`];
    add(`drain, ${w} worker(s) (operations/s)${d.timedOut ? ' TIMED OUT' : ''}`, d.operationsPerSecond, r.baseline[`drain${w}`].rowsPerSecond, d.ratioToBaseline, '', '');
  }
  for (const w of [1, 2]) {
    const d = r.scenarios.drain[`workers${w}`];
    const f = r.baseline[`floor${w}`];
    if (f) add(`drain, ${w} worker(s), against the floor of Berth's schema (minimal client, same writes)`, d.operationsPerSecond, f.rowsPerSecond, d.ratioToFloor, '', '');
  }
  const m = r.scenarios.mixed;
  if (m) {
    const flag = m.timedOut ? ' TIMED OUT' : m.allImported ? '' : ' NOT ALL IMPORTED';
    add(`drain, mixed catalog, 1 worker (operations/s; baseline: raw drain, 1 drainer)${flag}`, m.operationsPerSecond, r.baseline.drain1.rowsPerSecond, m.ratioToBaseline, '', '');
    add(`drain, mixed catalog: per type (operations/s)`, Object.entries(m.byType).map(([type, t]) => `${type} ${t.operationsPerSecond ?? '-'}`).join(', '), '', '', '', '');
    add(`drain, mixed catalog: operations that waited (unresolved, woken)`, `${m.waited} of ${m.operations}`, '', '', '', '');
  }
  const e = r.scenarios.endToEnd;
  add(`end to end, 8 clients + ${e.workers} worker(s), ${e.seconds} s: accepted/s`, e.acceptedPerSecond, '', '', e.latency.p50, e.latency.p99);
  add('end to end (2nd half): imported/s (settled/s)', `${e.importedPerSecond} (${e.settledPerSecond})`, '', '', '', '');
  add('end to end (2nd half): backlog growth/s', e.backlogGrowthPerSecond, '', '', '', '');
  add('end to end: mean backends waiting on locks', e.meanBackendsWaitingOnLocks, '', '', '', '');
  for (const [name, q] of Object.entries(r.scenarios.query.results)) add(`query: ${name}`, '', '', '', q.p50, q.p99);
  if (r.scenarios.reaper) {
    const rp = r.scenarios.reaper;
    add(`reaper: expired operations deleted/s${rp.timedOut ? ' TIMED OUT' : ''}`, rp.rowsPerSecond, r.scenarios.accept.clients8.resourcesPerSecond, rp.ratioToAccept8, '', '');
  }
  for (const [phase, peaks] of Object.entries(r.memory)) {
    if (typeof peaks !== 'object' || peaks === null) continue;
    add(`peak RSS during ${phase} (MB)`, Object.entries(peaks).map(([k, v]) => `${k.replace('PeakRssMb', '')} ${v}`).join(', '), '', '', '', '');
  }
  add('API high-water RSS (MB)', r.memory.apiHighWaterMb, '', '', '', '');
  const cpuCell = (c) => (c ? Object.entries(c).map(([role, v]) => `${role} ${v.msPer1000}`).join(', ') : '-');
  add('CPU ms per 1,000 resources: accept, 8 clients', cpuCell(r.scenarios.accept.clients8.cpu), '', '', '', '');
  add('CPU ms per 1,000 operations: drain, 1 worker', cpuCell(r.scenarios.drain.workers1.cpu), '', '', '', '');
  if (m) add('CPU ms per 1,000 operations: drain, mixed catalog, 1 worker', cpuCell(m.cpu), '', '', '', '');
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const lines = rows.map((row) => `| ${row.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`);
  const header = [
    `Berth bench (${r.mode}, ${r.processes} API process(es)): ${r.params.drafts} drafts of ${r.params.payloadBytes} B in requests of ${r.params.requestSize}, ${r.scenarios.query.operationsInContainer} operations, ${r.scenarios.query.containers} containers`,
    `${r.postgres}`,
    `${r.machine.cpus} x ${r.machine.cpuModel}, ${r.machine.totalMemGb} GB, node ${r.node}, commit ${r.commit ?? 'unknown'}`,
    `end states: drain 1 ${JSON.stringify(r.scenarios.drain.workers1.endStates)}, drain 2 ${JSON.stringify(r.scenarios.drain.workers2.endStates)}${m ? `, mixed ${JSON.stringify(m.endStates)} (${m.operations} operations: ${Object.entries(m.byType).map(([type, t]) => `${t.operations} ${type}`).join(', ')})` : ''}`,
    `ratios: ${JSON.stringify(r.ratios)}`,
    '',
  ];
  // Where Postgres spends a drain's time, by statement (only with pg_stat_statements preloaded, see bench/statements.js).
  const profiles = [
    ['drain, 1 worker', r.scenarios.drain.workers1.statements],
    ['drain, mixed catalog', m?.statements],
  ].filter(([, profile]) => profile);
  const statementLines = profiles.flatMap(([name, profile]) => [
    '',
    `Postgres execution time by statement, ${name}: ${profile.totalExecMsPer1000} ms per 1,000 operations (ms per 1,000 | calls per 1,000 | share | statement)`,
    ...profile.statements.slice(0, 10).map((row) => `  ${String(row.msPer1000).padStart(7)} | ${String(row.callsPer1000).padStart(7)} | ${row.share.toFixed(3)} | ${row.query.slice(0, 110)}`),
  ]);
  return `${header.join('\n')}\n${lines.join('\n')}\n${statementLines.join('\n')}${statementLines.length > 0 ? '\n' : ''}`;
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
