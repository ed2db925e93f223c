'use strict';
/**
 * The schema floor of the product-draft drain: the writes Berth's own tables need for one imported product draft,
 * done by a minimal client with no product logic, on the same server in the same run. It separates what the schema
 * costs (the queue's eight indexes and count triggers, the products / variants / slugs tables and their unique
 * indexes) from what Berth's processor adds on top, which the raw drain (bench/baseline.js: one toy table with two
 * indexes) cannot show. Per batch of `batchSize` operations, as the processor does it:
 *   1. claim (its own transaction): the processor's claim statement (oldest first, per-key order, FOR UPDATE SKIP
 *      LOCKED), RETURNING the payloads;
 *   2. one transaction: INSERT products … ON CONFLICT (project_key, key) DO UPDATE, INSERT product_variants,
 *      INSERT product_slugs (one row per locale), UPDATE import_operations SET state = 'imported' … (one statement).
 * No reference resolution, no uniqueness checks, no waits, no events: a lower bound, not a competitor.
 * Runs in its own project (`floor-<n>`), in a container of its own, on Berth's migrated schema.
 *
 *   DATABASE_URL=postgres://… node bench/schema-floor.js --drafts 20000 [--drainers 2]
 */
const { randomUUID } = require('node:crypto');
const { Pool } = require('pg');
const { productDraft } = require('./fixtures');
const { nowMs } = require('./stats');

/**
 * The floor's operations are due at a fixed past instant, and its claim scans only up to it: the bench runs the floor
 * while Berth's accepted backlog (due now) waits in the same queue index, and a claim that met those rows first would
 * measure a scan Berth's own worker never does (its backlog is all its own).
 */
const FLOOR_RUN_AT = `timestamptz '2000-01-01 00:00:00+00'`;

class SchemaFloor {
  /** @param {import('pg').Pool} pool a pool on Berth's migrated database */
  constructor(pool) {
    this.pool = pool;
    this.runs = 0;
  }

  /** A fresh project with a container, a product type and `total` product-draft operations waiting (untimed). */
  async fill(total) {
    this.runs++;
    this.project = `floor-${process.pid}-${this.runs}`;
    const project = this.project;
    this.containerId = randomUUID();
    this.productTypeId = randomUUID();
    await this.pool.query(`INSERT INTO import_containers (project_key, id, key) VALUES ($1, $2, 'floor')`, [project, this.containerId]);
    await this.pool.query(`INSERT INTO product_types (project_key, id, key, data) VALUES ($1, $2, 'default-type', '{}'::jsonb)`, [project, this.productTypeId]);
    const template = JSON.stringify(productDraft('KEY'));
    for (let from = 0; from < total; from += 50_000) {
      await this.pool.query(
        `INSERT INTO import_operations (project_key, id, container_id, container_key, resource_type, resource_key, payload, expires_at, run_at)
         SELECT $1, gen_random_uuid(), $2, 'floor', 'product-draft', 'f-' || g, replace($3, 'KEY', 'f-' || g)::jsonb, now() + interval '48 hours', ${FLOOR_RUN_AT}
           FROM generate_series($4::int, $5::int) g ORDER BY g`,
        [project, this.containerId, template, from, Math.min(from + 50_000, total) - 1],
      );
    }
    await this.pool.query(`ANALYZE import_operations`);
  }

  /** Drains the project's operations with `drainers` connections; resolves with rows and rows/s. */
  async drain(drainers, batchSize = 400) {
    const project = this.project;
    const clients = await Promise.all(Array.from({ length: drainers }, () => this.pool.connect()));
    let rows = 0;
    const steps = { claim: 0, products: 0, variants: 0, slugs: 0, outcomes: 0, commit: 0 };
    const timed = async (step, work) => {
      const t0 = nowMs();
      try {
        return await work();
      } finally {
        steps[step] += nowMs() - t0;
      }
    };
    const started = nowMs();
    try {
      await Promise.all(
        clients.map(async (client, n) => {
          const me = `floor-${n}`;
          for (;;) {
            const claimed = (
              await timed('claim', () => client.query(
                `WITH pending AS MATERIALIZED (
                   SELECT project_key, id, run_at, seq, container_id, resource_type, resource_key, created_at FROM import_operations
                    WHERE state = 'processing' AND run_at <= ${FLOOR_RUN_AT} AND (locked_until IS NULL OR locked_until < now()) AND project_key = $1
                    ORDER BY run_at, seq LIMIT $2 * 4),
                 eligible AS MATERIALIZED (
                   SELECT p.project_key, p.id, p.run_at, p.seq FROM pending p
                    WHERE EXISTS (SELECT 1 FROM import_containers c WHERE c.project_key = p.project_key AND c.id = p.container_id AND c.processing_state = 'active')
                      AND NOT EXISTS (SELECT 1 FROM import_operations earlier
                                       WHERE earlier.project_key = p.project_key AND earlier.resource_type = p.resource_type AND earlier.resource_key = p.resource_key
                                         AND (earlier.created_at, earlier.seq) < (p.created_at, p.seq) AND earlier.state = 'processing')
                    ORDER BY p.run_at, p.seq LIMIT $2),
                 candidates AS (
                   SELECT o.project_key, o.id FROM eligible e JOIN import_operations o ON o.project_key = e.project_key AND o.id = e.id
                    WHERE o.state = 'processing' AND (o.locked_until IS NULL OR o.locked_until < now())
                    ORDER BY e.run_at, e.seq FOR UPDATE OF o SKIP LOCKED)
                 UPDATE import_operations o SET locked_by = $3, locked_until = now() + interval '60 seconds', attempts = o.attempts + 1
                   FROM candidates c WHERE o.project_key = c.project_key AND o.id = c.id
                 RETURNING o.id, o.resource_key, o.payload`,
                [project, batchSize, me],
              ))
            ).rows;
            if (claimed.length === 0) return;
            const products = claimed.map((op) => ({
              key: op.resource_key,
              data: { masterData: { staged: { name: op.payload.name, slug: op.payload.slug, masterVariant: op.payload.masterVariant } } },
            }));
            await client.query('BEGIN');
            try {
              const ids = (
                await timed('products', () => client.query(
                  `INSERT INTO products (project_key, key, data, product_type_id)
                   SELECT $1, p.key, p.data, $2 FROM jsonb_to_recordset($3::jsonb) AS p(key text, data jsonb)
                   ON CONFLICT (project_key, key) DO UPDATE SET data = EXCLUDED.data, version = products.version + 1, last_modified_at = now()
                    WHERE products.data IS DISTINCT FROM EXCLUDED.data
                   RETURNING id, key`,
                  [project, this.productTypeId, JSON.stringify(products)],
                ))
              ).rows;
              const byKey = new Map(ids.map((row) => [row.key, row.id]));
              const variants = claimed.map((op) => ({ id: byKey.get(op.resource_key), key: op.payload.masterVariant.key, sku: op.payload.masterVariant.sku }));
              await timed('variants', () => client.query(
                `INSERT INTO product_variants (project_key, product_id, variant_id, key, sku)
                 SELECT $1, v.id, 1, v.key, v.sku FROM jsonb_to_recordset($2::jsonb) AS v(id uuid, key text, sku text)`,
                [project, JSON.stringify(variants)],
              ));
              const slugs = claimed.flatMap((op) => Object.entries(op.payload.slug).map(([locale, slug]) => ({ id: byKey.get(op.resource_key), locale, slug })));
              await timed('slugs', () => client.query(
                `INSERT INTO product_slugs (project_key, locale, slug, product_id)
                 SELECT $1, s.locale, s.slug, s.id FROM jsonb_to_recordset($2::jsonb) AS s(id uuid, locale text, slug text)`,
                [project, JSON.stringify(slugs)],
              ));
              const outcomes = claimed.map((op) => ({ id: op.id, state: 'imported', resource_version: 1 }));
              await timed('outcomes', () => client.query(
                `UPDATE import_operations o
                    SET state = r.state, version = o.version + 1, last_modified_at = now(), locked_by = NULL, locked_until = NULL, resource_version = r.resource_version
                   FROM jsonb_to_recordset($2::jsonb) AS r(id uuid, state text, resource_version integer)
                  WHERE o.project_key = $1 AND o.id = ANY($3::uuid[]) AND o.id = r.id AND o.locked_by = $4 AND o.state = 'processing'`,
                [project, JSON.stringify(outcomes), claimed.map((op) => op.id), me],
              ));
              await timed('commit', () => client.query('COMMIT'));
            } catch (error) {
              await client.query('ROLLBACK');
              throw error;
            }
            rows += claimed.length;
          }
        }),
      );
    } finally {
      for (const client of clients) client.release();
    }
    const durationMs = nowMs() - started;
    const msPer1000 = Object.fromEntries(Object.entries(steps).map(([step, ms]) => [step, Math.round((ms / Math.max(rows, 1)) * 1000)]));
    return { rows, durationMs, rowsPerSecond: (rows / durationMs) * 1000, msPer1000 };
  }

  /** Deletes the floor's project (untimed), so later scenarios see the tables as they were. */
  async cleanup() {
    const project = this.project;
    await this.pool.query(`DELETE FROM import_operations WHERE project_key = $1`, [project]);
    await this.pool.query(`DELETE FROM import_containers WHERE project_key = $1`, [project]);
    await this.pool.query(`DELETE FROM products WHERE project_key = $1`, [project]); // variants and slugs cascade
    await this.pool.query(`DELETE FROM product_types WHERE project_key = $1`, [project]);
  }
}

module.exports = { SchemaFloor };

if (require.main === module) {
  (async () => {
    const arg = (name, fallback) => {
      const index = process.argv.indexOf(name);
      return index === -1 ? fallback : Number(process.argv[index + 1]);
    };
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    const floor = new SchemaFloor(pool);
    const total = arg('--drafts', 20_000);
    const drainers = arg('--drainers', 1);
    await floor.fill(total);
    const result = await floor.drain(drainers);
    console.log(JSON.stringify({ drafts: total, drainers, rowsPerSecond: Math.round(result.rowsPerSecond), seconds: +(result.durationMs / 1000).toFixed(1), msPer1000: result.msPer1000 }));
    await floor.cleanup();
    await pool.end();
  })().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
