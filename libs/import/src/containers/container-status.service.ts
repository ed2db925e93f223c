import { Injectable } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DataSource, EntityManager } from 'typeorm';
import { FINAL_STATES } from '../../../queue/src/states';
import { containerNotFound } from './import-containers.service';

/** What a task sets on the container row; the claim skips every container that is not `active`. */
export type ProcessingControlState = 'active' | 'paused' | 'canceled';

/** The container's state as `GET …/status` reports it. */
export const CONTAINER_STATES = ['ready', 'running', 'waiting', 'paused', 'canceled', 'finished', 'finishedWithErrors'] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

export class ContainerStatusCounts {
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'Operations in state `processing`' }) processing!: number;
  @ApiProperty({ description: '`unresolved` + `waitForMasterVariant`' }) waiting!: number;
  @ApiProperty() imported!: number;
  @ApiProperty({ description: '`validationFailed` + `rejected`' }) errors!: number;
  @ApiProperty() canceled!: number;
}

export class ContainerStatusView {
  @ApiProperty() key!: string;
  @ApiProperty({ enum: CONTAINER_STATES }) state!: ContainerState;
  @ApiProperty({ type: ContainerStatusCounts }) counts!: ContainerStatusCounts;
  @ApiProperty({ description: 'Operations in a final state / total (0 for an empty container)', minimum: 0, maximum: 1 }) progress!: number;
  @ApiPropertyOptional({ description: 'When the processor first settled an operation of the container' }) startedAt?: string;
  @ApiPropertyOptional({ description: 'When the processor last settled operations of the container (to about a second)' }) lastProcessedAt?: string;
  @ApiPropertyOptional({ description: 'When the last operation reached a final state (finished, finishedWithErrors) or the cancel completed (canceled)' })
  finishedAt?: string;
  @ApiPropertyOptional({ description: 'Present while paused' }) pausedAt?: string;
  @ApiPropertyOptional() canceledAt?: string;
}

export interface ContainerStatusRow {
  project_key: string;
  id: string;
  key: string;
  processing_state: ProcessingControlState;
  paused_at: Date | null;
  canceled_at: Date | null;
  cancel_completed_at: Date | null;
  started_at: Date | null;
  last_processed_at: Date | null;
  /** Operation counts by ProcessingState, from the sharded counters (at most 8 × 16 rows summed). */
  counts: Record<string, number | string>;
}

/**
 * One round trip, O(1) in the container's size: the container row, its activity row and the sharded
 * summary counters. `lock` takes the container row FOR NO KEY UPDATE (tasks serialise on it,
 * accepts in flight — FOR SHARE — are waited for).
 */
export const STATUS_SQL = (lock: boolean) => `
  SELECT c.project_key, c.id, c.key, c.processing_state, c.paused_at, c.canceled_at, c.cancel_completed_at, a.started_at, a.last_processed_at,
         COALESCE((SELECT jsonb_object_agg(x.state, x.n)
                     FROM (SELECT s.state, sum(s.count) AS n FROM import_summary_counts s
                            WHERE s.project_key = c.project_key AND s.container_id = c.id GROUP BY s.state) x), '{}'::jsonb) AS counts
    FROM import_containers c
    LEFT JOIN import_container_activity a ON a.project_key = c.project_key AND a.container_id = c.id
   WHERE c.project_key = $1 AND c.key = $2
   ${lock ? 'FOR NO KEY UPDATE OF c' : ''}`;

/** Derives the reported state and counts (pure; shared by the status, the tasks and the metrics). */
export function toStatusView(row: ContainerStatusRow): ContainerStatusView {
  const n = (state: string) => Number(row.counts[state] ?? 0);
  const total = Object.values(row.counts).reduce<number>((sum, count) => sum + Number(count), 0);
  const counts: ContainerStatusCounts = {
    total,
    processing: n('processing'),
    waiting: n('unresolved') + n('waitForMasterVariant'),
    imported: n('imported'),
    errors: n('validationFailed') + n('rejected'),
    canceled: n('canceled'),
  };
  const final = FINAL_STATES.reduce((sum, state) => sum + n(state), 0);
  const state = containerState(row.processing_state, counts);
  const finishedAt =
    state === 'canceled' ? row.cancel_completed_at : state === 'finished' || state === 'finishedWithErrors' ? (row.last_processed_at ?? row.cancel_completed_at) : null;
  return {
    key: row.key,
    state,
    counts,
    progress: total === 0 ? 0 : final / total,
    ...(row.started_at ? { startedAt: row.started_at.toISOString() } : {}),
    ...(row.last_processed_at ? { lastProcessedAt: row.last_processed_at.toISOString() } : {}),
    ...(finishedAt ? { finishedAt: finishedAt.toISOString() } : {}),
    ...(row.paused_at && row.processing_state === 'paused' ? { pausedAt: row.paused_at.toISOString() } : {}),
    ...(row.canceled_at ? { canceledAt: row.canceled_at.toISOString() } : {}),
  };
}

export function containerState(control: ProcessingControlState, counts: ContainerStatusCounts): ContainerState {
  if (control === 'canceled') return 'canceled';
  if (control === 'paused') return 'paused';
  if (counts.total === 0) return 'ready';
  if (counts.processing > 0) return 'running';
  if (counts.waiting > 0) return 'waiting';
  return counts.errors > 0 ? 'finishedWithErrors' : 'finished';
}

/** Activity rows are rewritten at most once per this many seconds per container (coarse lastProcessedAt). */
export const ACTIVITY_GRANULARITY_SECONDS = 1;

/**
 * Per-batch bookkeeping of the processor: sets `startedAt` (first time) and `lastProcessedAt` (coarse, at
 * most one write per container per second) for the containers of the settled operations. ONE statement
 * per batch, never per operation; containers are upserted in key order, so concurrent workers do not
 * deadlock on the activity rows. Best effort: a failure (e.g. the container was just deleted) is ignored.
 *
 * The containers come with the claimed operations, so this is an upsert of the batch's few containers.
 */
export async function touchProcessed(runner: DataSource | EntityManager, operations: ReadonlyArray<{ project_key: string; container_id: string }>): Promise<void> {
  const containers = new Map(operations.map((o) => [`${o.project_key}/${o.container_id}`, o]));
  if (containers.size === 0) return;
  try {
    await runner.query(
      `INSERT INTO import_container_activity AS a (project_key, container_id, started_at, last_processed_at)
       SELECT c.project_key, c.id, now(), now()
         FROM import_containers c JOIN unnest($1::text[], $2::uuid[]) AS t(project_key, id) ON c.project_key = t.project_key AND c.id = t.id
        ORDER BY 1, 2
       ON CONFLICT (project_key, container_id) DO UPDATE SET last_processed_at = EXCLUDED.last_processed_at
        WHERE a.last_processed_at < EXCLUDED.last_processed_at - make_interval(secs => $3)`,
      [[...containers.values()].map((o) => o.project_key), [...containers.values()].map((o) => o.container_id), ACTIVITY_GRANULARITY_SECONDS],
    );
  } catch {
    // Bookkeeping only: the status shows a slightly older lastProcessedAt.
  }
}

export interface ContainerStateTotals {
  /** Containers by reported state. */
  containers: Record<ContainerState, number>;
  /** Operations by the reported state of their container. */
  operations: Record<ContainerState, number>;
}

@Injectable()
export class ContainerStatusService {
  constructor(private readonly dataSource: DataSource) {}

  async findRow(projectKey: string, key: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<ContainerStatusRow | undefined> {
    const rows = (await manager.query(STATUS_SQL(lock), [projectKey, key])) as ContainerStatusRow[];
    return rows[0];
  }

  async status(projectKey: string, key: string): Promise<ContainerStatusView> {
    const row = await this.findRow(projectKey, key);
    if (!row) throw containerNotFound(key);
    return toStatusView(row);
  }

  /** For the metrics: containers and their operations by container state, over all projects (one pass over the counters). */
  async totals(): Promise<ContainerStateTotals> {
    const rows = (await this.dataSource.query(
      `SELECT c.processing_state, COALESCE(x.counts, '{}'::jsonb) AS counts
         FROM import_containers c
         LEFT JOIN (SELECT project_key, container_id, jsonb_object_agg(state, n) AS counts
                      FROM (SELECT project_key, container_id, state, sum(count) AS n FROM import_summary_counts GROUP BY 1, 2, 3) s
                     GROUP BY 1, 2) x ON x.project_key = c.project_key AND x.container_id = c.id`,
    )) as Array<Pick<ContainerStatusRow, 'processing_state' | 'counts'>>;
    const zero = () => Object.fromEntries(CONTAINER_STATES.map((state) => [state, 0])) as Record<ContainerState, number>;
    const totals: ContainerStateTotals = { containers: zero(), operations: zero() };
    for (const row of rows) {
      const view = toStatusView({ ...row, project_key: '', id: '', key: '', paused_at: null, canceled_at: null, cancel_completed_at: null, started_at: null, last_processed_at: null });
      totals.containers[view.state]++;
      totals.operations[view.state] += view.counts.total;
    }
    return totals;
  }
}
