'use strict';
/**
 * Raw-Postgres baselines: the same storage work as Berth, with plain `pg` from Node on the same
 * server, in scratch tables (bench_*), dropped at the end.
 *  - staging: multi-row INSERT of 20 product-draft JSONB rows per transaction, N clients;
 *  - drain: claim 500 rows FOR UPDATE SKIP LOCKED, INSERT … ON CONFLICT (key) DO UPDATE into a
 *    products-like table, mark them done, commit; N drainers.
 */
const { randomUUID } = require('node:crypto');
const { Pool } = require('pg');
const { productDraft } = require('./fixtures');
const { summarize, nowMs } = require('./stats');

const SCRATCH_TABLES = ['bench_staging', 'bench_queue', 'bench_products'];

class Baseline {
  constructor(databaseUrl) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 10 });
  }

  async setup() {
    await this.dropTables();
    await this.pool.query(`CREATE TABLE bench_staging (id uuid PRIMARY KEY, key text NOT NULL, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`);
    await this.pool.query(`CREATE TABLE bench_queue (id bigserial PRIMARY KEY, key text NOT NULL, payload jsonb NOT NULL, state text NOT NULL DEFAULT 'pending')`);
    await this.pool.query(`CREATE INDEX bench_queue_pending_idx ON bench_queue (id) WHERE state = 'pending'`);
    await this.pool.query(
      `CREATE TABLE bench_products (id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY, key text NOT NULL UNIQUE, version integer NOT NULL DEFAULT 1, data jsonb NOT NULL, last_modified_at timestamptz NOT NULL DEFAULT now())`,
    );
  }

  async dropTables() {
    for (const table of SCRATCH_TABLES) await this.pool.query(`DROP TABLE IF EXISTS ${table}`);
  }

  async close() {
    try {
      await this.dropTables();
    } finally {
      await this.pool.end();
    }
  }

  /** `total` rows as transactions of `batchSize` rows from `concurrency` connections. */
  async staging(prefix, total, concurrency, batchSize = 20) {
    const batches = Math.ceil(total / batchSize);
    const clients = await Promise.all(Array.from({ length: concurrency }, () => this.pool.connect()));
    const latencies = [];
    let next = 0;
    let rows = 0;
    const started = nowMs();
    try {
      await Promise.all(
        clients.map(async (client) => {
          while (next < batches) {
            const index = next++;
            const values = [];
            const params = [];
            for (let i = index * batchSize; i < Math.min((index + 1) * batchSize, total); i++) {
              const key = `${prefix}-${i}`;
              params.push(randomUUID(), key, JSON.stringify(productDraft(key)));
              values.push(`($${params.length - 2}, $${params.length - 1}, $${params.length})`);
            }
            const t0 = nowMs();
            await client.query('BEGIN');
            await client.query(`INSERT INTO bench_staging (id, key, payload) VALUES ${values.join(', ')}`, params);
            await client.query('COMMIT');
            latencies.push(nowMs() - t0);
            rows += values.length;
          }
        }),
      );
    } finally {
      for (const client of clients) client.release();
    }
    const durationMs = nowMs() - started;
    return { rows, durationMs, rowsPerSecond: (rows / durationMs) * 1000, latency: summarize(latencies) };
  }

  /** Fills the queue with `total` product-draft rows (untimed). */
  async fillQueue(prefix, total) {
    await this.pool.query(`TRUNCATE bench_queue`);
    const template = JSON.stringify(productDraft('KEY'));
    const chunk = 50_000;
    for (let from = 0; from < total; from += chunk) {
      await this.pool.query(
        `INSERT INTO bench_queue (key, payload)
         SELECT $1 || '-' || g, replace($2, 'KEY', $1 || '-' || g)::jsonb FROM generate_series($3::int, $4::int) g`,
        [prefix, template, from, Math.min(from + chunk, total) - 1],
      );
    }
    await this.pool.query(`ANALYZE bench_queue`);
  }

  /** Drains the queue with `drainers` connections in batches of `batchSize`. */
  async drain(drainers, batchSize = 500) {
    const clients = await Promise.all(Array.from({ length: drainers }, () => this.pool.connect()));
    let rows = 0;
    const started = nowMs();
    try {
      await Promise.all(
        clients.map(async (client) => {
          for (;;) {
            await client.query('BEGIN');
            const claimed = await client.query(`SELECT id, key, payload FROM bench_queue WHERE state = 'pending' ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, [batchSize]);
            if (claimed.rows.length === 0) {
              await client.query('COMMIT');
              return;
            }
            await client.query(
              `INSERT INTO bench_products (key, data)
               SELECT * FROM unnest($1::text[], $2::jsonb[])
               ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, version = bench_products.version + 1, last_modified_at = now()
                WHERE bench_products.data IS DISTINCT FROM EXCLUDED.data`,
              [claimed.rows.map((row) => row.key), claimed.rows.map((row) => JSON.stringify(row.payload))],
            );
            await client.query(`UPDATE bench_queue SET state = 'done' WHERE id = ANY($1::bigint[])`, [claimed.rows.map((row) => row.id)]);
            await client.query('COMMIT');
            rows += claimed.rows.length;
          }
        }),
      );
    } catch (error) {
      await Promise.all(clients.map((client) => client.query('ROLLBACK').catch(() => undefined)));
      throw error;
    } finally {
      for (const client of clients) client.release();
    }
    const durationMs = nowMs() - started;
    return { rows, durationMs, rowsPerSecond: (rows / durationMs) * 1000 };
  }
}

module.exports = { Baseline };
