'use strict';
/**
 * The accept path alone: `npm run bench:accept [-- --drafts N --rounds N]`.
 *
 * The accept scenario of `npm run bench` (product drafts posted 20 per request over real HTTP by 1 and 8
 * clients) against the same raw-Postgres staging baseline (20-row multi-row INSERT transactions), measured
 * `--rounds` times (default 3) in alternation on one embedded Postgres, so drift of a shared machine lands
 * on both sides. Reports the median ratio per client count, p50/p99, CPU per 1,000 resources (API and
 * Postgres) and the API's peak RSS. For back-to-back before/after comparisons of accept-path changes
 * (run it in two checkouts one after the other); the full bench stays the reference.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Baseline } = require('./baseline');
const { freePort, startApi, embeddedUrl, createClient, getToken } = require('./berth');
const { round } = require('./stats');
const cpu = require('./cpu');
const { LoadGenerator } = require('./load-generator');

function parseArgs(argv) {
  const value = (name, fallback) => {
    const index = argv.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
    if (index < 0) return fallback;
    const raw = argv[index].includes('=') ? argv[index].split('=')[1] : argv[index + 1];
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed <= 0) throw new Error(`${name} needs a positive integer, got ${raw}`);
    return parsed;
  };
  return { drafts: value('--drafts', 20_000), rounds: value('--rounds', 3) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const log = (message) => process.stderr.write(`[bench:accept ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-accept-'));
  const db = { dataDir };
  let api;
  let baseline;
  let loadgen;
  const peakRss = { kb: 0 };
  let sampler;
  try {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    api = await startApi(db, port);
    const databaseUrl = embeddedUrl(dataDir);
    const postmaster = cpu.postmasterPid(dataDir);
    const token = await getToken(baseUrl, await createClient(db, 'manage_project:bench'));
    const http = async (method, urlPath, body) => {
      const res = await fetch(`${baseUrl}${urlPath}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
      if (!res.ok) throw new Error(`${method} ${urlPath} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    };
    loadgen = new LoadGenerator();
    baseline = new Baseline(databaseUrl);
    await baseline.setup();
    const importJob = (container, prefix, total, concurrency) =>
      loadgen.run({ kind: 'import', baseUrl, token, path: `/bench/product-drafts/import-containers/${container}`, type: 'product-draft', prefix, total, batchSize: 20, concurrency });

    log('warm-up');
    await baseline.staging('warm', 2000, 8);
    await http('POST', '/bench/import-containers', { key: 'warmup' });
    const warm = await importJob('warmup', 'warm', 4000, 8);
    if (!warm.ok) throw new Error(`warm-up: ${warm.firstError}`);

    sampler = setInterval(() => {
      const memory = api.memory();
      if (memory) peakRss.kb = Math.max(peakRss.kb, memory.rssKb);
    }, 100);
    const runs = { 1: [], 8: [] };
    for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
      for (const clients of [1, 8]) {
        const staging = await baseline.staging(`s${roundIndex}-${clients}`, options.drafts, clients);
        const container = `accept-${roundIndex}-${clients}`;
        await http('POST', '/bench/import-containers', { key: container });
        const before = cpu.snapshot({ api: [api] }, postmaster);
        const report = await importJob(container, `r${roundIndex}-${clients}`, options.drafts, clients);
        if (!report.ok) throw new Error(`accept with ${clients} client(s): ${report.errors} failed, first: ${report.firstError}`);
        const cost = cpu.cost(before, cpu.snapshot({ api: [api] }, postmaster), report.resources);
        const rate = (report.resources / report.durationMs) * 1000;
        const run = { staging: round(staging.rowsPerSecond, 0), accept: round(rate, 0), ratio: round(rate / staging.rowsPerSecond, 3), p50: report.latency.p50, p99: report.latency.p99, apiMsPer1000: cost.api.msPer1000, postgresMsPer1000: cost.postgres ? cost.postgres.msPer1000 : null };
        runs[clients].push(run);
        log(`round ${roundIndex + 1}, ${clients} client(s): ${JSON.stringify(run)}`);
      }
    }
    const summary = {};
    for (const clients of [1, 8]) {
      const list = runs[clients];
      summary[`clients${clients}`] = {
        ratio: median(list.map((r) => r.ratio)),
        acceptPerSecond: median(list.map((r) => r.accept)),
        stagingPerSecond: median(list.map((r) => r.staging)),
        p50: median(list.map((r) => r.p50)),
        p99: median(list.map((r) => r.p99)),
        apiMsPer1000: median(list.map((r) => r.apiMsPer1000)),
        postgresMsPer1000: median(list.map((r) => r.postgresMsPer1000)),
      };
    }
    const result = { commit: process.env.BENCH_COMMIT || null, drafts: options.drafts, rounds: options.rounds, apiPeakRssMb: round(peakRss.kb / 1024, 1), summary, runs };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    if (sampler) clearInterval(sampler);
    if (loadgen) loadgen.stop();
    if (baseline) await baseline.close().catch(() => undefined);
    if (api) await api.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
