import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource, QueryRunner } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { reaperDeleted } from '../../common/src';
import { NewEvent, recordEvents } from '../../events/src';
import { containerEvent, ImportContainerRow, toContainerView } from '../../import/src/containers/import-containers.service';
import { deleteContainerOperations, deleteExpiredOperations } from '../../queue/src';

/** Rows deleted per statement; each statement is its own short transaction. */
export const REAPER_BATCH = 5000;
/** Advisory lock (session level, on the sweep's own connection) that makes the reaper a cluster-wide singleton. */
const REAPER_LOCK = `hashtext('berth:reaper')`;

export interface SweepResult {
  containersDeleted: number;
  operationsDeleted: number;
  /** Events older than EVENTS_TTL deleted (present when > 0). */
  eventsDeleted?: number;
  skipped?: boolean;
}

/**
 * Deletes containers past their expiresAt (with their operations), operations past their expiresAt,
 * and events older than EVENTS_TTL.
 *
 * A sweep is a cluster-wide singleton: it holds a session-level advisory lock on one connection of its
 * own for the whole sweep (released when the sweep ends, or by Postgres when the process dies), and each
 * delete of at most REAPER_BATCH rows is its own short transaction, so a sweep never holds one long
 * transaction (no bloat, no long-held row locks, progress kept if it is cut short). A sweep runs until
 * nothing expired is left or its time budget (REAPER_MAX_SWEEP_SECONDS) is spent; the next tick goes on.
 * A reaped container's ImportContainerDeleted event (no actor, `reason: 'expired'`) is recorded in the
 * transaction that deletes the container.
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
    const counted = (count: number): number => {
      operationsDeleted += count;
      return count;
    };
    // Expired operations, oldest first along the expires_at index.
    while (Date.now() < deadline) {
      const count = counted(await deleteExpiredOperations(runner, now, REAPER_BATCH));
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
        const count = counted(await deleteContainerOperations(runner, projectKey, id, REAPER_BATCH));
        remaining = count === REAPER_BATCH;
      }
      if (remaining) break;
      await runner.startTransaction();
      try {
        const [deleted] = (await runner.query(
          `DELETE FROM import_containers WHERE project_key = $1 AND id = $2 RETURNING id, key, resource_type, version, retention_policy, expires_at, created_at, last_modified_at`,
          [projectKey, id],
        )) as [ImportContainerRow[], number];
        const events: NewEvent[] = deleted.map((row) => {
          const event = containerEvent(projectKey, 'ImportContainerDeleted', toContainerView(row));
          return { ...event, data: { ...event.data, reason: 'expired' } };
        });
        await recordEvents(runner.manager, events);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction();
        throw error;
      }
      containersDeleted++;
    }
    // Events past their retention, oldest first.
    let eventsDeleted = 0;
    const eventsBefore = new Date(now.getTime() - this.config.eventsTtlMs);
    while (Date.now() < deadline) {
      const [, count] = (await runner.query(
        `DELETE FROM import_events WHERE (project_key, sequence_number) IN (SELECT project_key, sequence_number FROM import_events WHERE created_at < $1 LIMIT $2)`,
        [eventsBefore, REAPER_BATCH],
      )) as [unknown, number];
      eventsDeleted += count;
      if (count < REAPER_BATCH) break;
    }
    if (eventsDeleted > 0) {
      reaperDeleted.inc({ kind: 'event' }, eventsDeleted);
      this.logger.log(`reaped ${eventsDeleted} event(s) older than ${eventsBefore.toISOString()}`);
    }
    if (containersDeleted + operationsDeleted > 0) {
      await runner.query(`INSERT INTO reaper_runs (containers_deleted, operations_deleted) VALUES ($1, $2)`, [containersDeleted, operationsDeleted]);
      reaperDeleted.inc({ kind: 'container' }, containersDeleted);
      reaperDeleted.inc({ kind: 'operation' }, operationsDeleted);
      this.logger.log(`reaped ${containersDeleted} container(s) and ${operationsDeleted} operation(s)`);
    }
    return { containersDeleted, operationsDeleted, ...(eventsDeleted > 0 ? { eventsDeleted } : {}) };
  }
}
