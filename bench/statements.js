'use strict';
/**
 * Where Postgres spends a phase's time, by statement: when the server preloads pg_stat_statements
 * (`shared_preload_libraries=pg_stat_statements`, e.g. a DATABASE_URL server started for profiling),
 * `reset()` before a phase and `top()` after it give the statements by total execution time.
 * Without the extension both are no-ops (the embedded Postgres does not preload it).
 */
class StatementProfile {
  constructor(pool) {
    this.pool = pool;
    this.available = undefined;
  }

  async check() {
    if (this.available !== undefined) return this.available;
    try {
      await this.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await this.pool.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      this.available = true;
    } catch {
      this.available = false;
    }
    return this.available;
  }

  async reset() {
    if (await this.check()) await this.pool.query('SELECT pg_stat_statements_reset()');
  }

  /** The `limit` statements with most execution time since reset(), with their share and time per `per` operations. */
  async top(operations, limit = 12, per = 1000) {
    if (!(await this.check())) return undefined;
    const rows = (
      await this.pool.query(
        `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls::int, rows::bigint AS rows, total_exec_time AS ms
           FROM pg_stat_statements
          WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND query NOT ILIKE '%pg_stat_%' AND query NOT ILIKE '%pg_stat_activity%'
          ORDER BY total_exec_time DESC`,
      )
    ).rows;
    const total = rows.reduce((sum, row) => sum + row.ms, 0);
    const scale = operations > 0 ? per / operations : 0;
    return {
      totalExecMsPer1000: Math.round(total * scale),
      statements: rows.slice(0, limit).map((row) => ({
        share: Math.round((row.ms / Math.max(total, 1e-9)) * 1000) / 1000,
        msPer1000: Math.round(row.ms * scale * 10) / 10,
        callsPer1000: Math.round(row.calls * scale * 10) / 10,
        rows: Number(row.rows),
        query: row.query,
      })),
    };
  }
}

module.exports = { StatementProfile };
