'use strict';
/**
 * The "drain, mixed catalog, 1 worker" scenario: the mixed catalog of bench/mixed-fixtures.js is
 * accepted over HTTP (by the load generator, one resource type after another, in dependency order
 * except for the category subtrees posted children first) into ONE container with no worker running;
 * then one worker drains it the way it drains any integrator's container, all types interleaved in
 * claim order, `unresolved` operations waiting and being woken.
 *
 * Figures: operations/s overall (the container's imported operations over the time from the worker
 * being ready to the moment the container had nothing left processing or waiting), per resource type (see `attribute`), end states
 * (every operation must end `imported`; `rejected` or `validationFailed` means the fixtures are wrong
 * and fails the bench), how many operations waited (settled more than once), and the CPU cost per
 * 1,000 operations of the worker, the API and the whole Postgres server.
 */
const { mixedCatalog, productsFor } = require('./mixed-fixtures');
const { round, nowMs } = require('./stats');
const cpu = require('./cpu');

const WAITING = ['unresolved', 'waitForMasterVariant'];

/**
 * Per resource type: operations, how many of them are imported, and settles so far (an operation's
 * `version` counts its settles: 1 when accepted, +1 per settle, a wake-up does not count).
 */
async function sampleTypes(pool, project, id) {
  const rows = (
    await pool.query(
      `SELECT resource_type AS type, count(*)::int AS operations, count(*) FILTER (WHERE state = 'imported')::int AS imported,
              sum(version - 1)::int AS settles, count(*) FILTER (WHERE version > 2)::int AS waited
         FROM import_operations WHERE project_key = $1 AND container_id = $2 GROUP BY resource_type`,
      [project, id],
    )
  ).rows;
  return { at: nowMs(), types: Object.fromEntries(rows.map((row) => [row.type, row])) };
}

/**
 * The worker's time per resource type: between two samples, the elapsed time is shared among the types
 * by the number of settles each made in it (a settle that left an operation `unresolved` counts too, so
 * the time of a pass that ended in a wait is charged to the type that waited).
 */
function attribute(samples) {
  const seconds = {};
  let carried = 0;
  for (let i = 1; i < samples.length; i++) {
    const before = samples[i - 1];
    const after = samples[i];
    const deltas = Object.entries(after.types).map(([type, t]) => [type, t.settles - (before.types[type] ? before.types[type].settles : 0)]);
    const total = deltas.reduce((sum, [, delta]) => sum + delta, 0);
    // A batch shows up when it commits: the samples taken while it settled belong to it.
    carried += (after.at - before.at) / 1000;
    if (total <= 0) continue;
    for (const [type, delta] of deltas) if (delta > 0) seconds[type] = (seconds[type] ?? 0) + (carried * delta) / total;
    carried = 0;
  }
  return seconds;
}

/**
 * Runs the scenario. `ctx`: { options, project, runId, baseUrl, token, loadgen, pool, http, databaseUrl,
 * startWorker, workers, memory, cpuNow, counts, nonZero, log, check }.
 */
async function runMixed(ctx) {
  const { options, project, pool, log } = ctx;
  const products = productsFor(options.mixedOperations);
  const catalog = mixedCatalog(products);
  const container = 'mixed';
  await ctx.http('POST', `/${project}/import-containers`, { key: container });
  const id = (await pool.query(`SELECT id FROM import_containers WHERE project_key = $1 AND key = $2`, [project, container])).rows[0].id;

  ctx.memory.phase = 'accept';
  log(`mixed: accepting ${catalog.total} resources (${JSON.stringify(catalog.counts)})`);
  const accept = ctx.check(
    await ctx.loadgen.run({ kind: 'mixed', baseUrl: ctx.baseUrl, token: ctx.token, project, container, products, concurrency: 4 }),
    'mixed catalog accept',
  );
  const initial = await ctx.counts(id);
  if (initial.processing !== catalog.total) throw new Error(`mixed: ${catalog.total} resources posted, but ${initial.processing} operations are processing (${JSON.stringify(ctx.nonZero(initial))})`);

  ctx.memory.phase = 'mixed';
  log(`mixed: draining ${catalog.total} operations with 1 worker`);
  const worker = await ctx.startWorker(ctx.databaseUrl, 'worker-mixed');
  ctx.workers.add(worker);
  ctx.memory.watch('worker', worker);
  const cpuBefore = ctx.cpuNow([worker]);
  await ctx.statements?.reset();
  // Per-type samples read every operation of the container: 4 a second for a quick-sized catalog, 1 a second for a large one.
  const sampleEveryMs = catalog.total > 10_000 ? 1000 : 250;
  const samples = [await sampleTypes(pool, project, id)];
  const t0 = samples[0].at;
  const deadline = Date.now() + options.drainTimeoutMs;
  let last;
  let stuckSince;
  let peakWaiting = 0;
  let timedOut = false;
  let stuck = false;
  let sampleMs = 0;
  for (;;) {
    last = await ctx.counts(id);
    const waiting = WAITING.reduce((sum, state) => sum + last[state], 0);
    peakWaiting = Math.max(peakWaiting, waiting);
    const done = last.processing === 0 && waiting === 0;
    if (done || nowMs() - samples[samples.length - 1].at >= sampleEveryMs) {
      const started = nowMs();
      samples.push(await sampleTypes(pool, project, id));
      sampleMs += nowMs() - started;
    }
    if (done) break;
    // Waiting operations with nothing left to process: nobody will wake them (a wrong reference in the fixtures, or a lost wake-up).
    if (last.processing === 0) {
      stuckSince ??= nowMs();
      if (nowMs() - stuckSince > 5000) {
        stuck = true;
        break;
      }
    } else stuckSince = undefined;
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    if (worker.exited) throw new Error(`${worker.name} exited (${worker.exitCode}):\n${worker.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const t1 = samples[samples.length - 1].at;
  const cpuAfter = ctx.cpuNow([worker]);
  const byStatement = await ctx.statements?.top(catalog.total - last.processing);
  ctx.memory.unwatch(worker);
  await worker.stop();
  ctx.workers.delete(worker);

  const final = samples[samples.length - 1].types;
  const endStates = ctx.nonZero(last);
  const endStatesByType = Object.fromEntries(
    (
      await pool.query(`SELECT resource_type, state, count(*)::int AS n FROM import_operations WHERE project_key = $1 AND container_id = $2 GROUP BY 1, 2 ORDER BY 1, 2`, [project, id])
    ).rows.reduce((map, row) => map.set(row.resource_type, { ...(map.get(row.resource_type) ?? {}), [row.state]: row.n }), new Map()),
  );
  const rows = Object.entries(endStatesByType).flatMap(([type, states]) => Object.entries(states).map(([state, n]) => ({ type, state, n })));
  const failed = rows.filter((row) => row.state === 'rejected' || row.state === 'validationFailed').reduce((sum, row) => sum + row.n, 0);
  if (failed > 0) {
    const examples = (
      await pool.query(
        `SELECT resource_type, resource_key, state, errors FROM import_operations
          WHERE project_key = $1 AND container_id = $2 AND state IN ('rejected', 'validationFailed') ORDER BY seq LIMIT 5`,
        [project, id],
      )
    ).rows;
    throw new Error(
      `mixed: ${failed} operation(s) ended rejected or validationFailed — the mixed fixtures (bench/mixed-fixtures.js) are wrong: ` +
        `${JSON.stringify(endStatesByType)}\n${examples.map((row) => `${row.resource_type} ${row.resource_key} ${row.state}: ${JSON.stringify(row.errors)}`).join('\n')}`,
    );
  }
  let leftWaiting;
  if (stuck || timedOut) {
    leftWaiting = (
      await pool.query(
        `SELECT resource_type, resource_key, state, unresolved_references FROM import_operations
          WHERE project_key = $1 AND container_id = $2 AND state <> 'imported' ORDER BY seq LIMIT 5`,
        [project, id],
      )
    ).rows.map((row) => `${row.resource_type} ${row.resource_key} ${row.state} ${JSON.stringify(row.unresolved_references)}`);
    log(`mixed: NOT ALL IMPORTED (${stuck ? 'waiting operations nobody wakes' : 'timed out'}): ${JSON.stringify(endStates)}; e.g.\n${leftWaiting.join('\n')}`);
    // What is left would be claimed by the next phase's workers: remove it.
    await ctx.http('DELETE', `/${project}/import-containers/${container}`);
  }

  const seconds = (t1 - t0) / 1000;
  const imported = last.imported;
  const attributed = attribute(samples);
  const byType = {};
  for (const type of Object.keys(catalog.counts)) {
    const t = final[type] ?? { operations: 0, imported: 0, settles: 0, waited: 0 };
    const typeSeconds = attributed[type] ?? 0;
    byType[type] = {
      operations: catalog.counts[type],
      endStates: endStatesByType[type] ?? {},
      waited: t.waited,
      settles: t.settles,
      attributedSeconds: round(typeSeconds, 3),
      operationsPerSecond: typeSeconds > 0 ? round(t.imported / typeSeconds, 0) : null,
      settlesPerSecond: typeSeconds > 0 ? round(t.settles / typeSeconds, 0) : null,
    };
  }
  return {
    workers: 1,
    operations: catalog.total,
    products,
    categoryRoots: catalog.categoryRoots,
    childrenFirstSubtrees: catalog.childrenFirstSubtrees,
    accept: { seconds: round(accept.durationMs / 1000), resourcesPerSecond: round((accept.resources / accept.durationMs) * 1000, 0), latency: accept.latency },
    imported,
    seconds: round(seconds),
    operationsPerSecond: seconds > 0 ? round(imported / seconds, 0) : null,
    timedOut,
    stuck,
    allImported: imported === catalog.total,
    endStates,
    waited: Object.values(final).reduce((sum, t) => sum + t.waited, 0),
    settles: Object.values(final).reduce((sum, t) => sum + t.settles, 0),
    peakWaiting,
    ...(byStatement ? { statements: byStatement } : {}),
    samples: samples.length,
    meanSampleMs: round(sampleMs / Math.max(1, samples.length - 1), 1),
    ...(leftWaiting ? { leftWaiting } : {}),
    cpu: cpu.cost(cpuBefore, cpuAfter, imported),
    byType,
    note:
      'one container, accepted type by type in dependency order (1 category subtree in 4 children first) with no worker running, then drained by 1 worker; ' +
      'operations/s: imported operations over the time from the worker being ready to nothing left processing or waiting; per type: imported operations over the worker time charged to the type ' +
      '(between two samples, the time is shared among the types by their settles, unresolved passes included; see bench/mixed.js); waited = operations settled more than once',
  };
}

module.exports = { runMixed, attribute };
