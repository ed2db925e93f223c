import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../../config/src';
import { BadRequest, ErrorObject } from '../../../common/src';
import { ResourceTypeInfo } from '../resource-types';
import { ImportResourceType, resourceKeyOf, validateImportRequest } from '../validation/import-request.validator';
import { ImportResponseView } from './import-operation.views';

/** Channel the processor LISTENs on; notified (at commit) whenever new operations are accepted. */
export const OPERATIONS_CHANNEL = 'berth_operations';

/**
 * Class id of the accept-order advisory locks (two-int form: a lock space of its own, apart from the
 * processor's single-bigint reference locks).
 */
export const ACCEPT_ORDER_LOCK_CLASS = 0x62657274; // 'bert'

/**
 * The accept statement (see accept() for what it guarantees), as a named prepared statement: pg parses it on each
 * connection's first use only, and later requests send just the parameters — Postgres skips parsing this large
 * statement on every request (and planning, once it settles on the cached plan). Same text, so same semantics; the
 * text is constant (the lock class is inlined at load).
 * TypeORM's query() hands its first argument to pg's client.query unchanged, which takes a `{name, text}` config.
 */
/**
 * The text of the accept statement. One builder for both callers, so the per-key order (the advisory locks, then
 * clock_timestamp() and nextval while they are held), the container checks and the parking of a paused container's
 * operations are the same whoever stores operations:
 * - an import request: the container by key ($2); $1 project, $3 type, $4 TTL hours, $5 ids, $6 keys, $7 payloads, $8 channel;
 * - a file import: the container by id ($2), and each operation linked to its job ($9) and rows ($11), $10 the container key.
 */
function acceptStatementText(fileImport: boolean): string {
  const link = fileImport
    ? { columns: ', file_import_id, file_import_rows', values: ', $9, item.rows', source: ', unnest($11::int[])', item: 'item(id, resource_key, payload, rows, position)' }
    : { columns: '', values: '', source: '', item: 'item(id, resource_key, payload, position)' };
  return `WITH container AS (
     SELECT id, resource_type, processing_state FROM import_containers WHERE project_key = $1 AND ${fileImport ? 'id' : 'key'} = $2 FOR SHARE),
   key_locks AS MATERIALIZED (
     SELECT count(pg_advisory_xact_lock(${ACCEPT_ORDER_LOCK_CLASS}, k.lock_id)) AS locked
       FROM (SELECT DISTINCT hashtext($1 || '/' || $3 || '/' || key) AS lock_id FROM unnest($6::text[]) AS key ORDER BY 1) k),
   accepted AS MATERIALIZED (
     SELECT clock_timestamp() AS at FROM key_locks),
   inserted AS (
     INSERT INTO import_operations (project_key, id, container_id, container_key, resource_type, resource_key, payload, seq, created_at, last_modified_at, expires_at, run_at${link.columns})
     SELECT $1, item.id, container.id, ${fileImport ? '$10' : '$2'}, $3, item.resource_key, item.payload, nextval('import_operations_seq'),
            accepted.at, accepted.at, accepted.at + make_interval(hours => $4),
            -- A paused container's operations are parked out of the processor's window until resume.
            CASE WHEN container.processing_state = 'paused' THEN 'infinity'::timestamptz ELSE now() END${link.values}
       FROM accepted, container, ROWS FROM (unnest($5::uuid[]), unnest($6::text[]), jsonb_array_elements($7::jsonb)${link.source}) WITH ORDINALITY AS ${link.item}
      WHERE (container.resource_type IS NULL OR container.resource_type = $3) AND container.processing_state <> 'canceled'
      ORDER BY item.position
     RETURNING 1),
   notified AS (
     SELECT pg_notify($8, $1) WHERE EXISTS (SELECT 1 FROM inserted))
   SELECT (SELECT count(*) FROM container)::int AS containers,
          (SELECT resource_type FROM container) AS resource_type,
          (SELECT processing_state FROM container) AS processing_state,
          (SELECT count(*) FROM inserted)::int AS inserted,
          (SELECT count(*) FROM notified)::int AS notified`;
}

const ACCEPT_STATEMENT: { name: string; text: string } = { name: 'berth_accept_import_request', text: acceptStatementText(false) };

/** The accept statement of a file import's stored batches (see acceptStatementText). */
export const FILE_IMPORT_ACCEPT_STATEMENT: { name: string; text: string } = { name: 'berth_store_file_import_batch', text: acceptStatementText(true) };

@Injectable()
export class ImportRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  /**
   * Validates the whole request, then stores one operation per resource in one statement: all or
   * nothing. Answers only after the commit, so every acknowledged operation is durable.
   */
  async accept(projectKey: string, containerKey: string, info: ResourceTypeInfo, body: unknown): Promise<ImportResponseView> {
    const problems = validateImportRequest(info.type as ImportResourceType, body);
    if (problems.length > 0) {
      throw new BadRequest(problems as unknown as ErrorObject[], problems.length === 1 ? problems[0].message : `The request contains ${problems.length} invalid fields.`);
    }
    const items = (body as Record<string, unknown>)[info.itemsField] as Array<Record<string, unknown>>;
    const ids = items.map(() => randomUUID());
    const keys = items.map((item) => resourceKeyOf(info.type as ImportResourceType, item));

    // One statement, so one atomic transaction and one round trip: lock the container row (a concurrent
    // delete waits for us), take the accept-order lock of every resource key, insert every operation
    // only if the container accepts the type and is not canceled, and notify the processors — all of it or nothing,
    // committed before the 201 is sent.
    //
    // Order per key: the key locks (transaction-scoped, taken in one fixed order so accepts never
    // deadlock) are held until commit, and the clock and the sequence are read only once they are held.
    // So of two accepts of one key, the one that commits later gets the later (created_at, seq), whatever
    // connection or process ran it; the processor applies and `sort=createdAt` lists in that order.
    const [result] = (await this.dataSource.query(
      // A named statement: each pooled connection parses and plans it once (pg keeps it prepared per connection).
      ACCEPT_STATEMENT as unknown as string,
      [projectKey, containerKey, info.type, this.config.operationTtlHours, ids, keys, JSON.stringify(items), OPERATIONS_CHANNEL],
    )) as Array<{ containers: number; resource_type: string | null; processing_state: string | null; inserted: number }>;
    if (result.containers === 0) {
      throw new BadRequest([{ code: 'InvalidInput', message: 'Import container key in uri does not exist.' }], 'Import container key in uri does not exist.');
    }
    if (result.processing_state === 'canceled') {
      // A cancel's mark waits for accepts holding the row FOR SHARE; every accept after it lands here.
      const message = `The import container '${containerKey}' is canceled and accepts no new import requests.`;
      throw new BadRequest([{ code: 'InvalidOperation', message }], message);
    }
    if (result.inserted !== ids.length) {
      const message = `The import container '${containerKey}' accepts only resources of type '${result.resource_type}', not '${info.type}'.`;
      throw new BadRequest([{ code: 'InvalidInput', message }], message);
    }
    return { operationStatus: ids.map((operationId) => ({ operationId, state: 'processing' as const })) };
  }
}
