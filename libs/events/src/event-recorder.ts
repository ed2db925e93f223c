import { EntityManager } from 'typeorm';
import { EVENT_COLUMNS, ImportEvent, ImportEventRow, NewEvent, toEventView } from './event-types';

/** Channel notified (at commit) with the project key whenever events of that project are recorded. */
export const EVENTS_CHANNEL = 'berth_events';

/** Advisory-lock class of the per-project event order (two-int form: class, hashtext(project)). */
export const EVENT_ORDER_LOCK_CLASS = 0x65767473; // 'evts'

/**
 * Records events in the caller's transaction: they commit (or roll back) with the change they describe.
 *
 * Per project, sequence numbers follow commit order: the transaction takes a transaction-scoped
 * advisory lock of the project's event order before it draws numbers, and holds it until it commits.
 * A reader that has seen sequence number N therefore never sees a smaller one commit later, so
 * `sequenceNumber > N` is a safe resume point for the SSE stream and webhook delivery. Events are
 * rare (containers, tasks, jobs, profiles — never one per operation), so the serialisation is cheap;
 * callers record events last in their transaction to keep the lock short.
 *
 * `manager` must be inside a transaction (`dataSource.transaction(...)`).
 */
export async function recordEvents(manager: EntityManager, events: NewEvent[]): Promise<ImportEvent[]> {
  if (events.length === 0) return [];
  const projects = [...new Set(events.map((event) => event.projectKey))].sort();
  for (const projectKey of projects) {
    await manager.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [EVENT_ORDER_LOCK_CLASS, projectKey]);
  }
  const rows = (await manager.query(
    `INSERT INTO import_events (project_key, type, resource_type_id, resource_key, resource_id, actor, data)
     SELECT e.project_key, e.type, e.resource_type_id, e.resource_key, e.resource_id, e.actor, e.data
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (project_key text, type text, resource_type_id text, resource_key text, resource_id text, actor text, data jsonb))
            WITH ORDINALITY AS e(project_key, type, resource_type_id, resource_key, resource_id, actor, data, ord)
      ORDER BY e.ord
     RETURNING ${EVENT_COLUMNS}`,
    [
      JSON.stringify(
        events.map((event) => ({
          project_key: event.projectKey,
          type: event.type,
          resource_type_id: event.resource.typeId,
          resource_key: event.resource.key ?? null,
          resource_id: event.resource.id ?? null,
          actor: event.actor ?? null,
          data: event.data ?? {},
        })),
      ),
    ],
  )) as ImportEventRow[];
  for (const projectKey of projects) await manager.query(`SELECT pg_notify($1, $2)`, [EVENTS_CHANNEL, projectKey]);
  return rows.map(toEventView).sort((a, b) => a.sequenceNumber - b.sequenceNumber);
}

/** Records one event in the caller's transaction (see `recordEvents`). */
export async function recordEvent(manager: EntityManager, event: NewEvent): Promise<ImportEvent> {
  const [recorded] = await recordEvents(manager, [event]);
  return recorded;
}
