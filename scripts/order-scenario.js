#!/usr/bin/env node
/*
 * The per-key order scenario of issue 11, against a running Berth (e.g. `npm start`):
 * 60 requests for one product type sent one after another (each answered before the next is sent),
 * each with 3 concurrent requests for other keys beside it; after processing, the product type must
 * hold the last accepted value and the operations' resourceVersion must be 1..60 in accept order.
 *
 *   node scripts/order-scenario.js --url http://localhost:8080 --project demo --client-id … --client-secret … [--runs 20]
 */
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const base = opt('url', 'http://localhost:8080');
const project = opt('project', 'demo');
const runs = Number(opt('runs', '20'));
const rounds = Number(opt('rounds', '60'));
const clientId = opt('client-id', process.env.CLIENT_ID);
const clientSecret = opt('client-secret', process.env.CLIENT_SECRET);

async function main() {
  const tokenRes = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (!tokenRes.ok) throw new Error(`token: ${tokenRes.status} ${await tokenRes.text()}`);
  const { access_token: token } = await tokenRes.json();
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const call = async (method, path, body) => {
    const res = await fetch(`${base}/${project}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = await res.json();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  let failures = 0;
  const stamp = Date.now().toString(36);
  for (let run = 1; run <= runs; run++) {
    const container = `order-${stamp}-${run}`;
    const key = `pt-x-${stamp}-${run}`;
    await call('POST', '/import-containers', { key: container });
    const accepted = [];
    for (let round = 1; round <= rounds; round++) {
      const post = (resources) => call('POST', `/product-types/import-containers/${container}`, { type: 'product-type', resources });
      const [main] = await Promise.all([
        post([{ key, name: 'X', description: `v${round}`, attributes: [] }]),
        ...[1, 2, 3].map((side) => post([{ key: `${key}-side-${round}-${side}`, name: 'S', description: 's', attributes: [] }])),
      ]);
      accepted.push(main.operationStatus[0].operationId);
    }
    const deadline = Date.now() + 120_000;
    for (;;) {
      const summary = await call('GET', `/import-containers/${container}/import-summaries`);
      if (summary.states.processing === 0 && summary.states.unresolved === 0) break;
      if (Date.now() > deadline) throw new Error(`run ${run}: not processed within 120 s: ${JSON.stringify(summary.states)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const final = await call('GET', `/product-types/key=${key}`);
    const versions = [];
    for (const id of accepted) versions.push((await call('GET', `/import-operations/${id}`)).resourceVersion);
    const ordered = versions.every((version, i) => version === i + 1);
    const ok = ordered && final.description === `v${rounds}`;
    if (!ok) failures++;
    console.log(`run ${run}: ${ok ? 'ok' : 'FAILED'} final=${final.description} versions=${ordered ? `1..${rounds}` : versions.join(',')}`);
  }
  console.log(`${runs - failures}/${runs} runs in order`);
  process.exit(failures === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
