import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { recordEvent } from '../../../events/src';
import { containersWithoutOpenOperations, markContainerFinished } from '../../../queue/src';
import { ContainerStatusRow, STATUS_SQL, toStatusView } from './container-status.service';

const logger = new Logger('ContainerFinished');

/**
 * `ImportContainerFinished`: after the processor settled a batch, for the containers of the batch whose
 * operations are now all final (none `processing`, `unresolved` or `waitForMasterVariant`; canceled
 * containers excluded: they have ImportContainerCanceled), records the event once per finish.
 *
 * Cost on the processor's path: ONE statement per batch (the check below, three index probes per container
 * of the batch). Only a container that looks finished goes on, in a transaction of its own:
 *
 * 1. lock its `import_container_activity` row (concurrent checks of the same container queue here);
 * 2. in ONE statement (one snapshot): re-check that every operation is final, and that the batch's outcome
 *    is new — the transactions that settled the batch's operations (their rows' `xmin`) are not visible in
 *    `finished_snapshot`, the snapshot at which the last Finished was recorded. If so, store the current
 *    snapshot as `finished_snapshot`;
 * 3. record the event (data: the container status) in the same transaction.
 *
 * Why exactly once: of two workers that settled the container's last operations, the one that locks second
 * finds its batch already visible in the snapshot the first stored, and records nothing. A container that
 * gets new operations later finishes again: the batch settling them committed after that snapshot, so the
 * event is recorded again. Neither depends on the order in which sequence numbers or clocks were read.
 * (The outcome rows must be written by the settling transaction itself, not a savepoint of it: a
 * subtransaction id would not show as in progress in a snapshot. The processor's recordAll() is top-level.)
 *
 * Best effort like touchProcessed(): a failure is logged and the processor goes on.
 */
export async function recordFinishedContainers(dataSource: DataSource, operations: ReadonlyArray<{ project_key: string; id: string; container_id: string }>): Promise<number> {
  if (operations.length === 0) return 0;
  const byContainer = new Map<string, { projectKey: string; containerId: string; operationIds: string[] }>();
  for (const operation of operations) {
    const id = `${operation.project_key}/${operation.container_id}`;
    const entry = byContainer.get(id) ?? { projectKey: operation.project_key, containerId: operation.container_id, operationIds: [] };
    entry.operationIds.push(operation.id);
    byContainer.set(id, entry);
  }
  const containers = [...byContainer.values()];
  let recorded = 0;
  try {
    const candidates = await containersWithoutOpenOperations(dataSource, containers);
    for (const candidate of candidates) {
      const container = byContainer.get(`${candidate.project_key}/${candidate.id}`)!;
      if (await recordFinished(dataSource, container.projectKey, container.containerId, container.operationIds)) recorded++;
    }
  } catch (error) {
    logger.warn(`checking finished containers failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return recorded;
}

async function recordFinished(dataSource: DataSource, projectKey: string, containerId: string, operationIds: string[]): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    const locked = (await manager.query(
      `INSERT INTO import_container_activity AS a (project_key, container_id, started_at, last_processed_at)
       SELECT project_key, id, now(), now() FROM import_containers WHERE project_key = $1 AND id = $2
       ON CONFLICT (project_key, container_id) DO UPDATE SET finished_at = a.finished_at
       RETURNING 1`,
      [projectKey, containerId],
    )) as unknown[];
    if (locked.length === 0) return false;
    // A new statement, so a new snapshot: it sees what a check that held the lock before us committed.
    const key = await markContainerFinished(manager, projectKey, containerId, operationIds);
    if (key === undefined) return false;
    const [row] = (await manager.query(STATUS_SQL(false), [projectKey, key])) as ContainerStatusRow[];
    await recordEvent(manager, {
      projectKey,
      type: 'ImportContainerFinished',
      resource: { typeId: 'import-container', key: row.key },
      data: { ...toStatusView(row) },
    });
    return true;
  });
}
