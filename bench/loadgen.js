'use strict';
/**
 * The load generator: a separate node process (started by run.js with an IPC channel) that sends
 * HTTP requests over keep-alive agents and reports latencies back. One job at a time:
 *   { kind: 'import', baseUrl, baseUrls?, token, path, type, prefix, total, batchSize, concurrency }
 *     posts `total` product drafts as requests of `batchSize` resources with `concurrency` clients
 *     (optional `maxDurationMs`: no new request after that);
 *   { kind: 'get', baseUrl, token, path, requests, concurrency }
 *     sends `requests` GETs of one path;
 *   { kind: 'mixed', baseUrl, token, project, container, products, concurrency }
 *     posts the mixed catalog of bench/mixed-fixtures.js into one container, one resource type after
 *     another (`concurrency` clients within a type), and adds `resourcesByType`.
 * Answers { ok, resources, requests, errors, durationMs, latency: {p50, p99, …}, firstError }.
 */
const http = require('node:http');
const { productDraft } = require('./fixtures');
const { mixedCatalog } = require('./mixed-fixtures');
const { summarize, nowMs } = require('./stats');

function request(agent, url, method, token, body) {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const req = http.request(url, { method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

async function runJob(job) {
  if (job.kind === 'mixed') return runMixed(job);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
  const latencies = [];
  let errors = 0;
  let firstError;
  let resources = 0;
  let next = 0;
  const totalRequests = job.kind === 'import' ? Math.ceil(job.total / job.batchSize) : job.requests;
  // With several API processes (`baseUrls`), each client keeps to one of them, as behind a load balancer.
  const urls = (job.baseUrls && job.baseUrls.length > 0 ? job.baseUrls : [job.baseUrl]).map((base) => new URL(job.path, base));
  const bodyOf = (index) => {
    if (job.kind !== 'import') return undefined;
    const items = [];
    for (let i = index * job.batchSize; i < Math.min((index + 1) * job.batchSize, job.total); i++) items.push(productDraft(`${job.prefix}-${i}`));
    return { text: JSON.stringify({ type: job.type, resources: items }), count: items.length };
  };
  const started = nowMs();
  const deadline = job.maxDurationMs ? started + job.maxDurationMs : Infinity;
  const client = async (_, clientIndex) => {
    const url = urls[clientIndex % urls.length];
    while (next < totalRequests && nowMs() < deadline) {
      const index = next++;
      const body = bodyOf(index);
      const started = nowMs();
      try {
        const res = await request(agent, url, job.kind === 'import' ? 'POST' : 'GET', job.token, body && body.text);
        latencies.push(nowMs() - started);
        const expected = job.kind === 'import' ? 201 : 200;
        if (res.status !== expected) {
          errors++;
          firstError = firstError || `HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
        } else if (body) resources += body.count;
      } catch (error) {
        errors++;
        firstError = firstError || String(error && error.message ? error.message : error);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, (_, i) => client(undefined, i)));
  const durationMs = nowMs() - started;
  agent.destroy();
  return { ok: errors === 0, resources, requests: latencies.length, errors, firstError, durationMs, latency: summarize(latencies) };
}

/** The mixed catalog, step by step (a step's requests with `concurrency` clients; the next step once it is done). */
async function runMixed(job) {
  const { steps } = mixedCatalog(job.products);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
  const latencies = [];
  const resourcesByType = {};
  let errors = 0;
  let firstError;
  let resources = 0;
  const started = nowMs();
  for (const step of steps) {
    let next = 0;
    const client = async () => {
      while (next < step.requests.length) {
        const item = step.requests[next++];
        const url = new URL(`/${job.project}/${item.path}/import-containers/${job.container}`, job.baseUrl);
        const body = JSON.stringify({ type: item.type, resources: item.resources });
        const t0 = nowMs();
        try {
          const res = await request(agent, url, 'POST', job.token, body);
          latencies.push(nowMs() - t0);
          if (res.status !== 201) {
            errors++;
            firstError = firstError || `POST ${item.path}: HTTP ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`;
          } else {
            resources += item.resources.length;
            resourcesByType[item.type] = (resourcesByType[item.type] ?? 0) + item.resources.length;
          }
        } catch (error) {
          errors++;
          firstError = firstError || String(error && error.message ? error.message : error);
        }
      }
    };
    await Promise.all(Array.from({ length: job.concurrency }, client));
  }
  const durationMs = nowMs() - started;
  agent.destroy();
  return { ok: errors === 0, resources, resourcesByType, requests: latencies.length, errors, firstError, durationMs, latency: summarize(latencies) };
}

process.on('message', (message) => {
  if (message.kind === 'exit') {
    process.exit(0);
    return;
  }
  runJob(message).then(
    (result) => process.send({ id: message.id, result }),
    (error) => process.send({ id: message.id, error: String(error && error.stack ? error.stack : error) }),
  );
});
