import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { metricsRegistry } from '../../common/src/metrics';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { EVENT_COLUMNS, ImportEventRow, recordEvent, toEventView } from '../../events/src';
import { signatureHeader } from './signature';
import { UrlAllowlist } from './url-allowlist';
import { sendWebhook, WebhookResult } from './webhook-sender';

/** The first retry comes this long after the first failure; each further one waits twice as long (capped by WEBHOOK_MAX_BACKOFF). */
export const FIRST_RETRY_MS = 5000;
/** A lease outlives the longest attempt (the timeout) by this margin; a dead worker's subscriptions are free after it. */
const LEASE_MARGIN_MS = 30_000;
const ENQUEUE_SUBSCRIPTIONS = 100;
const ENQUEUE_EVENTS = 500;
const ENQUEUE_ROUNDS = 20;
/** Deliveries sent in a row under one claim before the subscription is released (others get their turn). */
const DELIVERIES_PER_CLAIM = 20;
const CLEANUP_EVERY_MS = 600_000;
const CLEANUP_BATCH = 1000;

export const webhookDeliveries =
  (metricsRegistry.getSingleMetric('berth_webhook_deliveries_total') as Counter<'outcome'> | undefined) ??
  new Counter({ name: 'berth_webhook_deliveries_total', help: 'Webhook delivery attempts, by outcome (delivered, failed)', labelNames: ['outcome'], registers: [metricsRegistry] });

export interface ClaimedSubscription {
  projectKey: string;
  id: string;
  key: string;
}

export interface DeliveryRunResult {
  /** Deliveries queued from new events. */
  enqueued: number;
  /** Attempts answered 2xx. */
  delivered: number;
  /** Attempts that failed (non-2xx, timeout, connection error). */
  failed: number;
  /** Subscriptions disabled after WEBHOOK_MAX_ATTEMPTS_BEFORE_DISABLE consecutive failures. */
  disabled: number;
}

interface SubscriptionCursorRow {
  project_key: string;
  id: string;
  event_cursor: string;
  events: string[];
}

interface HeadRow {
  sequence_number: string;
  event_id: string;
  event_type: string;
  body: string;
  attempts: number;
  next_attempt_at: Date;
  url: string;
  secret: string;
}

type Clock = () => Date;

/**
 * Webhook delivery (worker role `webhooks`), all state in SQL:
 *
 * 1. enqueue: each enabled subscription's cursor (`event_cursor`) follows its project's events; new events of the
 *    subscribed types are copied, in sequence order, into `subscription_deliveries` (pending).
 * 2. claim: a subscription whose queue head is due is leased (`locked_by`, `locked_until`) in one statement with
 *    FOR UPDATE SKIP LOCKED, so two workers never deliver one subscription at the same time; a dead worker's lease
 *    expires after WEBHOOK_TIMEOUT_MS + 30 s.
 * 3. deliver: the head, then the next ones, strictly in order; a failing head blocks the queue behind it and is
 *    retried with exponential backoff (`next_attempt_at`); after N consecutive failures the subscription is disabled
 *    (SubscriptionDisabled event).
 *
 * `runOnce(now)` does all of it once (tests pass `now` to drive the backoff); WebhooksRunner runs it continuously.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly logger = new Logger('Webhooks');
  readonly workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly allowlist: UrlAllowlist;
  private stopped = false;
  private lastCleanupAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    this.allowlist = new UrlAllowlist(config.webhookUrlAllowlist);
  }

  private get leaseMs(): number {
    return this.config.webhookTimeoutMs + LEASE_MARGIN_MS;
  }

  /** Enqueues new events, then delivers everything due (WEBHOOK_CONCURRENCY subscriptions at a time) until nothing is. */
  async runOnce(now?: Date): Promise<DeliveryRunResult> {
    const clock: Clock = now ? () => now : () => new Date();
    const result: DeliveryRunResult = { enqueued: await this.enqueue(clock()), delivered: 0, failed: 0, disabled: 0 };
    const lane = async () => {
      for (;;) {
        if (this.stopped) return;
        const claimed = await this.claim(clock());
        if (!claimed) return;
        const outcome = await this.deliverClaimed(claimed, clock);
        result.delivered += outcome.delivered;
        result.failed += outcome.failed;
        result.disabled += outcome.disabled;
      }
    };
    await Promise.all(Array.from({ length: this.config.webhookConcurrency }, lane));
    await this.cleanup(clock());
    return result;
  }

  /** No new claims from now on (in-flight deliveries finish). */
  stop(): void {
    this.stopped = true;
  }

  /** Copies new events of the subscribed types into the subscriptions' queues; returns how many deliveries were queued. */
  async enqueue(now: Date = new Date()): Promise<number> {
    let queued = 0;
    for (let round = 0; round < ENQUEUE_ROUNDS; round++) {
      const { inserted, more } = await this.dataSource.transaction(async (manager) => this.enqueueRound(manager, now));
      queued += inserted;
      if (!more) break;
    }
    return queued;
  }

  private async enqueueRound(manager: EntityManager, now: Date): Promise<{ inserted: number; more: boolean }> {
    // Sequence numbers of a project follow commit order (see recordEvents), so `> event_cursor` never misses one.
    // FOR UPDATE waits (never SKIP LOCKED): a row is locked only for a moment by a delivery's settle or an API
    // change, and skipping it would leave its new events unqueued until the next tick. Two enqueuers lock in
    // the same order; the second one then finds the cursor moved on.
    const subscriptions = (await manager.query(
      `SELECT s.project_key, s.id, s.event_cursor, s.events
         FROM subscriptions s
        WHERE s.enabled
          AND EXISTS (SELECT 1 FROM import_events e WHERE e.project_key = s.project_key AND e.sequence_number > s.event_cursor)
        ORDER BY s.project_key, s.id
        LIMIT $1
        FOR UPDATE`,
      [ENQUEUE_SUBSCRIPTIONS],
    )) as SubscriptionCursorRow[];
    let inserted = 0;
    let more = subscriptions.length === ENQUEUE_SUBSCRIPTIONS;
    for (const subscription of subscriptions) {
      const events = (await manager.query(
        `SELECT ${EVENT_COLUMNS} FROM import_events WHERE project_key = $1 AND sequence_number > $2 ORDER BY sequence_number LIMIT $3`,
        [subscription.project_key, subscription.event_cursor, ENQUEUE_EVENTS],
      )) as ImportEventRow[];
      if (events.length === 0) continue;
      if (events.length === ENQUEUE_EVENTS) more = true;
      const matching = events.filter((event) => subscription.events.includes(event.type));
      if (matching.length > 0) {
        const rows = (await manager.query(
          `INSERT INTO subscription_deliveries (project_key, subscription_id, sequence_number, event_id, event_type, body, next_attempt_at)
           SELECT $1, $2, d.sequence_number, d.event_id, d.event_type, d.body, $4
             FROM jsonb_to_recordset($3::jsonb) AS d(sequence_number bigint, event_id uuid, event_type text, body text)
           ON CONFLICT DO NOTHING
           RETURNING 1`,
          [
            subscription.project_key,
            subscription.id,
            JSON.stringify(matching.map((event) => ({ sequence_number: event.sequence_number, event_id: event.id, event_type: event.type, body: JSON.stringify(toEventView(event)) }))),
            now,
          ],
        )) as unknown[];
        inserted += rows.length;
      }
      await manager.query(`UPDATE subscriptions SET event_cursor = $3 WHERE project_key = $1 AND id = $2`, [subscription.project_key, subscription.id, events[events.length - 1].sequence_number]);
    }
    return { inserted, more };
  }

  /** Leases one enabled subscription whose queue head is due (least recently claimed first); undefined when none is. */
  async claim(now: Date = new Date()): Promise<ClaimedSubscription | undefined> {
    const [rows] = (await this.dataSource.query(
      `UPDATE subscriptions s
          SET locked_by = $2, locked_until = $1::timestamptz + $3::int * interval '1 millisecond'
         FROM (SELECT c.project_key, c.id
                 FROM subscriptions c
                WHERE c.enabled
                  AND (c.locked_by IS NULL OR c.locked_until <= $1)
                  AND (SELECT d.next_attempt_at FROM subscription_deliveries d
                        WHERE d.project_key = c.project_key AND d.subscription_id = c.id AND d.state = 'pending'
                        ORDER BY d.sequence_number LIMIT 1) <= $1
                ORDER BY c.locked_until NULLS FIRST, c.project_key, c.id
                LIMIT 1
                FOR UPDATE SKIP LOCKED) picked
        WHERE s.project_key = picked.project_key AND s.id = picked.id
        RETURNING s.project_key, s.id, s.key`,
      [now, this.workerId, this.leaseMs],
    )) as [Array<{ project_key: string; id: string; key: string }>, number];
    const row = rows[0];
    return row ? { projectKey: row.project_key, id: row.id, key: row.key } : undefined;
  }

  /** Delivers a claimed subscription's due deliveries in order (stopping at the first failure), then releases it. */
  async deliverClaimed(claimed: ClaimedSubscription, clock: Clock = () => new Date()): Promise<Omit<DeliveryRunResult, 'enqueued'>> {
    const outcome = { delivered: 0, failed: 0, disabled: 0 };
    try {
      for (let sent = 0; sent < DELIVERIES_PER_CLAIM && !this.stopped; sent++) {
        const now = clock();
        // Re-read with the subscription each time: a PUT (URL, disabling) or a lost lease takes effect at once.
        const [head] = (await this.dataSource.query(
          `SELECT d.sequence_number, d.event_id, d.event_type, d.body, d.attempts, d.next_attempt_at, s.url, s.secret
             FROM subscription_deliveries d
             JOIN subscriptions s ON s.project_key = d.project_key AND s.id = d.subscription_id
            WHERE d.project_key = $1 AND d.subscription_id = $2 AND d.state = 'pending' AND s.enabled AND s.locked_by = $3
            ORDER BY d.sequence_number
            LIMIT 1`,
          [claimed.projectKey, claimed.id, this.workerId],
        )) as HeadRow[];
        if (!head || head.next_attempt_at.getTime() > now.getTime()) break;
        const timestamp = Math.floor(now.getTime() / 1000);
        const result = await sendWebhook(
          {
            url: head.url,
            body: head.body,
            timeoutMs: this.config.webhookTimeoutMs,
            headers: {
              'Content-Type': 'application/json',
              'User-Agent': 'Berth-Webhooks/1',
              'Berth-Event-Id': head.event_id,
              'Berth-Event-Type': head.event_type,
              'Berth-Subscription-Key': claimed.key,
              'Berth-Delivery-Attempt': String(head.attempts + 1),
              'Berth-Signature': signatureHeader(head.secret, timestamp, head.body),
            },
          },
          this.allowlist,
        );
        const settledAt = clock();
        if (result.ok) {
          await this.settleSuccess(claimed, head, result, settledAt);
          webhookDeliveries.inc({ outcome: 'delivered' });
          outcome.delivered++;
          continue;
        }
        webhookDeliveries.inc({ outcome: 'failed' });
        outcome.failed++;
        if (await this.settleFailure(claimed, head, result, settledAt)) outcome.disabled++;
        break;
      }
    } catch (error) {
      this.logger.warn(`delivery of subscription ${claimed.key} (project ${claimed.projectKey}) interrupted: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await this.release(claimed, clock()).catch((error: unknown) =>
        this.logger.warn(`could not release subscription ${claimed.key} (its lease expires by itself): ${error instanceof Error ? error.message : String(error)}`),
      );
    }
    return outcome;
  }

  private async settleSuccess(claimed: ClaimedSubscription, head: HeadRow, result: WebhookResult, at: Date): Promise<void> {
    await this.dataSource.query(
      `WITH delivered AS (
         UPDATE subscription_deliveries
            SET state = 'delivered', attempts = attempts + 1, last_status_code = $4, last_error = NULL,
                last_attempt_at = $5, delivered_at = $5, next_attempt_at = NULL
          WHERE project_key = $1 AND subscription_id = $2 AND sequence_number = $3 AND state = 'pending'
          RETURNING 1)
       UPDATE subscriptions
          SET consecutive_failures = 0, locked_until = $5::timestamptz + $7::int * interval '1 millisecond'
        WHERE project_key = $1 AND id = $2 AND locked_by = $6`,
      [claimed.projectKey, claimed.id, head.sequence_number, result.statusCode ?? null, at, this.workerId, this.leaseMs],
    );
  }

  /** Records the failed attempt and schedules the retry; disables the subscription after N failures in a row. True when it did. */
  private async settleFailure(claimed: ClaimedSubscription, head: HeadRow, result: WebhookResult, at: Date): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `WITH failing AS (
           UPDATE subscriptions SET consecutive_failures = consecutive_failures + 1
            WHERE project_key = $1 AND id = $2
            RETURNING consecutive_failures)
         UPDATE subscription_deliveries d
            SET attempts = d.attempts + 1, last_status_code = $4, last_error = $5, last_attempt_at = $6,
                next_attempt_at = $6::timestamptz + LEAST($7::float8 * power(2, LEAST(failing.consecutive_failures - 1, 40)), $8::float8) * interval '1 millisecond'
           FROM failing
          WHERE d.project_key = $1 AND d.subscription_id = $2 AND d.sequence_number = $3 AND d.state = 'pending'
          RETURNING failing.consecutive_failures`,
        [claimed.projectKey, claimed.id, head.sequence_number, result.statusCode ?? null, result.error ?? null, at, FIRST_RETRY_MS, this.config.webhookMaxBackoffMs],
      )) as [Array<{ consecutive_failures: number }>, number];
      const failures = rows[0]?.consecutive_failures ?? 0;
      if (failures < this.config.webhookMaxAttemptsBeforeDisable) return false;
      const [disabled] = (await manager.query(
        `UPDATE subscriptions SET enabled = false, version = version + 1, last_modified_at = now()
          WHERE project_key = $1 AND id = $2 AND enabled
          RETURNING id, key, version`,
        [claimed.projectKey, claimed.id],
      )) as [Array<{ id: string; key: string; version: number }>, number];
      if (disabled.length === 0) return false;
      await recordEvent(manager, {
        projectKey: claimed.projectKey,
        type: 'SubscriptionDisabled',
        resource: { typeId: 'subscription', key: disabled[0].key },
        data: {
          id: disabled[0].id,
          version: disabled[0].version,
          reason: 'ConsecutiveFailures',
          consecutiveFailures: failures,
          eventId: head.event_id,
          ...(result.statusCode !== undefined ? { lastStatusCode: result.statusCode } : {}),
          ...(result.error !== undefined ? { lastError: result.error } : {}),
        },
      });
      this.logger.warn(`subscription ${disabled[0].key} (project ${claimed.projectKey}) disabled after ${failures} consecutive failed deliveries`);
      return true;
    });
  }

  private async release(claimed: ClaimedSubscription, at: Date): Promise<void> {
    await this.dataSource.query(`UPDATE subscriptions SET locked_by = NULL, locked_until = $3 WHERE project_key = $1 AND id = $2 AND locked_by = $4`, [
      claimed.projectKey,
      claimed.id,
      at,
      this.workerId,
    ]);
  }

  /** Releases every lease this process holds (shutdown): another worker continues at once instead of after the lease. */
  async releaseAll(): Promise<number> {
    const [, count] = (await this.dataSource.query(`UPDATE subscriptions SET locked_by = NULL, locked_until = now() WHERE locked_by = $1`, [this.workerId])) as [unknown, number];
    return count;
  }

  /** Bounded delete of delivered deliveries older than WEBHOOK_DELIVERY_LOG_DAYS (at most every 10 minutes per process). */
  private async cleanup(now: Date): Promise<void> {
    if (Date.now() - this.lastCleanupAt < CLEANUP_EVERY_MS) return;
    this.lastCleanupAt = Date.now();
    await this.dataSource.query(
      `DELETE FROM subscription_deliveries
        WHERE (project_key, subscription_id, sequence_number) IN (
          SELECT project_key, subscription_id, sequence_number FROM subscription_deliveries
           WHERE state = 'delivered' AND delivered_at < $1::timestamptz - $2::int * interval '1 day'
           LIMIT $3)`,
      [now, this.config.webhookDeliveryLogDays, CLEANUP_BATCH],
    );
  }
}
