import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { reaperDeleted } from '../../common/src';
import { NewEvent, recordEvents } from '../../events/src';
import { containerEvent, ImportContainerRow, toContainerView } from '../../import/src/containers/import-containers.service';

const BATCH = 1000;
const MAX_BATCHES_PER_SWEEP = 100;

export interface SweepResult {
  containersDeleted: number;
  operationsDeleted: number;
  /** Events older than EVENTS_TTL deleted (present when > 0). */
  eventsDeleted?: number;
  skipped?: boolean;
}

/**
 * Deletes containers past their expiresAt (with their operations) and operations past their
 * expiresAt, and events older than EVENTS_TTL, in bounded batches, as a cluster-wide singleton under
 * pg_try_advisory_xact_lock. A reaped container gets its ImportContainerDeleted event (no actor, `reason:
 * 'expired'`), recorded at the end of the sweep so the project's event-order lock is held only until the commit.
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
  async sweepOnce(now: Date = new Date()): Promise<SweepResult> {
    return this.dataSource.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('berth:reaper')) AS locked`)) as Array<{ locked: boolean }>;
      if (!locked) return { containersDeleted: 0, operationsDeleted: 0, skipped: true };
      let containersDeleted = 0;
      let operationsDeleted = 0;
      const deletedContainers: NewEvent[] = [];
      for (let i = 0; i < MAX_BATCHES_PER_SWEEP; i++) {
        const [, count] = (await manager.query(
          `DELETE FROM import_operations WHERE (project_key, id) IN (SELECT project_key, id FROM import_operations WHERE expires_at <= $1 LIMIT $2)`,
          [now, BATCH],
        )) as [unknown, number];
        operationsDeleted += count;
        if (count < BATCH) break;
      }
      for (let i = 0; i < MAX_BATCHES_PER_SWEEP; i++) {
        // A container's operations go first, in batches, then the container itself.
        const expired = (await manager.query(`SELECT project_key, id FROM import_containers WHERE expires_at <= $1 ORDER BY expires_at LIMIT 1`, [now])) as Array<{
          project_key: string;
          id: string;
        }>;
        if (expired.length === 0) break;
        const { project_key: projectKey, id } = expired[0];
        let remaining = true;
        for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP && remaining; batch++) {
          const [, count] = (await manager.query(
            `DELETE FROM import_operations WHERE (project_key, id) IN (SELECT project_key, id FROM import_operations WHERE project_key = $1 AND container_id = $2 LIMIT $3)`,
            [projectKey, id, BATCH],
          )) as [unknown, number];
          operationsDeleted += count;
          remaining = count === BATCH;
        }
        if (remaining) break;
        const [deleted] = (await manager.query(
          `DELETE FROM import_containers WHERE project_key = $1 AND id = $2 RETURNING id, key, resource_type, version, retention_policy, expires_at, created_at, last_modified_at`,
          [projectKey, id],
        )) as [ImportContainerRow[], number];
        for (const row of deleted) {
          const event = containerEvent(projectKey, 'ImportContainerDeleted', toContainerView(row));
          deletedContainers.push({ ...event, data: { ...event.data, reason: 'expired' } });
        }
        containersDeleted++;
      }
      let eventsDeleted = 0;
      const eventsBefore = new Date(now.getTime() - this.config.eventsTtlMs);
      for (let i = 0; i < MAX_BATCHES_PER_SWEEP; i++) {
        const [, count] = (await manager.query(
          `DELETE FROM import_events WHERE (project_key, sequence_number) IN (SELECT project_key, sequence_number FROM import_events WHERE created_at < $1 LIMIT $2)`,
          [eventsBefore, BATCH],
        )) as [unknown, number];
        eventsDeleted += count;
        if (count < BATCH) break;
      }
      if (eventsDeleted > 0) {
        reaperDeleted.inc({ kind: 'event' }, eventsDeleted);
        this.logger.log(`reaped ${eventsDeleted} event(s) older than ${eventsBefore.toISOString()}`);
      }
      await recordEvents(manager, deletedContainers);
      if (containersDeleted + operationsDeleted > 0) {
        await manager.query(`INSERT INTO reaper_runs (containers_deleted, operations_deleted) VALUES ($1, $2)`, [containersDeleted, operationsDeleted]);
        reaperDeleted.inc({ kind: 'container' }, containersDeleted);
        reaperDeleted.inc({ kind: 'operation' }, operationsDeleted);
        this.logger.log(`reaped ${containersDeleted} container(s) and ${operationsDeleted} operation(s)`);
      }
      return { containersDeleted, operationsDeleted, ...(eventsDeleted > 0 ? { eventsDeleted } : {}) };
    });
  }
}
