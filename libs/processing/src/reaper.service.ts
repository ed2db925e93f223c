import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource, QueryRunner } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { reaperDeleted } from '../../common/src';

/** Rows deleted per statement; each statement is its own short transaction. */
export const REAPER_BATCH = 5000;
/** Advisory lock (session level, on the sweep's own connection) that makes the reaper a cluster-wide singleton. */
const REAPER_LOCK = `hashtext('berth:reaper')`;

export interface SweepResult {
  containersDeleted: number;
  operationsDeleted: number;
  skipped?: boolean;
}

/**
 * Deletes containers past their expiresAt (with their operations) and operations past their expiresAt.
 *
 * A sweep is a cluster-wide singleton: it holds a session-level advisory lock on one connection of its
 * own for the whole sweep (released when the sweep ends, or by Postgres when the process dies), and each
 * delete of at most REAPER_BATCH rows is its own short transaction, so a sweep never holds one long
 * transaction (no bloat, no long-held row locks, progress kept if it is cut short). A sweep runs until
 * nothing expired is left or its time budget (REAPER_MAX_SWEEP_SECONDS) is spent; the next tick goes on.
 */
@Injectable()
export class ReaperService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Reaper');

  constructor(
    private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerRegistry,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.workerRoles.includes('reaper')) return;
    const job = CronJob.from({
      cronTime: this.config.reaperCron,
      onTick: () => {
        this.sweepOnce().catch((error: unknown) => this.logger.error(`sweep failed: ${error instanceof Error ? error.message : String(error)}`));
      },
    });
    this.scheduler.addCronJob('reaper', job);
    job.start();
  }

  /** One sweep; `now` is injectable so tests control the clock. */
  async sweepOnce(now: Date = new Date(), budgetMs: number = this.config.reaperMaxSweepSeconds * 1000): Promise<SweepResult> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock(${REAPER_LOCK}) AS locked`)) as Array<{ locked: boolean }>;
      if (!locked) return { containersDeleted: 0, operationsDeleted: 0, skipped: true };
      try {
        return await this.sweepLocked(runner, now, Date.now() + budgetMs);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(${REAPER_LOCK})`);
      }
    } finally {
      await runner.release();
    }
  }

  private async sweepLocked(runner: QueryRunner, now: Date, deadline: number): Promise<SweepResult> {
    let containersDeleted = 0;
    let operationsDeleted = 0;
    const deleteBatch = async (sql: string, params: unknown[]): Promise<number> => {
      const [, count] = (await runner.query(sql, params)) as [unknown, number];
      operationsDeleted += count;
      return count;
    };
    // Expired operations, oldest first along the expires_at index.
    while (Date.now() < deadline) {
      const count = await deleteBatch(
        `DELETE FROM import_operations WHERE (project_key, id) IN (SELECT project_key, id FROM import_operations WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
        [now, REAPER_BATCH],
      );
      if (count < REAPER_BATCH) break;
    }
    // Expired containers: their operations go first, in batches, then the container itself.
    while (Date.now() < deadline) {
      const expired = (await runner.query(`SELECT project_key, id FROM import_containers WHERE expires_at <= $1 ORDER BY expires_at LIMIT 1`, [now])) as Array<{
        project_key: string;
        id: string;
      }>;
      if (expired.length === 0) break;
      const { project_key: projectKey, id } = expired[0];
      let remaining = true;
      while (remaining && Date.now() < deadline) {
        const count = await deleteBatch(
          `DELETE FROM import_operations WHERE (project_key, id) IN (SELECT project_key, id FROM import_operations WHERE project_key = $1 AND container_id = $2 LIMIT $3)`,
          [projectKey, id, REAPER_BATCH],
        );
        remaining = count === REAPER_BATCH;
      }
      if (remaining) break;
      await runner.query(`DELETE FROM import_containers WHERE project_key = $1 AND id = $2`, [projectKey, id]);
      containersDeleted++;
    }
    if (containersDeleted + operationsDeleted > 0) {
      await runner.query(`INSERT INTO reaper_runs (containers_deleted, operations_deleted) VALUES ($1, $2)`, [containersDeleted, operationsDeleted]);
      reaperDeleted.inc({ kind: 'container' }, containersDeleted);
      reaperDeleted.inc({ kind: 'operation' }, operationsDeleted);
      this.logger.log(`reaped ${containersDeleted} container(s) and ${operationsDeleted} operation(s)`);
    }
    return { containersDeleted, operationsDeleted };
  }
}
