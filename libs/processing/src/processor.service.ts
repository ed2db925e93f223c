import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { ErrorObject, operationsProcessed } from '../../common/src';
import { isConnectionError } from '../../database/src/connection-errors';
import { FreshStatistics } from '../../database/src/fresh-statistics';
import { REFERENCE_TARGETS } from '../../catalog/src/registry';
import { APPLIERS } from './appliers/registry';
import { RESOURCE_TYPES } from '../../import/src/resource-types';
import { Applier, ApplyContext, ApplyResult, checkApplierRegistry } from './applier';
import { KeyReference, ReferenceTarget, referenceId, uniqueReferences } from '../../catalog/src/references';
import { lockReferencesShared, wakeWaitingOperations } from '../../queue/src/waits';
import { touchProcessed } from '../../import/src/containers/container-status.service';
import { recordFinishedContainers } from '../../import/src/containers/container-finished';
import {
  claimBatch,
  ClaimedOperation,
  deleteWaits,
  insertWaits,
  lockOwnedOperation,
  lockOwnedOperations,
  OutcomeRow,
  recordOutcomes,
  releaseClaims,
  renewLeases,
  retryWithBackoff,
} from '../../queue/src';

/** What settling one operation of a batch came to: an outcome to record, or a failure to retry after the commit. */
type Settled = { operation: ClaimedOperation; result: ApplyResult; created: KeyReference[] } | { operation: ClaimedOperation; failure: unknown };

const MAX_ATTEMPTS = 5;

/** Thrown inside a settle transaction when operations it settled are no longer this worker's (rolls it back). */
class OwnershipLost extends Error {
  constructor(readonly count: number) {
    super(`${count} operation(s) of the batch are no longer claimed by this worker`);
  }
}
/** A batch is split into concurrently settled parts only when each part keeps at least this many operations. */
const MIN_PART_SIZE = 50;

export interface RunResult {
  claimed: number;
  imported: number;
  /** Operations of the batch left unsettled because the database went away (released once it is back). */
  interrupted?: number;
}

/**
 * Claims pending operations (FOR UPDATE SKIP LOCKED, one per resource key at a time, oldest first),
 * resolves their references and applies them: a batch settles in one transaction (settleBatch), each
 * operation isolated by a savepoint or applied set-wise, falling back to one transaction per operation.
 *
 * Leases: a claim holds an operation for PROCESSOR_LEASE_SECONDS (`locked_until`); while a batch settles,
 * a heartbeat renews the lease of its not yet settled operations every third of the lease. A worker that
 * dies (kill -9, lost host) stops renewing, so its claims are claimable by others after at most one lease.
 * A heartbeat racing with a take-over cannot steal back: it only renews rows still `locked_by` this worker,
 * and settle() re-checks `locked_by` under FOR UPDATE in its transaction, so an operation taken over is
 * skipped by the old owner and applied once, by the new one. (A row being settled is row-locked by its
 * transaction; the claim skips locked rows, and the heartbeat skips them too instead of waiting.)
 *
 * Database outages: a connection-level failure is not the operation's fault, so it does not count as one
 * of its MAX_ATTEMPTS; the batch stops, and the worker's unsettled claims are released (locked_by = NULL)
 * by the next runOnce() once the database answers again, so work resumes at once rather than after the lease.
 */
@Injectable()
export class ProcessorService {
  private readonly logger = new Logger('Processor');
  private readonly workerId = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly appliers = new Map<string, Applier>();
  private readonly targets = new Map<string, ReferenceTarget>();
  /** Set when a database call failed at the connection level: this worker may hold claims nobody settles. */
  private releasePending = false;
  /** Set by stop(): settle the operations in flight, take no more from the batch, release the rest. */
  private stopping = false;
  /** Wake-ups of waiting operations that failed after their creator committed (retried by the next run). */
  private pendingWakes: Array<{ projectKey: string; keys: KeyReference[] }> = [];
  /** Analyses the domain tables a bulk import is filling (see FreshStatistics), checked at most every few seconds. */
  private readonly statistics: FreshStatistics;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    for (const [type, applier] of checkApplierRegistry(APPLIERS, RESOURCE_TYPES.map((info) => info.type))) this.appliers.set(type, applier);
    for (const target of REFERENCE_TARGETS) this.targets.set(target.typeId, target);
    this.statistics = new FreshStatistics(dataSource);
  }

  /**
   * Claims one batch and settles it (settleBatch), split into up to PROCESSOR_CONCURRENCY parts settled at
   * the same time: a batch holds at most one operation per resource key, so its parts are independent and
   * each key's order is kept.
   */
  async runOnce(batchSize = this.config.processorBatchSize): Promise<RunResult> {
    await this.recover();
    if (this.stopping) return { claimed: 0, imported: 0 };
    let claimed: ClaimedOperation[];
    try {
      claimed = await this.claimBatch(batchSize);
    } catch (error) {
      // The claim may have committed without us hearing back: release whatever is ours once the database is back.
      if (isConnectionError(error)) this.releasePending = true;
      throw error;
    }
    if (claimed.length === 0) return { claimed: 0, imported: 0 };
    // Accept order (the claim returns rows in no particular order): set-wise appliers decide in this order,
    // so resources of one batch that compete (a slug, a SKU) end as they would one by one.
    claimed.sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
    let imported = 0;
    let interrupted = 0;
    const unsettled = new Set(claimed);
    const heartbeat = setInterval(() => void this.renewLeases([...unsettled]), Math.max(100, Math.floor((this.config.processorLeaseSeconds * 1000) / 3)));
    const count = (state: string) => {
      if (state === 'interrupted') {
        interrupted++;
        return;
      }
      operationsProcessed.inc({ state });
      if (state === 'imported') imported++;
    };
    try {
      const byProject = new Map<string, ClaimedOperation[]>();
      for (const operation of claimed) byProject.set(operation.project_key, [...(byProject.get(operation.project_key) ?? []), operation]);
      // A batch holds one operation per key, so its parts are independent: PROCESSOR_CONCURRENCY parts
      // settle at once, each in its own transaction (Node works on one while Postgres works on another).
      const parts: ClaimedOperation[][] = [];
      for (const operations of byProject.values()) {
        const partCount = Math.max(1, Math.min(this.config.processorConcurrency, Math.floor(operations.length / MIN_PART_SIZE)));
        parts.push(...this.independentParts(operations, partCount));
      }
      await Promise.all(
        parts.map(async (operations) => {
          if (this.releasePending || this.stopping) return;
          const states = await this.settleBatch(operations);
          for (const [index, state] of states.entries()) {
            unsettled.delete(operations[index]);
            count(state);
          }
        }),
      );
    } finally {
      clearInterval(heartbeat);
    }
    if (!this.releasePending) {
      const settled = claimed.filter((operation) => !unsettled.has(operation));
      await touchProcessed(this.dataSource, settled);
      // One statement per batch; records ImportContainerFinished for the containers this batch finished (see there).
      await recordFinishedContainers(this.dataSource, settled);
      await this.statistics.refresh();
    }
    interrupted += unsettled.size;
    if (unsettled.size > 0 || this.releasePending) {
      // Left by an outage or by stop(): give them back now rather than after the lease (if the database
      // is still away, the next runOnce() does it).
      this.releasePending = true;
      await this.recover().catch(() => undefined);
    }
    return { claimed: claimed.length, imported, ...(interrupted > 0 ? { interrupted } : {}) };
  }

  /**
   * Settles the claimed operations of one project in ONE transaction: one ownership check, one set of
   * reference locks, one resolution per typeId, set-wise appliers where a type has one (else each operation
   * under its own savepoint, so one failure never takes its neighbours down), all outcomes recorded in one
   * statement, waits inserted at once and woken once after the commit. If the batch transaction itself
   * fails (a deadlock, a constraint the appliers did not foresee), its operations are settled one by one.
   */
  private async settleBatch(operations: ClaimedOperation[], checkOwnership = false): Promise<string[]> {
    const projectKey = operations[0].project_key;
    let settled: Settled[];
    try {
      settled = await this.dataSource.transaction(async (manager) => {
        // Outcomes and domain changes commit together; if Postgres crashed before flushing the commit, both are
        // lost and the operations are simply processed again, so settling need not wait for the WAL flush.
        //
        // Still ours? (A lease that expired may have been taken over by another worker, a cancel or the reaper
        // may have ended the operation.) Checked up front, under row locks, only when the optimistic settle
        // failed that check: the outcome statement (recordAll) updates only operations still ours and still
        // processing, and when it finds fewer than it settled, the whole transaction is rolled back (OwnershipLost)
        // and the batch settled again here with the check first.
        let mine = operations;
        if (checkOwnership) {
          const ownedIds = await lockOwnedOperations(manager, projectKey, operations.map((o) => o.id), this.workerId);
          mine = operations.filter((operation) => ownedIds.has(operation.id));
        } else await manager.query(`SELECT set_config('synchronous_commit', 'off', true)`);
        const references = new Map<string, KeyReference[]>();
        for (const operation of mine) {
          const applier = this.appliers.get(operation.resource_type);
          if (applier) references.set(operation.id, this.referencesOf(operation));
        }
        const all = uniqueReferences([...references.values()].flat());
        await lockReferencesShared(manager, projectKey, all);
        const resolved = await this.resolveAll(manager, projectKey, all);
        const cache = new Map<string, unknown>();
        const outcomes = new Map<string, Settled>();
        // Keys of the batch's own resources, in accept order: a reference missing now may be created by an
        // earlier operation of this batch (a category and its parent, a product and its product type).
        const firstWithKey = new Map<string, number>();
        const providedKeys = (operation: ClaimedOperation) => this.providedKeys(operation);
        mine.forEach((operation, index) => {
          for (const key of providedKeys(operation)) if (!firstWithKey.has(key)) firstWithKey.set(key, index);
        });
        // Runs of consecutive operations of one type, in accept order: each run is applied as a group, so an
        // operation sees every change made by the operations accepted before it in the batch. An operation
        // that references a key an earlier operation of its own run may create starts a new run, so that it is
        // resolved after that run is applied, as one-by-one processing would.
        type Item = { operation: ClaimedOperation; context: ApplyContext; created: KeyReference[]; missing: KeyReference[] };
        const groups: Array<{ resourceType: string; items: Item[]; keys: Set<string> }> = [];
        for (const [index, operation] of mine.entries()) {
          const applier = this.appliers.get(operation.resource_type);
          if (!applier) {
            const errors = [{ code: 'InvalidOperation', message: `Resources of type '${operation.resource_type}' cannot be processed by this server.` }];
            outcomes.set(operation.id, { operation, result: { state: 'rejected', errors }, created: [] });
            continue;
          }
          const missing = references.get(operation.id)!.filter((reference) => !resolved.has(referenceId(reference)));
          if (missing.some((reference) => (firstWithKey.get(reference.key) ?? index) >= index)) {
            // Nothing accepted before it in this batch can create what it lacks: it waits, as today.
            outcomes.set(operation.id, { operation, result: { state: 'unresolved', unresolvedReferences: missing }, created: [] });
            continue;
          }
          const created: KeyReference[] = [];
          const context: ApplyContext = {
            manager,
            projectKey,
            resolved,
            resolve: async (reference) => (await this.resolveAll(manager, projectKey, [reference])).get(referenceId(reference)),
            created: (typeId, key) => created.push({ typeId, key }),
            cache,
          };
          const last = groups[groups.length - 1];
          const dependsOnRun = last !== undefined && missing.some((reference) => last.keys.has(reference.key));
          if (last?.resourceType === operation.resource_type && !dependsOnRun) {
            last.items.push({ operation, context, created, missing });
            for (const key of providedKeys(operation)) last.keys.add(key);
          } else groups.push({ resourceType: operation.resource_type, items: [{ operation, context, created, missing }], keys: new Set(providedKeys(operation)) });
        }
        for (const { resourceType, items } of groups) {
          // References created by the runs applied so far in this batch resolve now (one query per typeId).
          const stillMissing = uniqueReferences(items.flatMap((item) => item.missing).filter((reference) => !resolved.has(referenceId(reference))));
          if (stillMissing.length > 0) for (const [id, target] of await this.resolveAll(manager, projectKey, stillMissing)) resolved.set(id, target);
          const ready: Item[] = [];
          for (const item of items) {
            const lacking = item.missing.filter((reference) => !resolved.has(referenceId(reference)));
            if (lacking.length > 0) outcomes.set(item.operation.id, { operation: item.operation, result: { state: 'unresolved', unresolvedReferences: lacking }, created: [] });
            else ready.push(item);
          }
          if (ready.length === 0) continue;
          for (const outcome of await this.applyGroup(manager, this.appliers.get(resourceType)!, ready)) outcomes.set(outcome.operation.id, outcome);
          // Cached lookups (product types, custom types) may be changed by the next group.
          cache.clear();
        }
        const results = [...outcomes.values()];
        await this.recordAll(manager, projectKey, results.filter((outcome): outcome is Extract<Settled, { result: ApplyResult }> => 'result' in outcome));
        return results;
      });
    } catch (error) {
      // Some operation stopped being ours while the batch settled: everything was rolled back; settle again, checking first.
      if (error instanceof OwnershipLost && !checkOwnership) return this.settleBatch(operations, true);
      if (isConnectionError(error)) {
        this.logger.warn(`batch of ${operations.length} interrupted, database unreachable: ${error instanceof Error ? error.message : String(error)}`);
        this.releasePending = true;
        return operations.map(() => 'interrupted');
      }
      // A single operation's own transaction failed: retried later with back-off (or rejected after MAX_ATTEMPTS).
      if (operations.length === 1) return [await this.retryLater(operations[0], error)];
      // The batch as a whole failed: settle its operations one by one, each in its own transaction.
      this.logger.warn(`batch of ${operations.length} failed (${error instanceof Error ? error.message : String(error)}); settling one by one`);
      const states: string[] = [];
      for (const operation of operations) {
        if (this.releasePending || this.stopping) break;
        states.push(...(await this.settleBatch([operation], checkOwnership)));
      }
      return states;
    }
    // After the commit: operations waiting for what this batch created go back to `processing`.
    const created = uniqueReferences(settled.flatMap((outcome) => ('result' in outcome ? outcome.created : [])));
    if (created.length > 0) await this.wake(projectKey, created);
    const stateOf = new Map<string, string>();
    for (const outcome of settled) {
      stateOf.set(outcome.operation.id, 'result' in outcome ? outcome.result.state : await this.retryLater(outcome.operation, outcome.failure));
    }
    // Operations no longer ours (taken over after a lease ran out) were skipped.
    return operations.map((operation) => stateOf.get(operation.id) ?? 'skipped');
  }

  /**
   * Applies the operations of one resource type: set-wise when the applier can (its writes under one
   * savepoint, redone one by one if it throws), else each under its own savepoint. A failure of one
   * operation rolls back only its own writes and is retried after the commit (retryLater).
   */
  private async applyGroup(
    manager: EntityManager,
    applier: Applier,
    items: Array<{ operation: ClaimedOperation; context: ApplyContext; created: KeyReference[] }>,
  ): Promise<Settled[]> {
    if (applier.applyMany && items.length > 1) {
      await manager.query('SAVEPOINT berth_group');
      try {
        const results = await applier.applyMany(items.map(({ operation, context }) => ({ resource: operation.payload, context })));
        await manager.query('RELEASE SAVEPOINT berth_group');
        return items.map(({ operation, created }, index) => ({ operation, result: results[index], created }));
      } catch (error) {
        if (isConnectionError(error)) throw error;
        await manager.query('ROLLBACK TO SAVEPOINT berth_group');
        // Rows loaded and locked by the failed attempt are unlocked again: nothing cached may be trusted.
        items[0].context.cache.clear();
        this.logger.warn(`set-wise ${applier.resourceType} of ${items.length} failed (${error instanceof Error ? error.message : String(error)}); applying one by one`);
        for (const item of items) item.created.length = 0;
      }
    }
    const settled: Settled[] = [];
    for (const { operation, context, created } of items) {
      await manager.query('SAVEPOINT berth_operation');
      try {
        const result = await applier.apply(operation.payload, context);
        await manager.query('RELEASE SAVEPOINT berth_operation');
        settled.push({ operation, result, created });
      } catch (error) {
        if (isConnectionError(error)) throw error;
        await manager.query('ROLLBACK TO SAVEPOINT berth_operation');
        created.length = 0;
        settled.push({ operation, failure: error });
      }
    }
    return settled;
  }

  /** Per claimed operation: its references and the keys it provides, read from its payload once (splitting and settling both ask). */
  private readonly keysOf = new WeakMap<ClaimedOperation, { references: KeyReference[]; provides: string[] }>();

  private operationKeys(operation: ClaimedOperation): { references: KeyReference[]; provides: string[] } {
    let keys = this.keysOf.get(operation);
    if (!keys) {
      const applier = this.appliers.get(operation.resource_type);
      keys = {
        references: applier ? uniqueReferences(applier.references(operation.payload)) : [],
        provides: [operation.resource_key, ...(applier?.provides?.(operation.payload) ?? [])],
      };
      this.keysOf.set(operation, keys);
    }
    return keys;
  }

  /** The unique references of an operation's resource. */
  private referencesOf(operation: ClaimedOperation): KeyReference[] {
    return this.operationKeys(operation).references;
  }

  /** The keys applying an operation creates: its own, and those its applier names (a product draft's variant keys). */
  private providedKeys(operation: ClaimedOperation): string[] {
    return this.operationKeys(operation).provides;
  }

  /**
   * Splits a project's claimed operations (accept order) into up to `partCount` parts settled at the same time, each in
   * its own transaction. A part cannot see what another creates before both commit, so operations that reference a
   * key another operation of the batch provides (a product and its product type or category, a price and the draft
   * of its variant, a category and its parent) stay in one part with it, where settleBatch applies them in accept
   * order; independent groups are spread over the parts (each to the smallest so far). Each part keeps accept order.
   */
  private independentParts(operations: ClaimedOperation[], partCount: number): ClaimedOperation[][] {
    if (partCount <= 1) return [operations];
    const provider = new Map<string, number>();
    operations.forEach((operation, index) => {
      for (const key of this.providedKeys(operation)) if (!provider.has(key)) provider.set(key, index);
    });
    const parent = operations.map((_, index) => index);
    const root = (index: number): number => {
      while (parent[index] !== index) {
        parent[index] = parent[parent[index]];
        index = parent[index];
      }
      return index;
    };
    operations.forEach((operation, index) => {
      for (const reference of this.referencesOf(operation)) {
        const other = provider.get(reference.key);
        if (other !== undefined && other !== index) parent[root(index)] = root(other);
      }
    });
    const groups = new Map<number, number[]>();
    operations.forEach((_, index) => {
      const group = root(index);
      const members = groups.get(group);
      if (members) members.push(index);
      else groups.set(group, [index]);
    });
    const parts: number[][] = Array.from({ length: partCount }, () => []);
    for (const members of [...groups.values()].sort((a, b) => b.length - a.length)) {
      parts.reduce((smallest, part) => (part.length < smallest.length ? part : smallest)).push(...members);
    }
    return parts.filter((part) => part.length > 0).map((part) => part.sort((a, b) => a - b).map((index) => operations[index]));
  }

  /**
   * Every outcome of a batch in one statement; their waits replaced in two. Only operations still claimed by this
   * worker and still processing are updated: if any is not, OwnershipLost is thrown (the caller's transaction rolls back).
   */
  private async recordAll(manager: EntityManager, projectKey: string, outcomes: Array<{ operation: ClaimedOperation; result: ApplyResult }>): Promise<void> {
    if (outcomes.length === 0) return;
    const rows: OutcomeRow[] = outcomes.map(({ operation, result }) => {
      const unresolved = result.state === 'unresolved' || result.state === 'waitForMasterVariant' ? (result.unresolvedReferences ?? []) : [];
      const errors: ErrorObject[] = result.state === 'validationFailed' || result.state === 'rejected' ? result.errors : [];
      return {
        id: operation.id,
        state: result.state,
        resource_version: result.state === 'imported' ? result.resourceVersion : null,
        errors: errors.length > 0 ? errors : null,
        unresolved: unresolved.length > 0 ? unresolved : null,
      };
    });
    const updated = await recordOutcomes(manager, projectKey, this.workerId, rows);
    if (updated !== rows.length) throw new OwnershipLost(rows.length - updated);
    const hadWaits = outcomes.filter(({ operation }) => operation.had_waits).map(({ operation }) => operation.id);
    if (hadWaits.length > 0) await deleteWaits(manager, projectKey, hadWaits);
    const waits = rows.flatMap((row) => (row.unresolved ?? []).map((reference) => ({ id: row.id, typeId: reference.typeId, key: reference.key })));
    if (waits.length > 0) await insertWaits(manager, projectKey, waits);
  }

  /** Wakes operations waiting for these keys (after the commit that created them); a failure is replayed later. */
  private async wake(projectKey: string, keys: KeyReference[]): Promise<void> {
    try {
      await wakeWaitingOperations(this.dataSource, projectKey, keys);
    } catch (error) {
      this.logger.warn(`waking operations waiting for ${keys.length} key(s) failed, retrying later: ${error instanceof Error ? error.message : String(error)}`);
      this.pendingWakes.push({ projectKey, keys });
      if (isConnectionError(error)) this.releasePending = true;
    }
  }

  /**
   * Graceful shutdown: the operations being settled finish, the rest of the batch is not started, and
   * this worker's unsettled claims are released for other workers. Call release() after the loop ended.
   */
  stop(): void {
    this.stopping = true;
  }

  /** Releases every claim this worker still holds (graceful shutdown); throws when the database is unreachable. */
  async release(): Promise<number> {
    const count = await releaseClaims(this.dataSource, this.workerId);
    this.releasePending = false;
    return count;
  }

  /**
   * After a connection-level failure: releases this worker's unsettled claims (without counting the try
   * as an attempt) and replays failed wake-ups. Throws while the database is still unreachable.
   */
  private async recover(): Promise<void> {
    if (this.releasePending) {
      const released = await this.release();
      if (released > 0) this.logger.log(`database reachable again: released ${released} unsettled claim(s)`);
    }
    while (this.pendingWakes.length > 0) {
      const { projectKey, keys } = this.pendingWakes[0];
      try {
        await wakeWaitingOperations(this.dataSource, projectKey, keys);
      } catch (error) {
        // Still unreachable: keep it for the next run. Any other failure was retried once already: give up.
        if (isConnectionError(error)) throw error;
        this.logger.warn(`waking waiting operations failed again, giving up: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.pendingWakes.shift();
    }
  }

  /** Heartbeat: extends the lease of the batch's unsettled operations that are still ours. */
  private async renewLeases(operations: ClaimedOperation[]): Promise<void> {
    if (operations.length === 0) return;
    try {
      await renewLeases(this.dataSource, this.workerId, operations, this.config.processorLeaseSeconds);
    } catch (error) {
      // Not fatal: at worst the lease runs out and another worker takes the operations over (settle() re-checks ownership).
      if (isConnectionError(error)) this.releasePending = true;
      this.logger.warn(`lease renewal failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Runs batches until nothing is claimable (tests and the CLI use this to drain). */
  async drain(maxBatches = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const { claimed } = await this.runOnce();
      if (claimed === 0) break;
      total += claimed;
    }
    return total;
  }

  /** Claims up to batchSize due operations (the oldest open one per resource key) in a transaction of its own (see claimBatch in libs/queue). */
  private async claimBatch(batchSize: number): Promise<ClaimedOperation[]> {
    return this.dataSource.transaction((manager) => claimBatch(manager, this.workerId, batchSize, this.config.processorLeaseSeconds));
  }

  private async resolveAll(manager: EntityManager, projectKey: string, references: KeyReference[]): Promise<Map<string, string>> {
    const resolved = new Map<string, string>();
    const byType = new Map<string, string[]>();
    for (const reference of references) byType.set(reference.typeId, [...(byType.get(reference.typeId) ?? []), reference.key]);
    for (const [typeId, keys] of byType) {
      const target = this.targets.get(typeId);
      if (!target) continue;
      const keyColumn = target.keyColumn ?? 'key';
      const rows = (await manager.query(`SELECT id, ${keyColumn} AS key FROM ${target.table} WHERE project_key = $1 AND ${keyColumn} = ANY($2::text[])`, [
        projectKey,
        keys,
      ])) as Array<{ id: string; key: string }>;
      for (const row of rows) resolved.set(`${typeId}:${row.key}`, row.id);
    }
    return resolved;
  }

  private async retryLater(operation: ClaimedOperation, error: unknown): Promise<string> {
    const message = error instanceof Error ? error.message : String(error);
    if (isConnectionError(error)) {
      // The database went away, not the operation's fault: no attempt is used up; the claim is released
      // once the database is back (recover()).
      this.logger.warn(`operation ${operation.id} interrupted, database unreachable: ${message}`);
      this.releasePending = true;
      return 'interrupted';
    }
    this.logger.warn(`operation ${operation.id} (attempt ${operation.attempts}) failed: ${message}`);
    try {
      if (operation.attempts >= MAX_ATTEMPTS) {
        const rejected = await this.dataSource.transaction(async (manager) => {
          // Only while still ours: an operation taken over by another worker is that worker's to settle.
          if (!(await lockOwnedOperation(manager, operation.project_key, operation.id, this.workerId))) return false;
          await this.recordAll(manager, operation.project_key, [
            { operation, result: { state: 'rejected', errors: [{ code: 'ResourceCreation', message: `The resource could not be imported: ${message}` }] } },
          ]);
          return true;
        });
        if (!rejected) return 'skipped';
        this.logger.warn(`operation ${operation.id} failed ${operation.attempts} times, rejected: ${message}`);
        return 'rejected';
      }
      // Exponential backoff in SQL columns: 1 s, 2 s, 4 s, …
      await retryWithBackoff(this.dataSource, operation.project_key, operation.id, this.workerId);
      return 'retry';
    } catch (recordError) {
      if (!isConnectionError(recordError)) throw recordError;
      this.releasePending = true;
      return 'interrupted';
    }
  }
}
