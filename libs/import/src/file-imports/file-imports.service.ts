import { randomUUID } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import busboy from 'busboy';
import { DataSource, EntityManager } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../../config/src';
import { BadRequest, checkInput, CtException, InvalidInput, NotFound, PagedResponse, pagedResponse, parsePageQuery } from '../../../common/src';
import { recordEvent } from '../../../events/src';
import { cancelOpenOperations, deleteResourcesLeftOutByFileImport, fileImportRowsByState, insertFileImportOperations, newOperationIds, OPEN_STATES } from '../../../queue/src';
import { containerNotFound } from '../containers/import-containers.service';
import { CANCEL_BATCH_SIZE } from '../containers/container-tasks.service';
import { ImportResourceType } from '../validation/import-request.validator';
import { FileImportOptions, formatOfContentType, parseFileImportOptions } from './file-import-options';
import {
  approximateChars,
  ByteLimit,
  csvRecords,
  decoder,
  FileFormat,
  FileReadError,
  FileTooLarge,
  inlineRecords,
  jsonArrayRecords,
  ndjsonRecords,
  SourceRecord,
  xmlRecords,
} from './record-sources';
import { RecordMapper, RowError, RowGroup, RowGrouper, StagedRow, validateGroup, ValidItem } from './row-processing';

export const FILE_IMPORT_STATES = ['queued', 'running', 'awaitingConfirm', 'completed', 'failed', 'canceled'] as const;
export type FileImportState = (typeof FILE_IMPORT_STATES)[number];
const FINAL_STATES: readonly FileImportState[] = ['completed', 'failed', 'canceled'];
const CANCELABLE: readonly FileImportState[] = ['queued', 'running', 'awaitingConfirm'];

/** Records staged per transaction while the body streams in. */
export const STAGE_BATCH_ROWS = 500;
/** File rows stored as operations per transaction (a product's rows are never split). */
export const STORE_BATCH_ROWS = 500;
const PAGE_ROWS = 1000;
/**
 * Characters (approximately, see approximateChars) a batch or a page of staged rows may hold besides the row counts
 * above, so that a file of large rows (10 KB descriptions) keeps the same memory as one of small rows.
 */
const BATCH_CHARS = 1_048_576;
const PAGE_CHARS = 2_097_152;
/** The first page of staged rows is small; later pages are sized by the rows seen so far (PAGE_CHARS). */
const FIRST_PAGE_ROWS = 100;
/**
 * Rows (records) between two yields to the event loop. Iterating buffered rows with `for await` resolves on microtasks
 * only, so without a yield the sockets are not read while a whole page is validated: the batch being written in
 * parallel then waits that long for each of its round trips (measured: 56 ms per stored batch, 35 of them waiting).
 */
const YIELD_EVERY_ROWS = 50;
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A running job's lease: renewed by every batch; a job whose lease ran out was left by a dead process. */
const LEASE_SECONDS = 60;
const RESUME_INTERVAL_MS = 15_000;
/**
 * Domain tables (keyed by `key`) whose resources cleanup=true may delete, by import resource type (as the catalog's
 * reference targets name them). Deleting a product deletes its variants and slugs (foreign keys cascade).
 */
const CLEANUP_TABLES: Partial<Record<ImportResourceType, string>> = {
  category: 'categories',
  'product-draft': 'products',
  product: 'products',
  'product-type': 'product_types',
  customer: 'customers',
  inventory: 'inventory_entries',
  'discount-code': 'discount_codes',
  type: 'types',
  'standalone-price': 'standalone_prices',
};

export interface FileImportCounts {
  rows: number;
  accepted: number;
  invalid: number;
  imported: number;
  failed: number;
  destroyed: number;
}

export interface FileImportView {
  id: string;
  importContainerKey: string;
  state: FileImportState;
  resourceType: string;
  format: string;
  dryRun: boolean;
  errorPolicy: string;
  reference?: string;
  referenceOrigin?: string;
  metadata?: Record<string, unknown>;
  profileKey?: string;
  counts: FileImportCounts;
  errors: RowError[];
  errorsTotal: number;
  warnings: RowError[];
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
  canceledAt?: string;
}

interface FileImportRow {
  project_key: string;
  id: string;
  container_id: string;
  container_key: string;
  profile_key: string | null;
  state: FileImportState;
  resource_type: ImportResourceType;
  format: FileFormat;
  dry_run: boolean;
  error_policy: string;
  options: FileImportOptions;
  reference: string | null;
  reference_origin: string | null;
  metadata: Record<string, unknown> | null;
  rows_total: number;
  upload_complete: boolean;
  stored_rows: number;
  accepted: number;
  invalid: number;
  destroyed: number;
  validated: boolean;
  errors: RowError[];
  errors_total: number;
  warnings: RowError[];
  actor: string | null;
  created_at: Date;
  started_at: Date | null;
  stored_at: Date | null;
  completed_at: Date | null;
  canceled_at: Date | null;
}

/** An import profile invoked with a file (issue 18): its options are the defaults of the file import. */
export interface FileImportProfile {
  key: string;
  /** File-import options (the names of OPTION_NAMES) from the profile's resourceType, format, settings, mapping, reference, referenceOrigin and metadata. */
  options: Record<string, unknown>;
}

/** The upload as the controller hands it over: the request stream, unread. */
export interface FileUpload {
  body: Readable;
  contentType?: string;
  contentLength?: number;
}

export interface FileImportAnswer {
  view: FileImportView;
  /** The job finished (or awaits its confirm) within `wait`: 200; else 202 with `location`. */
  done: boolean;
  location: string;
}

/** Checks the resource type's own scope (the controller knows the principal); throws 403. */
export type AuthorizeResourceType = (resourceType: ImportResourceType) => void;

/** A job that stopped because it was canceled (or another process took it over): not an error. */
class JobStopped extends Error {}

function iso(date: Date | null): string | undefined {
  return date ? date.toISOString() : undefined;
}

function toView(row: FileImportRow, outcome: { imported: number; failed: number }): FileImportView {
  return {
    id: row.id,
    importContainerKey: row.container_key,
    state: row.state,
    resourceType: row.resource_type,
    format: row.format,
    dryRun: row.dry_run,
    errorPolicy: row.error_policy,
    ...(row.reference !== null ? { reference: row.reference } : {}),
    ...(row.reference_origin !== null ? { referenceOrigin: row.reference_origin } : {}),
    ...(row.metadata !== null ? { metadata: row.metadata } : {}),
    ...(row.profile_key !== null ? { profileKey: row.profile_key } : {}),
    counts: { rows: row.rows_total, accepted: row.accepted, invalid: row.invalid, imported: outcome.imported, failed: outcome.failed, destroyed: row.destroyed },
    errors: row.errors,
    errorsTotal: row.errors_total,
    warnings: row.warnings,
    createdAt: row.created_at.toISOString(),
    ...(row.started_at ? { startedAt: iso(row.started_at) } : {}),
    ...(row.completed_at ? { completedAt: iso(row.completed_at) } : {}),
    ...(row.canceled_at ? { canceledAt: iso(row.canceled_at) } : {}),
  };
}

export const fileImportNotFound = (id: string) => new NotFound(`The file import '${id}' does not exist.`);

class PayloadTooLarge extends CtException {
  constructor(maxBytes: number) {
    const message = `The file exceeds the limit of ${maxBytes} bytes.`;
    super(HttpStatus.PAYLOAD_TOO_LARGE, [{ code: 'InvalidInput', message }], message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * File imports (SPEC section 8, issue 17). A job goes through two phases, each in small transactions:
 *
 * 1. **Upload**: the body streams through a byte limit, a decoder and a streaming parser; records are staged in
 *    `file_import_records` in batches of STAGE_BATCH_ROWS (backpressure: the socket is not read while a batch is
 *    written). Each batch advances `rows_total` under a guard on its previous value, in the same transaction.
 * 2. **Store**: staged rows are mapped, converted, grouped (product-draft) and validated as the Import API validates
 *    requests; each batch of valid resources becomes operations (the accept path's insert: key locks, per-key accept
 *    order, container checks) in the transaction that advances the `stored_rows` cursor — guarded by its previous
 *    value, so a retried or concurrently resumed batch never stores a row twice. rejectAll and dry runs first
 *    validate every row without storing anything.
 *
 * The job is `completed` once every operation it created is final (computed from the operations on read).
 * A job whose process died (lease expired) is resumed by any API process: the store phase from its cursor; an
 * upload cut short cannot be resumed (the body is gone), so that job fails and the file is sent again.
 */
@Injectable()
export class FileImportsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('FileImports');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.resumeInterrupted().catch(() => undefined), RESUME_INTERVAL_MS);
    this.timer.unref();
    setImmediate(() => void this.resumeInterrupted().catch(() => undefined));
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // entry points
  // -------------------------------------------------------------------------------------------------------------------

  /**
   * An upload in any of the three forms: the file as the raw body (options in `query`), multipart (`settings` then
   * `file`), or inline inputs (`application/json` with an object body).
   */
  async upload(
    projectKey: string,
    containerKey: string,
    givenQuery: Record<string, unknown>,
    upload: FileUpload,
    actor: string | undefined,
    authorize: AuthorizeResourceType,
    profile?: FileImportProfile,
  ): Promise<FileImportAnswer> {
    // A profile's options are the defaults; what the request gives (query, settings part, inline fields) overrides them.
    const query = profile ? { ...profile.options, ...givenQuery } : givenQuery;
    const profileKey = profile?.key;
    if (upload.contentLength !== undefined && upload.contentLength > this.config.fileImportMaxBytes) {
      upload.body.resume();
      throw new PayloadTooLarge(this.config.fileImportMaxBytes);
    }
    const form = formatOfContentType(upload.contentType);
    if (form === 'multipart') return this.uploadMultipart(projectKey, containerKey, query, upload, actor, authorize, profileKey);
    const queryFormat = typeof query.format === 'string' ? query.format : undefined;
    if (form === 'json' && (queryFormat === undefined || queryFormat === 'json')) {
      const { first, body } = await peekFirstByte(upload.body);
      if (first === 0x7b) return this.uploadInline(projectKey, containerKey, query, body, actor, authorize, profileKey);
      return this.start(projectKey, containerKey, parseFileImportOptions(query, { format: 'json', profileKey }), body, actor, authorize);
    }
    if (form === undefined && queryFormat === undefined) {
      upload.body.resume();
      const given = upload.contentType ? `The Content-Type '${upload.contentType.slice(0, 100)}' is not a file format` : 'The request has no Content-Type';
      throw new CtException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, [
        { code: 'InvalidInput', message: `${given}: send text/csv, application/json, application/x-ndjson, application/xml or multipart/form-data, or the option 'format'.` },
      ]);
    }
    let options: FileImportOptions;
    try {
      options = parseFileImportOptions(query, { format: form, profileKey });
    } catch (error) {
      upload.body.resume();
      throw error;
    }
    return this.start(projectKey, containerKey, options, upload.body, actor, authorize);
  }

  /**
   * Starts a file import from a byte stream with complete options (the raw-body form; import profiles call this too,
   * with `options.profileKey`). Answers once the whole body was read and its rows stored.
   */
  async start(projectKey: string, containerKey: string, options: FileImportOptions, source: Readable, actor?: string, authorize?: AuthorizeResourceType): Promise<FileImportAnswer> {
    let job: FileImportRow;
    try {
      authorize?.(options.resourceType);
      job = await this.createJob(projectKey, containerKey, options, actor);
    } catch (error) {
      source.resume();
      throw error;
    }
    const limit = new ByteLimit(this.config.fileImportMaxBytes);
    await this.withLease(projectKey, () => job.id, () => this.uploadInto(job, source, limit, this.parserStages(options)));
    return this.afterUpload(projectKey, job.id, options.wait, limit);
  }

  private parserStages(options: FileImportOptions): Transform[] {
    switch (options.format) {
      case 'csv':
        return csvRecords(options);
      case 'json':
        return jsonArrayRecords();
      case 'ndjson':
        return ndjsonRecords();
      case 'xml':
        return xmlRecords();
    }
  }

  private async afterUpload(projectKey: string, id: string, wait: number, limit: ByteLimit): Promise<FileImportAnswer> {
    if (limit.exceeded) throw new PayloadTooLarge(this.config.fileImportMaxBytes);
    await this.runStorePhase(projectKey, id);
    return this.answer(projectKey, id, wait);
  }

  private async uploadInline(
    projectKey: string,
    containerKey: string,
    query: Record<string, unknown>,
    body: Readable,
    actor: string | undefined,
    authorize: AuthorizeResourceType,
    profileKey?: string,
  ): Promise<FileImportAnswer> {
    const limit = new ByteLimit(this.config.fileImportMaxBytes);
    const { stages, collector } = inlineRecords(this.config.fileImportMaxInlineInputs);
    const inlineOptions = (): FileImportOptions => {
      const { format, ...fromBody } = collector.options;
      if (format !== undefined && format !== 'json') throw new InvalidInput(`The option 'format' of inline inputs must be 'json'.`);
      return parseFileImportOptions({ ...query, ...fromBody }, { format: 'json', profileKey });
    };
    let job: FileImportRow | undefined;
    const ensureJob = async (): Promise<FileImportRow> => {
      if (!job) {
        const options = inlineOptions();
        authorize(options.resourceType);
        job = await this.createJob(projectKey, containerKey, options, actor);
      }
      return job;
    };
    let failure: unknown;
    try {
      await this.withLease(projectKey, () => job?.id, () => this.stage(body, limit, [decoder('utf-8'), ...stages], ensureJob));
    } catch (error) {
      failure = error;
    }
    if (limit.exceeded) {
      if (job) await this.fail(job, [{ row: 0, code: 'InvalidInput', message: new FileTooLarge(this.config.fileImportMaxBytes).message }]);
      throw new PayloadTooLarge(this.config.fileImportMaxBytes);
    }
    if (failure !== undefined) {
      // A request that cannot start (bad options, too many inputs, not JSON): 400, and no job is left behind.
      if (job) await this.dataSource.query(`DELETE FROM file_imports WHERE project_key = $1 AND id = $2`, [projectKey, job.id]);
      if (failure instanceof FileReadError) throw new InvalidInput(failure.message);
      throw failure;
    }
    if (!collector.inputsSeen) {
      if (job) await this.dataSource.query(`DELETE FROM file_imports WHERE project_key = $1 AND id = $2`, [projectKey, job.id]);
      throw new InvalidInput(`The body has no 'inputs': send {resourceType, inputs: [...]} or a JSON array of resources.`);
    }
    // Options after `inputs` in the body are complete only now.
    let options: FileImportOptions;
    try {
      options = inlineOptions();
      job ??= await ensureJob();
    } catch (error) {
      if (job) await this.dataSource.query(`DELETE FROM file_imports WHERE project_key = $1 AND id = $2`, [projectKey, job.id]);
      throw error;
    }
    if (options.resourceType !== job.resource_type) {
      await this.dataSource.query(`DELETE FROM file_imports WHERE project_key = $1 AND id = $2`, [projectKey, job.id]);
      throw new InvalidInput(`The option 'resourceType' must come before 'inputs' in the body (or be given in the query).`);
    }
    await this.dataSource.query(
      `UPDATE file_imports SET options = $3, dry_run = $4, error_policy = $5, reference = $6, reference_origin = $7, metadata = $8, upload_complete = true
        WHERE project_key = $1 AND id = $2`,
      [projectKey, job.id, JSON.stringify(options), options.dryRun, options.errorPolicy, options.reference ?? null, options.referenceOrigin ?? null, options.metadata ? JSON.stringify(options.metadata) : null],
    );
    return this.afterUpload(projectKey, job.id, options.wait, limit);
  }

  private uploadMultipart(
    projectKey: string,
    containerKey: string,
    query: Record<string, unknown>,
    upload: FileUpload,
    actor: string | undefined,
    authorize: AuthorizeResourceType,
    profileKey?: string,
  ): Promise<FileImportAnswer> {
    return new Promise<FileImportAnswer>((resolve, reject) => {
      let parser: busboy.Busboy;
      try {
        parser = busboy({ headers: { 'content-type': upload.contentType as string }, limits: { files: 1, fields: 4, fieldSize: 1_048_576, fileSize: this.config.fileImportMaxBytes + 1 } });
      } catch {
        upload.body.resume();
        reject(new InvalidInput('The multipart body has no boundary.'));
        return;
      }
      let settings: Record<string, unknown> = {};
      let started: Promise<FileImportAnswer> | undefined;
      let settled = false;
      const finish = (error: unknown, answer?: FileImportAnswer) => {
        if (settled) return;
        settled = true;
        if (error !== undefined) reject(error);
        else resolve(answer as FileImportAnswer);
      };
      parser.on('field', (name, value) => {
        if (name !== 'settings') return finish(new InvalidInput(`Unknown multipart part '${name.slice(0, 100)}': expected 'settings' then 'file'.`));
        if (started) return finish(new InvalidInput(`The 'settings' part must come before the 'file' part.`));
        try {
          const parsed = JSON.parse(value) as unknown;
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
          settings = parsed as Record<string, unknown>;
        } catch {
          finish(new InvalidInput(`The 'settings' part must be a JSON object.`));
        }
      });
      parser.on('file', (name, file, info) => {
        if (name !== 'file' || started || settled) {
          file.resume();
          if (!settled && name !== 'file') finish(new InvalidInput(`Unknown multipart part '${name.slice(0, 100)}': expected 'settings' then 'file'.`));
          return;
        }
        let options: FileImportOptions;
        try {
          const fromType = formatOfContentType(info.mimeType);
          options = parseFileImportOptions({ ...query, ...settings }, { format: fromType === 'multipart' ? undefined : fromType, profileKey });
        } catch (error) {
          file.resume();
          return finish(error);
        }
        started = this.start(projectKey, containerKey, options, file, actor, authorize);
        started.then(
          (answer) => finish(undefined, answer),
          (error) => finish(error),
        );
      });
      parser.on('error', (error: Error) => {
        finish(new InvalidInput(`The multipart body is malformed: ${error.message}`));
        upload.body.resume();
      });
      parser.on('close', () => {
        if (!started) finish(new InvalidInput(`The multipart body has no 'file' part.`));
      });
      upload.body.pipe(parser);
    });
  }

  /** Renews a job's lease while `work` runs, so a slow upload or a long validation is never taken for a dead process. */
  private async withLease<T>(projectKey: string, id: () => string | undefined, work: () => Promise<T>): Promise<T> {
    const renew = () => {
      const jobId = id();
      if (!jobId) return;
      this.dataSource
        .query(`UPDATE file_imports SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS}) WHERE project_key = $1 AND id = $2 AND state IN ('queued', 'running')`, [projectKey, jobId])
        .catch(() => undefined);
    };
    const timer = setInterval(renew, (LEASE_SECONDS * 1000) / 4);
    timer.unref();
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  // -------------------------------------------------------------------------------------------------------------------
  // upload phase
  // -------------------------------------------------------------------------------------------------------------------

  private async checkContainer(manager: EntityManager, projectKey: string, containerKey: string, resourceType: string): Promise<{ id: string }> {
    const rows = (await manager.query(`SELECT id, resource_type, processing_state FROM import_containers WHERE project_key = $1 AND key = $2 FOR SHARE`, [projectKey, containerKey])) as Array<{
      id: string;
      resource_type: string | null;
      processing_state: string;
    }>;
    const container = rows[0];
    if (!container) throw new BadRequest([{ code: 'InvalidInput', message: 'Import container key in uri does not exist.' }], 'Import container key in uri does not exist.');
    if (container.processing_state === 'canceled') throw new BadRequest([{ code: 'InvalidOperation', message: `The import container '${containerKey}' is canceled and accepts no new import requests.` }]);
    if (container.resource_type !== null && container.resource_type !== resourceType) {
      throw new BadRequest([{ code: 'InvalidInput', message: `The import container '${containerKey}' accepts only resources of type '${container.resource_type}', not '${resourceType}'.`, field: 'resourceType' }]);
    }
    return container;
  }

  private async createJob(projectKey: string, containerKey: string, options: FileImportOptions, actor: string | undefined): Promise<FileImportRow> {
    if (options.cleanup && !CLEANUP_TABLES[options.resourceType]) {
      throw new BadRequest([{ code: 'InvalidInput', message: `The option 'cleanup' is not supported for ${options.resourceType} resources: only for ${Object.keys(CLEANUP_TABLES).join(', ')}.`, field: 'cleanup' }]);
    }
    return this.dataSource.transaction(async (manager) => {
      const container = await this.checkContainer(manager, projectKey, containerKey, options.resourceType);
      const id = randomUUID();
      const [row] = (await manager.query(
        `INSERT INTO file_imports (project_key, id, container_id, container_key, profile_key, state, resource_type, format, dry_run, error_policy, options, reference, reference_origin, metadata, actor, started_at, lease_until)
         VALUES ($1, $2, $3, $4, $5, 'running', $6, $7, $8, $9, $10, $11, $12, $13, $14, now(), now() + make_interval(secs => ${LEASE_SECONDS}))
         RETURNING *`,
        [
          projectKey,
          id,
          container.id,
          containerKey,
          options.profileKey ?? null,
          options.resourceType,
          options.format,
          options.dryRun,
          options.errorPolicy,
          JSON.stringify(options),
          options.reference ?? null,
          options.referenceOrigin ?? null,
          options.metadata ? JSON.stringify(options.metadata) : null,
          actor ?? null,
        ],
      )) as FileImportRow[];
      await recordEvent(manager, {
        projectKey,
        type: 'FileImportCreated',
        resource: { typeId: 'file-import', id },
        actor,
        data: { importContainerKey: containerKey, resourceType: options.resourceType, format: options.format, dryRun: options.dryRun, ...(options.profileKey ? { profileKey: options.profileKey } : {}) },
      });
      return row;
    });
  }

  /** Streams the body into the job's staged records; a file that cannot be read fails the job (nothing stored). */
  private async uploadInto(job: FileImportRow, source: Readable, limit: ByteLimit, parsers: Transform[]): Promise<void> {
    try {
      await this.stage(source, limit, [decoder(job.options.encoding), ...parsers], () => Promise.resolve(job));
    } catch (error) {
      if (limit.exceeded) {
        await this.fail(job, [{ row: 0, code: 'InvalidInput', message: new FileTooLarge(this.config.fileImportMaxBytes).message }]);
        return;
      }
      if (error instanceof JobStopped) return;
      const row = error instanceof FileReadError && error.row !== undefined ? error.row : (await this.currentRows(job)) + 1;
      const message = error instanceof FileReadError ? error.message : `The file cannot be read: ${(error as Error).message}`;
      await this.fail(job, [{ row, code: 'InvalidInput', message }]);
      return;
    }
    await this.dataSource.query(`UPDATE file_imports SET upload_complete = true WHERE project_key = $1 AND id = $2 AND state = 'running'`, [job.project_key, job.id]);
  }

  private async currentRows(job: FileImportRow): Promise<number> {
    const rows = (await this.dataSource.query(`SELECT rows_total FROM file_imports WHERE project_key = $1 AND id = $2`, [job.project_key, job.id])) as Array<{ rows_total: number }>;
    return rows[0]?.rows_total ?? 0;
  }

  /**
   * Reads records from the body and stages them batch by batch. The body is always read to its end (a canceled job
   * or an oversized body only stops staging), so the client gets its answer instead of a reset connection.
   */
  private async stage(source: Readable, limit: ByteLimit, stages: Transform[], ensureJob: () => Promise<FileImportRow>): Promise<void> {
    let streamError: Error | undefined;
    // Records the parsers produced (the row where reading stopped, should the file turn out malformed).
    let produced = 0;
    const counter = new Transform({
      objectMode: true,
      transform(record: SourceRecord, _encoding, callback) {
        produced++;
        callback(null, record);
      },
    });
    // The body is piped in, not part of the pipeline: a parser's failure (an item over the record bound) destroys the
    // pipeline's streams, and destroying the body would reset the connection while the client still sends; the rest
    // is drained below instead. A body that fails or closes before its end (the client went away) fails the pipeline.
    const entry = limit.transform();
    source.on('error', (error: Error) => entry.destroy(error));
    source.once('close', () => {
      if (!source.readableEnded) entry.destroy(new Error('The upload was interrupted.'));
    });
    source.pipe(entry);
    const streams = [entry, ...stages, counter] as unknown as [Readable, ...Transform[]];
    const last = (pipeline as unknown as (...args: unknown[]) => Readable)(...streams, (error: Error | null) => {
      if (error) streamError ??= error;
    });
    let batch: SourceRecord[] = [];
    let batchChars = 0;
    let staged = 0;
    let stopped: Error | undefined;
    // One batch is written while the parsers fill the next (Postgres and the parsing overlap on two cores); never more
    // than one, so memory stays at two batches and the socket is not read further ahead than that.
    let writing: Promise<void> | undefined;
    const settle = async () => {
      if (!writing) return;
      try {
        await writing;
      } catch (error) {
        stopped ??= error as Error;
        source.resume();
      }
      writing = undefined;
    };
    try {
      for await (const record of last as AsyncIterable<SourceRecord>) {
        if (stopped || limit.exceeded) continue;
        batch.push(record);
        batchChars += approximateChars(record);
        if (batch.length % YIELD_EVERY_ROWS === 0) await yieldToIo();
        if (batch.length >= STAGE_BATCH_ROWS || batchChars >= BATCH_CHARS) {
          const records = batch;
          const from = staged;
          staged += batch.length;
          batch = [];
          batchChars = 0;
          await settle();
          if (stopped) continue;
          const job = await ensureJob();
          writing = this.stageBatch(job, from, records);
          writing.catch(() => undefined); // observed by settle()
        }
      }
    } catch (error) {
      streamError ??= error as Error;
    }
    await settle();
    if (stopped) throw stopped;
    if (limit.exceeded) throw new FileTooLarge(this.config.fileImportMaxBytes);
    if (streamError) {
      source.unpipe(entry);
      source.resume();
      const failure = streamError instanceof FileReadError ? streamError : new FileReadError(`The file cannot be read: ${streamError.message}`);
      failure.row = Math.max(produced, staged + batch.length) + 1;
      throw failure;
    }
    const job = await ensureJob();
    if (batch.length > 0) await this.stageBatch(job, staged, batch);
  }

  private async stageBatch(job: FileImportRow, staged: number, records: SourceRecord[]): Promise<void> {
    const storable = records.map((record) => {
      const problem = checkInput(record);
      return problem ? { unreadable: `The record cannot be stored: ${problem.message}` } : record;
    });
    await this.dataSource.transaction(async (manager) => {
      const advanced = (await manager.query(
        `UPDATE file_imports SET rows_total = $3 + $4, lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
          WHERE project_key = $1 AND id = $2 AND state = 'running' AND rows_total = $3 RETURNING 1`,
        [job.project_key, job.id, staged, storable.length],
      )) as [unknown[], number];
      if (advanced[0].length === 0) throw new JobStopped(`The file import ${job.id} is no longer running.`);
      await manager.query(
        `INSERT INTO file_import_records (project_key, file_import_id, row_no, record)
         SELECT $1, $2, $3 + r.ord, r.value FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS r(value, ord)`,
        [job.project_key, job.id, staged, JSON.stringify(storable)],
      );
    });
  }

  // -------------------------------------------------------------------------------------------------------------------
  // store phase
  // -------------------------------------------------------------------------------------------------------------------

  private async findJob(projectKey: string, id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<FileImportRow | undefined> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
    const rows = (await manager.query(`SELECT * FROM file_imports WHERE project_key = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [projectKey, id])) as FileImportRow[];
    return rows[0];
  }

  /** Staged rows after a row number, in order, page by page. */
  private async *stagedRows(job: FileImportRow, after: number): AsyncGenerator<StagedRow> {
    let cursor = after;
    let limit = FIRST_PAGE_ROWS;
    for (;;) {
      const rows = (await this.dataSource.query(
        `SELECT row_no, record FROM file_import_records WHERE project_key = $1 AND file_import_id = $2 AND row_no > $3 ORDER BY row_no LIMIT $4`,
        [job.project_key, job.id, cursor, limit],
      )) as Array<{ row_no: number; record: SourceRecord }>;
      let chars = 0;
      for (const row of rows) chars += approximateChars(row.record);
      for (const row of rows) yield { row: row.row_no, record: row.record };
      if (rows.length < limit) return;
      cursor = rows[rows.length - 1].row_no;
      limit = Math.max(20, Math.min(PAGE_ROWS, Math.floor(PAGE_CHARS / Math.max(1, chars / rows.length))));
    }
  }

  private async *groups(job: FileImportRow, after: number): AsyncGenerator<RowGroup> {
    const grouper = new RowGrouper(job.resource_type, new RecordMapper(job.resource_type, job.format, job.options.mapping));
    let read = 0;
    for await (const staged of this.stagedRows(job, after)) {
      if (++read % YIELD_EVERY_ROWS === 0) await yieldToIo();
      const done = grouper.push(staged);
      if (done) yield done;
    }
    const last = grouper.end();
    if (last) yield last;
  }

  /**
   * Runs (or resumes) the store phase of a running job whose upload is complete. Safe to call twice at once or after
   * a crash: every batch is guarded by the cursor it starts from.
   */
  async runStorePhase(projectKey: string, id: string): Promise<void> {
    await this.withLease(projectKey, () => id, () => this.storePhase(projectKey, id));
  }

  private async storePhase(projectKey: string, id: string): Promise<void> {
    let job = await this.findJob(projectKey, id);
    if (!job || job.state !== 'running' || !job.upload_complete || job.stored_at !== null) return;
    try {
      if (!job.validated && (job.dry_run || job.error_policy === 'rejectAll')) {
        const proceed = await this.validateAll(job);
        if (!proceed) return;
        job = (await this.findJob(projectKey, id)) as FileImportRow;
      }
      await this.storeAll(job);
    } catch (error) {
      if (error instanceof JobStopped) return;
      const message = error instanceof CtException ? error.message : 'The file import failed while storing its rows.';
      if (!(error instanceof CtException)) this.logger.error(`file import ${projectKey}/${id} failed: ${(error as Error).message}`);
      await this.fail(job, [{ row: job.stored_rows + 1, code: 'InvalidOperation', message }]);
    }
  }

  /** Validates every row, storing nothing (dry run, rejectAll). Returns whether the store phase goes on. */
  private async validateAll(job: FileImportRow): Promise<boolean> {
    let accepted = 0;
    let invalid = 0;
    let errorsTotal = 0;
    const errors: RowError[] = [];
    const cap = this.config.fileImportMaxErrors;
    for await (const group of this.groups(job, 0)) {
      const outcome = validateGroup(job.resource_type, group);
      if (outcome.item) accepted += outcome.rows;
      else invalid += outcome.rows;
      errorsTotal += outcome.errors.length;
      for (const error of outcome.errors) if (errors.length < cap) errors.push(error);
    }
    const rejected = job.error_policy === 'rejectAll' && invalid > 0;
    const next: FileImportState = rejected ? 'failed' : job.dry_run ? 'awaitingConfirm' : 'running';
    return this.dataSource.transaction(async (manager) => {
      const updated = (await manager.query(
        `UPDATE file_imports SET validated = true, accepted = $3, invalid = $4, errors = $5, errors_total = $6, state = $7,
                completed_at = CASE WHEN $7 = 'failed' THEN now() ELSE NULL END, lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
          WHERE project_key = $1 AND id = $2 AND state = 'running' AND NOT validated RETURNING 1`,
        [job.project_key, job.id, accepted, invalid, JSON.stringify(errors), errorsTotal, next],
      )) as [unknown[], number];
      if (updated[0].length === 0) return false;
      if (rejected) {
        await manager.query(`DELETE FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [job.project_key, job.id]);
        await recordEvent(manager, { projectKey: job.project_key, type: 'FileImportFailed', resource: { typeId: 'file-import', id: job.id }, data: { importContainerKey: job.container_key, invalid, errorsTotal } });
      }
      return next === 'running';
    });
  }

  private async storeAll(job: FileImportRow): Promise<void> {
    let cursor = job.stored_rows;
    let items: ValidItem[] = [];
    let errors: RowError[] = [];
    let rows = 0;
    let chars = 0;
    let accepted = 0;
    let invalid = 0;
    let end = cursor;
    // One batch is stored while the next is read and validated; never more than one (each is guarded by the cursor
    // the previous one left, so they commit in order).
    let storing: Promise<void> | undefined;
    const flush = async () => {
      if (storing) await storing;
      storing = this.storeBatch(job, cursor, end, items, errors, accepted, invalid);
      storing.catch(() => undefined); // awaited by the next flush or below
      cursor = end;
      items = [];
      errors = [];
      rows = chars = accepted = invalid = 0;
    };
    for await (const group of this.groups(job, cursor)) {
      const outcome = validateGroup(job.resource_type, group);
      if (outcome.item) {
        items.push(outcome.item);
        accepted += outcome.rows;
      } else invalid += outcome.rows;
      errors.push(...outcome.errors);
      rows += outcome.rows;
      if (outcome.item) chars += approximateChars(outcome.item.resource);
      end = group.rows[group.rows.length - 1].row;
      if (rows >= STORE_BATCH_ROWS || chars >= BATCH_CHARS) await flush();
    }
    if (rows > 0) await flush();
    if (storing) await storing;
    await this.dataSource.transaction(async (manager) => {
      const locked = await this.findJob(job.project_key, job.id, manager, true);
      if (!locked || locked.state !== 'running' || locked.stored_at !== null) return;
      const { destroyed, warnings } = locked.options.cleanup ? await this.cleanup(manager, locked) : { destroyed: 0, warnings: [] };
      await manager.query(`UPDATE file_imports SET stored_at = now(), destroyed = $3, warnings = warnings || $4::jsonb WHERE project_key = $1 AND id = $2`, [
        job.project_key,
        job.id,
        destroyed,
        JSON.stringify(warnings),
      ]);
      await manager.query(`DELETE FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [job.project_key, job.id]);
    });
    await this.finalize(job.project_key, job.id);
  }

  /** One batch: advance the cursor (guarded by its old value), record the row errors, store the operations — one transaction. */
  private async storeBatch(job: FileImportRow, from: number, to: number, items: ValidItem[], errors: RowError[], accepted: number, invalid: number): Promise<void> {
    // A validated job (dry run confirmed, rejectAll) counted its rows and errors already.
    const counted = !job.validated;
    await this.dataSource.transaction(async (manager) => {
      const advanced = (await manager.query(
        `UPDATE file_imports
            SET stored_rows = $4, accepted = accepted + $5, invalid = invalid + $6, errors_total = errors_total + $7,
                errors = CASE WHEN jsonb_array_length(errors) >= $9 THEN errors
                              ELSE errors || (SELECT coalesce(jsonb_agg(e.value ORDER BY e.ord), '[]'::jsonb) FROM jsonb_array_elements($8::jsonb) WITH ORDINALITY AS e(value, ord)
                                               WHERE e.ord <= $9 - jsonb_array_length(errors)) END,
                lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
          WHERE project_key = $1 AND id = $2 AND state = 'running' AND stored_rows = $3 RETURNING 1`,
        [
          job.project_key,
          job.id,
          from,
          to,
          counted ? accepted : 0,
          counted ? invalid : 0,
          counted ? errors.length : 0,
          JSON.stringify(counted ? errors.slice(0, this.config.fileImportMaxErrors) : []),
          this.config.fileImportMaxErrors,
        ],
      )) as [unknown[], number];
      if (advanced[0].length === 0) throw new JobStopped(`The file import ${job.id} is no longer at row ${from}.`);
      if (items.length === 0) return;
      const result = await insertFileImportOperations(manager, { id: job.container_id, key: job.container_key }, job.id, {
        projectKey: job.project_key,
        resourceType: job.resource_type,
        ttlHours: this.config.operationTtlHours,
        ids: newOperationIds(items.length),
        keys: items.map((item) => item.key),
        payloads: items.map((item) => item.resource),
        rows: items.map((item) => item.rows),
      });
      if (result.inserted !== items.length) {
        throw new BadRequest([{ code: 'InvalidOperation', message: `The import container '${job.container_key}' no longer accepts these resources (canceled, deleted or restricted to another type).` }]);
      }
    });
  }

  /**
   * cleanup=true: deletes the resources of this type that earlier file imports into this container created (their
   * operations imported) and that this file no longer contains. Only for a file without invalid rows (a row that
   * could not be read may be a resource the file still contains); else nothing is deleted and a warning says why.
   * Runs in the transaction that marks the job stored, under a savepoint: a resource still referenced elsewhere
   * (a foreign key) stops the cleanup, not the job.
   */
  private async cleanup(manager: EntityManager, job: FileImportRow): Promise<{ destroyed: number; warnings: RowError[] }> {
    const table = CLEANUP_TABLES[job.resource_type];
    if (!table) return { destroyed: 0, warnings: [] };
    if (job.invalid > 0) {
      return { destroyed: 0, warnings: [{ row: 0, code: 'CleanupSkipped', message: `cleanup skipped: ${job.invalid} row(s) of the file are invalid, so the file is not complete.` }] };
    }
    await manager.query(`SAVEPOINT file_import_cleanup`);
    try {
      const deleted = await deleteResourcesLeftOutByFileImport(manager, table, {
        projectKey: job.project_key,
        containerId: job.container_id,
        resourceType: job.resource_type,
        fileImportId: job.id,
      });
      await manager.query(`RELEASE SAVEPOINT file_import_cleanup`);
      return { destroyed: deleted.length, warnings: [] };
    } catch (error) {
      if ((error as { code?: string }).code !== '23503') throw error;
      await manager.query(`ROLLBACK TO SAVEPOINT file_import_cleanup`);
      return { destroyed: 0, warnings: [{ row: 0, code: 'CleanupSkipped', message: 'cleanup skipped: a resource to delete is still referenced by another resource.' }] };
    }
  }

  /** Operations' outcome of jobs: rows imported and failed, and whether any operation is still open. */
  private async outcomes(projectKey: string, ids: string[]): Promise<Map<string, { imported: number; failed: number; open: number }>> {
    const result = new Map<string, { imported: number; failed: number; open: number }>();
    for (const id of ids) result.set(id, { imported: 0, failed: 0, open: 0 });
    if (ids.length === 0) return result;
    const rows = await fileImportRowsByState(this.dataSource, projectKey, ids);
    for (const row of rows) {
      const outcome = result.get(row.id);
      if (!outcome) continue;
      if (row.state === 'imported' || row.state === 'partiallyImported') outcome.imported += row.rows;
      else if ((OPEN_STATES as readonly string[]).includes(row.state)) outcome.open += row.rows;
      else outcome.failed += row.rows;
    }
    return result;
  }

  /** Marks a stored job completed once none of its operations is open (with its event, in one transaction). */
  private async finalize(projectKey: string, id: string): Promise<void> {
    const outcome = (await this.outcomes(projectKey, [id])).get(id);
    if (!outcome || outcome.open > 0) return;
    await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE file_imports SET state = 'completed', completed_at = now(), lease_until = NULL
          WHERE project_key = $1 AND id = $2 AND state = 'running' AND stored_at IS NOT NULL RETURNING container_key`,
        [projectKey, id],
      )) as [Array<{ container_key: string }>, number];
      if (rows[0].length === 0) return;
      // Re-checked under the job's row lock: nothing reopened meanwhile (a retry re-opens nothing: final states stay final).
      await recordEvent(manager, {
        projectKey,
        type: 'FileImportCompleted',
        resource: { typeId: 'file-import', id },
        data: { importContainerKey: rows[0][0].container_key, imported: outcome.imported, failed: outcome.failed },
      });
    });
  }

  private async fail(job: FileImportRow, errors: RowError[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `UPDATE file_imports SET state = 'failed', completed_at = now(), lease_until = NULL, errors = errors || $3::jsonb, errors_total = errors_total + $4
          WHERE project_key = $1 AND id = $2 AND state IN ('queued', 'running') RETURNING 1`,
        [job.project_key, job.id, JSON.stringify(errors), errors.length],
      )) as [unknown[], number];
      if (rows[0].length === 0) return;
      await manager.query(`DELETE FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [job.project_key, job.id]);
      await recordEvent(manager, { projectKey: job.project_key, type: 'FileImportFailed', resource: { typeId: 'file-import', id: job.id }, data: { importContainerKey: job.container_key, message: errors[0]?.message } });
    });
  }

  /** Waits up to `wait` seconds for the job to finish (or reach awaitingConfirm). */
  private async answer(projectKey: string, id: string, wait: number): Promise<FileImportAnswer> {
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const row = await this.findJob(projectKey, id);
      if (!row) throw fileImportNotFound(id);
      const view = await this.viewOf(row);
      const done = FINAL_STATES.includes(view.state) || view.state === 'awaitingConfirm';
      if (done || Date.now() >= deadline) return { view, done, location: `/${projectKey}/import-containers/${row.container_key}/file-imports/${id}` };
      await sleep(Math.min(250, Math.max(10, deadline - Date.now())));
    }
  }

  private async viewOf(row: FileImportRow): Promise<FileImportView> {
    if (row.state === 'running' && row.stored_at !== null) {
      await this.finalize(row.project_key, row.id);
      row = (await this.findJob(row.project_key, row.id)) ?? row;
    }
    const outcome = (await this.outcomes(row.project_key, [row.id])).get(row.id) as { imported: number; failed: number };
    return toView(row, outcome);
  }

  // -------------------------------------------------------------------------------------------------------------------
  // reads and tasks
  // -------------------------------------------------------------------------------------------------------------------

  private async containerId(projectKey: string, containerKey: string): Promise<string> {
    const rows = (await this.dataSource.query(`SELECT id FROM import_containers WHERE project_key = $1 AND key = $2`, [projectKey, containerKey])) as Array<{ id: string }>;
    if (rows.length === 0) throw containerNotFound(containerKey);
    return rows[0].id;
  }

  private async jobOf(projectKey: string, containerKey: string, id: string): Promise<FileImportRow> {
    const containerId = await this.containerId(projectKey, containerKey);
    const row = await this.findJob(projectKey, id);
    if (!row || row.container_id !== containerId) throw fileImportNotFound(id);
    return row;
  }

  async get(projectKey: string, containerKey: string, id: string): Promise<FileImportView> {
    return this.viewOf(await this.jobOf(projectKey, containerKey, id));
  }

  async list(projectKey: string, containerKey: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<FileImportView>> {
    const containerId = await this.containerId(projectKey, containerKey);
    const page = parsePageQuery(rawQuery, { createdAt: 'created_at', completedAt: 'completed_at' }, ['created_at ASC'], 'id ASC');
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM file_imports WHERE project_key = $1 AND container_id = $2`, [projectKey, containerId])) as Array<{
      total: number;
    }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(`SELECT * FROM file_imports WHERE project_key = $1 AND container_id = $2 ORDER BY ${page.orderBy.join(', ')} LIMIT $3 OFFSET $4`, [
            projectKey,
            containerId,
            page.limit,
            page.offset,
          ])) as FileImportRow[]);
    const views: FileImportView[] = [];
    for (const row of rows) views.push(await this.viewOf(row));
    return pagedResponse(page, total, views);
  }

  /** Confirms a dry run in awaitingConfirm: the job stores its (already validated) rows now. */
  async confirm(projectKey: string, containerKey: string, id: string, actor: string | undefined): Promise<FileImportView> {
    const job = await this.jobOf(projectKey, containerKey, id);
    const rows = (await this.dataSource.query(
      `UPDATE file_imports SET state = 'running', lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
        WHERE project_key = $1 AND id = $2 AND state = 'awaitingConfirm' RETURNING 1`,
      [projectKey, job.id],
    )) as [unknown[], number];
    if (rows[0].length === 0) {
      const message = `The file import '${id}' cannot be confirmed: its state is '${job.state}' (only a dry run in awaitingConfirm can).`;
      throw new CtException(HttpStatus.CONFLICT, [{ code: 'InvalidOperation', message, currentState: job.state }], message);
    }
    this.logger.log(`file import ${projectKey}/${id} confirmed by ${actor ?? 'unknown'}`);
    await this.runStorePhase(projectKey, job.id);
    return this.get(projectKey, containerKey, id);
  }

  /** Cancels a job: it stops reading and storing, and its operations not yet final end `canceled`. */
  async cancel(projectKey: string, containerKey: string, id: string, body: unknown, actor: string | undefined): Promise<FileImportView> {
    const task = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>).task : undefined;
    if (task !== 'cancel') throw new InvalidInput(`The value ${JSON.stringify(task ?? null)} is not valid for field 'task': expected "cancel".`);
    const job = await this.jobOf(projectKey, containerKey, id);
    await this.dataSource.transaction(async (manager) => {
      const locked = (await this.findJob(projectKey, job.id, manager, true)) as FileImportRow;
      if (!CANCELABLE.includes(locked.state)) {
        const message = `The file import '${id}' cannot be canceled: its state is '${locked.state}'.`;
        throw new CtException(HttpStatus.CONFLICT, [{ code: 'InvalidOperation', message, currentState: locked.state }], message);
      }
      await manager.query(`UPDATE file_imports SET state = 'canceled', canceled_at = now(), lease_until = NULL WHERE project_key = $1 AND id = $2`, [projectKey, job.id]);
      await manager.query(`DELETE FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [projectKey, job.id]);
      await recordEvent(manager, { projectKey, type: 'FileImportCanceled', resource: { typeId: 'file-import', id: job.id }, actor, data: { importContainerKey: containerKey } });
    });
    // After the mark no batch of this job commits (each is guarded by state = 'running'): cancel what it stored.
    while ((await cancelOpenOperations(this.dataSource, projectKey, { column: 'file_import_id', id: job.id }, CANCEL_BATCH_SIZE)) > 0);
    return this.get(projectKey, containerKey, id);
  }

  /**
   * Jobs left by a dead process (lease expired): an upload cut short fails (its body is gone: send the file again);
   * a complete upload resumes its store phase from the cursor. Stored jobs are finalized. Returns the jobs handled.
   */
  async resumeInterrupted(): Promise<number> {
    const rows = (await this.dataSource.query(
      `UPDATE file_imports SET lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
        WHERE (project_key, id) IN (SELECT project_key, id FROM file_imports WHERE state IN ('queued', 'running') AND lease_until < now() LIMIT 20 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
    )) as [FileImportRow[], number];
    for (const job of rows[0]) {
      if (!job.upload_complete) {
        await this.fail(job, [{ row: job.rows_total + 1, code: 'InvalidOperation', message: 'The upload was interrupted (the server handling it stopped): send the file again.' }]);
      } else if (job.stored_at === null) {
        this.logger.log(`resuming file import ${job.project_key}/${job.id} at row ${job.stored_rows}`);
        await this.runStorePhase(job.project_key, job.id);
      }
    }
    const stored = (await this.dataSource.query(`SELECT project_key, id FROM file_imports WHERE state = 'running' AND stored_at IS NOT NULL LIMIT 100`)) as Array<{
      project_key: string;
      id: string;
    }>;
    for (const job of stored) await this.finalize(job.project_key, job.id);
    return rows[0].length;
  }
}

/** The first byte of the body other than a BOM or whitespace (undefined for an empty body), and the whole body again. */
async function peekFirstByte(body: Readable): Promise<{ first: number | undefined; body: Readable }> {
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let first: number | undefined;
  while (first === undefined) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value as string);
    seen.push(chunk);
    first = chunk.find((byte) => !(byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0xef || byte === 0xbb || byte === 0xbf));
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* seen;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value as Buffer;
    }
  }
  return { first, body: Readable.from(replay(), { objectMode: false }) };
}
