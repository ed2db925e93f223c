import { FreshStatistics } from '../../libs/database/src';
import { createTestApp, TestApp } from '../support/test-app';

/** The processor keeps the statistics of domain tables fresh while a bulk import fills them (see FreshStatistics). */
describe('fresh statistics', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Inserts `rows` inventory entries of a project in one session and flushes its statistics counters at once. */
  const fill = async (projectKey: string, rows: number) => {
    await t.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO inventory_entries (project_key, key, data, sku) SELECT $1, 'k' || g, '{}'::jsonb, 's' || g FROM generate_series(1, $2::int) g`,
        [projectKey, rows],
      );
    });
    const runner = t.dataSource.createQueryRunner();
    try {
      await runner.query(`SELECT pg_stat_force_next_flush()`);
    } finally {
      await runner.release();
    }
  };
  const analysedAt = async (table: string) =>
    ((await t.dataSource.query(`SELECT coalesce(last_analyze, last_autoanalyze) AS at FROM pg_stat_user_tables WHERE relname = $1`, [table])) as Array<{ at: Date | null }>)[0].at;

  it('analyses a domain table once it changed by enough rows, not before, and at most once per interval', async () => {
    const statistics = new FreshStatistics(t.dataSource, 5000, 1000, 0.1);
    await fill('stats-a', 400);
    expect(await statistics.refresh(1_000)).toEqual([]);
    await fill('stats-b', 1200);
    // Within the interval of the last check: not even asked.
    expect(await statistics.refresh(2_000)).toEqual([]);
    // Flushed counters can take a moment to be visible to another session: the next checks see them.
    let analysed: string[] = [];
    for (let now = 10_000; analysed.length === 0 && now < 10_000 + 50 * 5000; now += 5000) {
      analysed = await statistics.refresh(now);
      if (analysed.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(analysed).toContain('inventory_entries');
    expect(await analysedAt('inventory_entries')).not.toBeNull();
    // Statistics now know the project: estimates for it are no longer those of an empty project.
    const [plan] = (await t.dataSource.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM inventory_entries WHERE project_key = 'stats-b'`)) as Array<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>;
    expect(plan['QUERY PLAN'][0].Plan['Plan Rows']).toBeGreaterThan(500);
  });
});
