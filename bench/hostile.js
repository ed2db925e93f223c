'use strict';
/**
 * Worst-case hostile import requests: `npm run bench:hostile`.
 *
 * Starts the built API on a fresh embedded Postgres (as the bench does) and posts, five times each, the most
 * expensive bodies of at most 1 MiB we could construct — deep nesting, huge strings, tens of thousands of invalid
 * fields, thousands of items, wide objects — reporting the status, the size of the answer and the median / max
 * time to it. Each one is refused with a 4xx; the times say how long one such request can hold the event loop.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, startApi, createClient, getToken } = require('./berth');

const MIB = 1024 * 1024 - 200;

function bodies() {
  const productType = { typeId: 'product-type', key: 't' };
  return {
    'deep arrays (1 MiB)': `{"type":"product-draft","resources":${'['.repeat(MIB / 2)}${']'.repeat(MIB / 2)}}`,
    'deep objects (1 MiB)': `{"type":"product-draft","resources":[${'{"a":'.repeat(MIB / 6)}1${'}'.repeat(MIB / 6)}]}`,
    '20 resources with 50k-character keys': JSON.stringify({
      type: 'product-draft',
      resources: Array.from({ length: 20 }, (_, i) => ({ key: `${'x'.repeat(50_000)}${i}`, name: { en: 'y'.repeat(1000) }, productType, slug: { en: `s${i}` } })),
    }),
    '20 resources failing 50,000 fields': JSON.stringify({
      type: 'product-draft',
      resources: Array.from({ length: 20 }, (_, i) => ({ key: i, name: 5, slug: 7, productType: 1, variants: Array.from({ length: 500 }, () => ({ sku: 1, prices: [{ value: 'x' }], attributes: [{ name: 1 }] })) })),
    }),
    '5,000 invalid resources': JSON.stringify({ type: 'product-draft', resources: Array.from({ length: 5000 }, (_, i) => ({ key: i, name: 5, slug: 7 })) }),
    'one resource with 60,000 keys': JSON.stringify({ type: 'product-draft', resources: [Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i]))] }),
    '20 resources with 2,500 locales each': JSON.stringify({
      type: 'product-draft',
      resources: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, name: Object.fromEntries(Array.from({ length: 2500 }, (_, j) => [`e${j}`, 'v'])), productType, slug: { en: 's' } })),
    }),
  };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-hostile-'));
  const db = { dataDir };
  let api;
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    api = await startApi(db, port);
    const token = await getToken(base, await createClient(db, 'manage_project:bench'));
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${base}/bench/import-containers`, { method: 'POST', headers, body: JSON.stringify({ key: 'c' }) });
    const rows = [];
    for (const [name, body] of Object.entries(bodies())) {
      const times = [];
      let status;
      let answerBytes;
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        const res = await fetch(`${base}/bench/product-drafts/import-containers/c`, { method: 'POST', headers, body });
        const text = await res.text();
        times.push(performance.now() - started);
        status = res.status;
        answerBytes = Buffer.byteLength(text);
      }
      times.sort((a, b) => a - b);
      rows.push({ body: name, kib: Math.round(Buffer.byteLength(body) / 1024), status, answerKib: Math.round((answerBytes / 1024) * 10) / 10, medianMs: Math.round(times[2] * 10) / 10, maxMs: Math.round(times[4] * 10) / 10 });
    }
    process.stdout.write('| body | KiB | status | answer KiB | median ms | max ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n');
    for (const r of rows) process.stdout.write(`| ${r.body} | ${r.kib} | ${r.status} | ${r.answerKib} | ${r.medianMs} | ${r.maxMs} |\n`);
  } finally {
    if (api) await api.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
