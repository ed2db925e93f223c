import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { HttpStatus } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CtException, InvalidInput } from '../../../common/src';
import { EventType, recordEvent } from '../../../events/src';
import { cancelOpenOperations, hasOpenOperations, parkContainerOperations, resumeContainerOperations } from '../../../queue/src';
import { ContainerState, ContainerStatusService, ContainerStatusView, ProcessingControlState, toStatusView } from './container-status.service';
import { containerNotFound } from './import-containers.service';

export const CONTAINER_TASKS = ['pause', 'resume', 'cancel'] as const;
export type ContainerTask = (typeof CONTAINER_TASKS)[number];

const TASK_EVENTS: Record<ContainerTask, EventType> = { pause: 'ImportContainerPaused', resume: 'ImportContainerResumed', cancel: 'ImportContainerCanceled' };

/** Operations canceled per transaction: a huge container is canceled in many short transactions, never one giant one. */
export const CANCEL_BATCH_SIZE = 10_000;

const PG_DEADLOCK = '40P01';

/** A transition the container's current state does not allow: 409 InvalidOperation naming that state. */
export class InvalidTransition extends CtException {
  constructor(task: ContainerTask, key: string, state: ContainerState) {
    const why =
      state === 'canceled' ? 'it is canceled' : task === 'resume' ? `it is not paused (state '${state}')` : `its state is '${state}'`;
    const message = `The import container '${key}' cannot be ${task === 'pause' ? 'paused' : task === 'resume' ? 'resumed' : 'canceled'}: ${why}.`;
    super(HttpStatus.CONFLICT, [{ code: 'InvalidOperation', message, currentState: state }], message);
  }
}

/** Which task is allowed from which reported state. */
export function allowed(task: ContainerTask, state: ContainerState): boolean {
  switch (task) {
    case 'pause':
      return state !== 'paused' && state !== 'canceled';
    case 'resume':
      return state === 'paused';
    case 'cancel':
      return state !== 'canceled' && state !== 'finished' && state !== 'finishedWithErrors';
  }
}

/**
 * pause / resume / cancel of one import container.
 *
 * A task locks the container row (FOR UPDATE), checks the transition against the state `GET …/status`
 * reports, sets `processing_state` and records the task, in one transaction. The claim skips operations
 * of containers that are not `active`; the accept statement refuses requests for `canceled` ones. As the
 * accept holds the container row FOR SHARE until it commits, a cancel's mark waits for accepts in flight
 * and every later accept sees `canceled`: no operation is accepted into a canceled container.
 *
 * Cancel then moves the open operations to `canceled` in batches of CANCEL_BATCH_SIZE, each its own
 * transaction. Each batch locks its rows FOR UPDATE (no SKIP LOCKED): it waits for an operation being
 * settled, and Postgres re-checks `state IN (open states)` on the committed row, so an applied operation
 * stays `imported` and a canceled one is never applied (settle() re-checks `state = 'processing'` under its
 * own FOR UPDATE). When the sweep is done `cancel_completed_at` is set; a sweep cut short (crash) is
 * finished at the next start-up of an API process.
 */
@Injectable()
export class ContainerTasksService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ContainerTasks');

  constructor(
    private readonly dataSource: DataSource,
    private readonly status: ContainerStatusService,
  ) {}

  onApplicationBootstrap(): void {
    // Not awaited: start-up never waits for (or fails on) this.
    setImmediate(() => void this.completeInterruptedCancels().catch(() => undefined));
  }

  async run(projectKey: string, key: string, body: unknown, clientId: string | undefined): Promise<ContainerStatusView> {
    const task = parseTask(body);
    const { id, from } = await this.dataSource.transaction(async (manager) => {
      const row = await this.status.findRow(projectKey, key, manager, true);
      if (!row) throw containerNotFound(key);
      const current = toStatusView(row).state;
      if (!allowed(task, current)) throw new InvalidTransition(task, key, current);
      const next: ProcessingControlState = task === 'pause' ? 'paused' : task === 'resume' ? 'active' : 'canceled';
      await manager.query(
        `UPDATE import_containers
            SET processing_state = $3,
                paused_at = CASE WHEN $3 = 'paused' THEN now() ELSE NULL END,
                canceled_at = CASE WHEN $3 = 'canceled' THEN now() ELSE canceled_at END
          WHERE project_key = $1 AND id = $2`,
        [projectKey, row.id, next],
      );
      // The to-state: what the status reports right after the task (for resume, derived from the counts).
      const to = next === 'paused' ? 'paused' : next === 'canceled' ? 'canceled' : toStatusView({ ...row, processing_state: 'active' }).state;
      await manager.query(
        `INSERT INTO import_container_tasks (project_key, container_id, container_key, task, from_state, to_state, client_id) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [projectKey, row.id, row.key, task, current, to, clientId ?? null],
      );
      // Pause parks the container's pending operations out of the processor's claim window (run_at =
      // infinity; accepts into a paused container park theirs too), so a paused backlog of any size never
      // crowds out other containers; resume puts them back (due now) and wakes the workers at commit.
      if (task === 'pause') await parkContainerOperations(manager, projectKey, row.id);
      if (task === 'resume') await resumeContainerOperations(manager, projectKey, row.id);
      await recordEvent(manager, {
        projectKey,
        type: TASK_EVENTS[task],
        resource: { typeId: 'import-container', key: row.key },
        actor: clientId,
        data: { key: row.key, task, fromState: current, toState: to },
      });
      return { id: row.id, from: current };
    });
    if (task === 'cancel') {
      const canceled = await this.sweep(projectKey, id);
      this.logger.log(`container ${projectKey}/${key} canceled (was ${from}): ${canceled} operation(s) canceled`);
    }
    return this.status.status(projectKey, key);
  }

  /** Moves every open operation of a canceled container to `canceled`, batch by batch; returns how many. */
  async sweep(projectKey: string, containerId: string, batchSize = CANCEL_BATCH_SIZE): Promise<number> {
    let total = 0;
    for (;;) {
      let count: number;
      try {
        count = await cancelOpenOperations(this.dataSource, projectKey, { column: 'container_id', id: containerId }, batchSize);
      } catch (error) {
        // A wake-up of waiting operations may lock some of the same rows in another order: retry the batch.
        if ((error as { code?: string }).code === PG_DEADLOCK) continue;
        throw error;
      }
      total += count;
      if (count > 0) continue;
      // Rows that were applied while the batch waited for them drop out of it; stop only when none is left.
      if (!(await hasOpenOperations(this.dataSource, projectKey, containerId))) break;
    }
    await this.dataSource.query(
      `UPDATE import_containers SET cancel_completed_at = now() WHERE project_key = $1 AND id = $2 AND processing_state = 'canceled' AND cancel_completed_at IS NULL`,
      [projectKey, containerId],
    );
    return total;
  }

  /** Finishes cancels whose sweep was cut short (the process died mid-way). */
  async completeInterruptedCancels(): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT project_key, id FROM import_containers WHERE processing_state = 'canceled' AND cancel_completed_at IS NULL`,
    )) as Array<{ project_key: string; id: string }>;
    let total = 0;
    for (const row of rows) total += await this.sweep(row.project_key, row.id);
    if (rows.length > 0) this.logger.log(`completed ${rows.length} interrupted cancel(s): ${total} operation(s) canceled`);
    return total;
  }
}

function parseTask(body: unknown): ContainerTask {
  const task = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).task : undefined;
  if (task === undefined) throw new InvalidInput(`The request body must contain 'task': one of ${CONTAINER_TASKS.join(', ')}.`);
  if (typeof task !== 'string' || !(CONTAINER_TASKS as readonly string[]).includes(task)) {
    throw new InvalidInput(`The value ${JSON.stringify(task)} is not valid for field 'task': expected one of ${CONTAINER_TASKS.join(', ')}.`);
  }
  return task as ContainerTask;
}
