'use strict';
/**
 * File-import bench (issue 17): a generated CSV of product drafts (one row per product, a variant with a price)
 * streamed to `POST …/file-imports` of a real API process, against `COPY` of the same CSV into a staging table on
 * the same Postgres in the same run (psql's \copy; skipped when psql is not on PATH). Reports rows/s of both, their
 * ratio, and the API's peak RSS (VmHWM) — run it with several sizes to see that memory stays flat:
 *
 *   npm run build && node bench/file-import.js --rows 100000,1000000
 *   node bench/file-import.js --rows 100000 --description-bytes 10000     # a ~1 GB file
 *
 * Uses the embedded Postgres in a temporary data directory (or DATABASE_URL). Prints one JSON line per size.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');
const { Pool } = require('pg');
const { freePort, startApi, embeddedUrl, createClient, getToken, ROOT } = require('./berth');

const HEADER = 'key,name.en,slug.en,productType,variant.key,variant.sku,variant.prices[0].key,variant.prices[0].value.centAmount,variant.prices[0].value.currencyCode\n';

/**
 * The CSV, generated as it is read (never held whole). `descriptionBytes` > 0 adds a `description.en` column of that
 * many characters to every row, for files of a given size in bytes (`--description-bytes 10000 --rows 100000` ≈ 1 GB).
 */
function csvStream(rows, prefix, descriptionBytes = 0) {
  let i = 0;
  let headerSent = false;
  const description = descriptionBytes > 0 ? `,${'d'.repeat(descriptionBytes)}` : '';
  const perChunk = descriptionBytes > 0 ? Math.max(1, Math.floor(1_000_000 / descriptionBytes)) : 1000;
  return new Readable({
    read() {
      if (!headerSent) {
        headerSent = true;
        this.push(descriptionBytes > 0 ? HEADER.replace('\n', ',description.en\n') : HEADER);
      }
      const lines = [];
      for (let n = 0; n < perChunk && i < rows; n++, i++) {
        const key = `${prefix}-${i}`;
        lines.push(`${key},Bench product ${i},${key},bench-type,${key}-v,SKU-${key},${key}-p,${1000 + (i % 5000)},EUR${description}\n`);
      }
      this.push(lines.length > 0 ? lines.join('') : null);
    },
  });
}

function descriptionBytes(argv) {
  const index = argv.indexOf('--description-bytes');
  return index === -1 ? 0 : Number(argv[index + 1]);
}

function parseRows(argv) {
  const index = argv.indexOf('--rows');
  const raw = index === -1 ? '100000' : argv[index + 1];
  return raw.split(',').map((value) => Number(value.replace(/_/g, '')));
}

async function copyBaseline(databaseUrl, rows, padding) {
  const which = spawn('sh', ['-c', 'command -v psql']);
  const found = await new Promise((resolve) => which.on('exit', (code) => resolve(code === 0)));
  if (!found) return undefined;
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  await pool.query('DROP TABLE IF EXISTS bench_fi_copy');
  await pool.query(
    `CREATE TABLE bench_fi_copy (key text, name text, slug text, product_type text, variant_key text, sku text, price_key text, cents integer, currency text${padding > 0 ? ', description text' : ''})`,
  );
  const started = Date.now();
  const psql = spawn('psql', [databaseUrl, '-q', '-c', '\\copy bench_fi_copy FROM STDIN WITH (FORMAT csv, HEADER true)'], { stdio: ['pipe', 'ignore', 'inherit'] });
  csvStream(rows, 'copy', padding).pipe(psql.stdin);
  const code = await new Promise((resolve) => psql.on('exit', resolve));
  const seconds = (Date.now() - started) / 1000;
  const [{ n }] = (await pool.query('SELECT count(*)::int AS n FROM bench_fi_copy')).rows;
  await pool.query('DROP TABLE bench_fi_copy');
  await pool.end();
  if (code !== 0 || n !== rows) throw new Error(`COPY baseline failed (exit ${code}, ${n} rows)`);
  return { rowsPerSecond: Math.round(rows / seconds), seconds };
}

function upload(port, token, project, container, rows, padding) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: `/${project}/import-containers/${container}/file-imports?resourceType=product-draft`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(text) }));
      },
    );
    request.on('error', reject);
    csvStream(rows, container, padding).pipe(request);
  });
}

async function main() {
  const sizes = parseRows(process.argv.slice(2));
  const padding = descriptionBytes(process.argv.slice(2));
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-if-stale.js')], { cwd: ROOT, stdio: 'inherit' });
  const externalUrl = process.env.DATABASE_URL && process.env.DATABASE_URL.trim() !== '' ? process.env.DATABASE_URL.trim() : undefined;
  const dataDir = externalUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'berth-bench-fi-'));
  const db = { databaseUrl: externalUrl, dataDir };
  const project = `bench-fi-${Math.random().toString(16).slice(2, 8)}`;
  const port = await freePort();
  const api = await startApi(db, port);
  try {
    const databaseUrl = externalUrl ?? embeddedUrl(dataDir);
    const client = await createClient(db, `manage_project:${project}`);
    const token = await getToken(`http://127.0.0.1:${port}`, client);
    for (const rows of sizes) {
      const container = `fi-${rows}`;
      const created = await fetch(`http://127.0.0.1:${port}/${project}/import-containers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key: container }),
      });
      if (created.status !== 201) throw new Error(`container: ${created.status}`);
      const copy = await copyBaseline(databaseUrl, rows, padding);
      let peakRssKb = 0;
      const sampler = setInterval(() => {
        const memory = api.memory();
        if (memory) peakRssKb = Math.max(peakRssKb, memory.rssKb);
      }, 100);
      const started = Date.now();
      const answer = await upload(port, token, project, container, rows, padding);
      const seconds = (Date.now() - started) / 1000;
      clearInterval(sampler);
      const memory = api.memory();
      if (answer.status !== 202 && answer.status !== 200) throw new Error(`upload answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      const accepted = answer.body.counts.accepted;
      const rowsPerSecond = Math.round(accepted / seconds);
      process.stdout.write(
        `${JSON.stringify({
          rows,
          ...(padding > 0 ? { descriptionBytes: padding, fileMb: Math.round((rows * (padding + 90)) / 1e6) } : {}),
          accepted,
          seconds: Math.round(seconds * 10) / 10,
          rowsPerSecond,
          copyRowsPerSecond: copy ? copy.rowsPerSecond : null,
          ratioToCopy: copy ? Math.round((rowsPerSecond / copy.rowsPerSecond) * 1000) / 1000 : null,
          apiPeakRssMb: Math.round(Math.max(peakRssKb, memory ? memory.hwmKb : 0) / 1024),
        })}\n`,
      );
    }
  } finally {
    await api.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
