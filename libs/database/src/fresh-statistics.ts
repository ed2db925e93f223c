import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isConnectionError } from './connection-errors';

/** Tables whose statistics autovacuum keeps (queues and logs, read by paths that do not depend on per-project estimates). */
const LEFT_TO_AUTOVACUUM = [
  'import_operations',
  'import_operation_waits',
  'import_events',
  'file_import_records',
  'subscription_deliveries',
  'import_summary_counts',
  'import_container_activity',
  'migrations',
];

/** Class id of the advisory locks that keep two workers from analysing one table at once. */
const ANALYZE_LOCK_CLASS = 0x616e6c7a; // 'anlz'

/**
 * Keeps the planner's statistics of the domain tables fresh while a bulk import fills them.
 *
 * A project that imports its first 100k products into `products`, `product_slugs` and `product_variants` runs with
 * statistics taken before its rows existed: the planner believes the project holds a row or two and reads an index by
 * `project_key` alone — every row of the project — instead of the index on (project_key, slug) or (project_key, sku).
 * The SKU and slug clash lookups then cost 12–42 ms per batch and grow with the project (measured in the bench:
 * 100k drafts drained at half the speed of 6k). Autovacuum would analyse the tables, but only on its own schedule
 * (autovacuum_naptime, a minute by default) and by table-wide thresholds. So the processor, at most every
 * `intervalMs`, asks Postgres which domain tables changed by at least `minChanges` rows and `fraction` of their
 * size since they were last analysed, and analyses those — each under a try-lock, so concurrent workers do it once.
 */
export class FreshStatistics {
  private readonly logger = new Logger('Statistics');
  private nextCheck = 0;
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly intervalMs = 5000,
    private readonly minChanges = 5000,
    private readonly fraction = 0.1,
  ) {}

  /** Analyses the tables that need it, unless checked less than `intervalMs` ago. Returns the tables analysed. */
  async refresh(now = Date.now()): Promise<string[]> {
    if (this.running || now < this.nextCheck) return [];
    this.running = true;
    this.nextCheck = now + this.intervalMs;
    try {
      const stale = (await this.dataSource.query(
        `SELECT relname FROM pg_stat_user_tables
          WHERE schemaname = current_schema() AND NOT (relname = ANY($1::text[]))
            AND n_mod_since_analyze >= GREATEST($2::bigint, ($3::float8 * n_live_tup)::bigint)
          ORDER BY n_mod_since_analyze DESC`,
        [LEFT_TO_AUTOVACUUM, this.minChanges, this.fraction],
      )) as Array<{ relname: string }>;
      const analysed: string[] = [];
      for (const { relname } of stale) {
        if (!/^[a-z_][a-z0-9_]*$/.test(relname)) continue;
        const done = await this.dataSource.transaction(async (manager) => {
          const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`, [ANALYZE_LOCK_CLASS, relname])) as Array<{ locked: boolean }>;
          if (!locked) return false;
          await manager.query(`ANALYZE ${relname}`);
          return true;
        });
        if (done) analysed.push(relname);
      }
      if (analysed.length > 0) this.logger.debug(`analysed ${analysed.join(', ')}`);
      return analysed;
    } catch (error) {
      // Statistics only: the next check tries again.
      if (!isConnectionError(error)) this.logger.warn(`refreshing statistics failed: ${error instanceof Error ? error.message : String(error)}`);
      return [];
    } finally {
      this.running = false;
    }
  }
}
