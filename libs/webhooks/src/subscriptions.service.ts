import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { BadRequest, ConcurrentModification, DuplicateField, ErrorObject, NotFound, PagedResponse, invalidField, pagedResponse, parsePageQuery } from '../../common/src';
import { PG_UNIQUE_VIOLATION, pgErrorCode } from '../../database/src';
import { EVENT_TYPES, EventType, recordEvent } from '../../events/src';
import { CreatedSubscriptionView, DeliveryView, SubscriptionDraftDto, SubscriptionUpdateDraftDto, SubscriptionView } from './subscription.dto';
import { UrlAllowlist } from './url-allowlist';

export interface SubscriptionRow {
  id: string;
  key: string;
  version: number;
  url: string;
  events: string[];
  enabled: boolean;
  consecutive_failures: number;
  created_at: Date;
  last_modified_at: Date;
}

interface DeliveryRow {
  event_id: string;
  event_type: string;
  sequence_number: string;
  state: 'pending' | 'delivered';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
}

/** Never includes `secret`: it leaves the database only for signing, and in the creation response. */
const COLUMNS = 'id, key, version, url, events, enabled, consecutive_failures, created_at, last_modified_at';
const DELIVERY_COLUMNS = 'event_id, event_type, sequence_number, state, attempts, last_status_code, last_error, next_attempt_at, last_attempt_at, delivered_at, created_at';

export const SORTABLE_SUBSCRIPTION_FIELDS: Record<string, string> = { key: 'key', createdAt: 'created_at', lastModifiedAt: 'last_modified_at' };
export const SORTABLE_DELIVERY_FIELDS: Record<string, string> = { sequenceNumber: 'sequence_number', createdAt: 'created_at', nextAttemptAt: 'next_attempt_at' };

const KNOWN_EVENT_TYPES: readonly string[] = EVENT_TYPES;

export function toSubscriptionView(row: SubscriptionRow): SubscriptionView {
  return {
    id: row.id,
    key: row.key,
    version: row.version,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    consecutiveFailures: row.consecutive_failures,
    createdAt: row.created_at.toISOString(),
    lastModifiedAt: row.last_modified_at.toISOString(),
  };
}

function toDeliveryView(row: DeliveryRow): DeliveryView {
  return {
    eventId: row.event_id,
    eventType: row.event_type,
    sequenceNumber: Number(row.sequence_number),
    state: row.state,
    attempts: row.attempts,
    ...(row.last_status_code !== null ? { lastStatusCode: row.last_status_code } : {}),
    ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    ...(row.state === 'pending' && row.next_attempt_at ? { nextAttemptAt: row.next_attempt_at.toISOString() } : {}),
    ...(row.last_attempt_at ? { lastAttemptAt: row.last_attempt_at.toISOString() } : {}),
    ...(row.delivered_at ? { deliveredAt: row.delivered_at.toISOString() } : {}),
    createdAt: row.created_at.toISOString(),
  };
}

/** Subscriptions per project (each one costs a queue and outbound requests): a bound, not a business rule. */
export const MAX_SUBSCRIPTIONS_PER_PROJECT = 100;
const DNS_TIMEOUT_MS = 3000;

/** The addresses of a name, or none when it does not resolve within the time (a broken resolver must not hold the request). */
async function resolveWithin(hostname: string, timeoutMs: number): Promise<Array<{ address: string }>> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookup(hostname, { all: true }).catch(() => []),
      new Promise<[]>((resolve) => {
        timer = setTimeout(() => resolve([]), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const subscriptionNotFound = (key: string) => new NotFound(`Subscription ${key} does not exist`);

/** A signing secret: 32 random bytes, base64url, prefixed so it is recognisable in a secret store. */
export const generateSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/**
 * Webhook subscriptions of a project: CRUD (versioned), and the delivery log. Every change is recorded as an event
 * in its transaction. Delivery itself is WebhookDeliveryService's (worker role `webhooks`).
 */
@Injectable()
export class SubscriptionsService {
  private readonly allowlist: UrlAllowlist;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BERTH_CONFIG) config: BerthConfig,
  ) {
    this.allowlist = new UrlAllowlist(config.webhookUrlAllowlist);
  }

  async create(projectKey: string, draft: SubscriptionDraftDto, actor?: string): Promise<CreatedSubscriptionView> {
    const events = await this.validate(draft.url, draft.events);
    const secret = draft.secret ?? generateSecret();
    return this.dataSource.transaction(async (manager) => {
      // Serialise creates per project so the limit cannot be overrun by concurrent requests.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('subscriptions:' || $1))`, [projectKey]);
      const [{ count }] = (await manager.query(`SELECT count(*)::int AS count FROM subscriptions WHERE project_key = $1`, [projectKey])) as Array<{ count: number }>;
      if (count >= MAX_SUBSCRIPTIONS_PER_PROJECT) {
        const message = `The project already has the maximum of ${MAX_SUBSCRIPTIONS_PER_PROJECT} subscriptions; delete one first.`;
        throw new BadRequest([{ code: 'InvalidOperation', message }], message);
      }
      let row: SubscriptionRow;
      try {
        [row] = (await manager.query(
          `INSERT INTO subscriptions (project_key, key, url, events, enabled, secret) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
          [projectKey, draft.key, draft.url, events, draft.enabled ?? true, secret],
        )) as SubscriptionRow[];
      } catch (error) {
        if (pgErrorCode(error) === PG_UNIQUE_VIOLATION) throw new DuplicateField('key', draft.key, `A duplicate value '"${draft.key}"' exists for field 'key'.`);
        throw error;
      }
      const event = await recordEvent(manager, {
        projectKey,
        type: 'SubscriptionCreated',
        resource: { typeId: 'subscription', key: row.key },
        actor,
        data: { id: row.id, url: row.url, events: row.events, enabled: row.enabled },
      });
      // The queue starts after the subscription's own creation: events committed later have larger numbers
      // (recordEvent holds the project's event-order lock until this transaction commits).
      await this.startCursorAt(manager, projectKey, row.id, event.sequenceNumber);
      return { ...toSubscriptionView(row), secret };
    });
  }

  async get(projectKey: string, key: string): Promise<SubscriptionView> {
    const row = await this.findRow(this.dataSource.manager, projectKey, key);
    if (!row) throw subscriptionNotFound(key);
    return toSubscriptionView(row);
  }

  async query(projectKey: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<SubscriptionView>> {
    const page = parsePageQuery(rawQuery, SORTABLE_SUBSCRIPTION_FIELDS, ['created_at ASC'], 'id ASC');
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM subscriptions WHERE project_key = $1`, [projectKey])) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(`SELECT ${COLUMNS} FROM subscriptions WHERE project_key = $1 ORDER BY ${page.orderBy.join(', ')} LIMIT $2 OFFSET $3`, [
            projectKey,
            page.limit,
            page.offset,
          ])) as SubscriptionRow[]);
    return pagedResponse(page, total, rows.map(toSubscriptionView));
  }

  async update(projectKey: string, key: string, draft: SubscriptionUpdateDraftDto, actor?: string): Promise<SubscriptionView> {
    const events = await this.validate(draft.url, draft.events);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.findRow(manager, projectKey, key, true);
      if (!current) throw subscriptionNotFound(key);
      if (current.version !== draft.version) throw new ConcurrentModification(draft.version, current.version, current.id);
      const enabled = draft.enabled ?? current.enabled;
      const reenabled = enabled && !current.enabled;
      const [[row]] = (await manager.query(
        `UPDATE subscriptions
            SET url = $3, events = $4, enabled = $5, version = version + 1, last_modified_at = now(),
                consecutive_failures = CASE WHEN $6 THEN 0 ELSE consecutive_failures END
          WHERE project_key = $1 AND id = $2
          RETURNING ${COLUMNS}`,
        [projectKey, current.id, draft.url, events, enabled, reenabled],
      )) as [SubscriptionRow[], number];
      if (reenabled) {
        // The queue (the failing head and what waited behind it) is retried at once.
        await manager.query(`UPDATE subscription_deliveries SET next_attempt_at = now() WHERE project_key = $1 AND subscription_id = $2 AND state = 'pending'`, [
          projectKey,
          current.id,
        ]);
      }
      const event = await recordEvent(manager, {
        projectKey,
        type: 'SubscriptionUpdated',
        resource: { typeId: 'subscription', key },
        actor,
        data: { id: row.id, version: row.version, url: row.url, events: row.events, enabled: row.enabled },
      });
      // A disabled subscription collects no events; re-enabled, it continues with events recorded from now on.
      if (reenabled) await this.startCursorAt(manager, projectKey, current.id, event.sequenceNumber);
      return toSubscriptionView(row);
    });
  }

  async delete(projectKey: string, key: string, actor?: string): Promise<SubscriptionView> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(`DELETE FROM subscriptions WHERE project_key = $1 AND key = $2 RETURNING ${COLUMNS}`, [projectKey, key])) as [SubscriptionRow[], number];
      if (rows.length === 0) throw subscriptionNotFound(key);
      await recordEvent(manager, { projectKey, type: 'SubscriptionDeleted', resource: { typeId: 'subscription', key }, actor, data: { id: rows[0].id } });
      return toSubscriptionView(rows[0]);
    });
  }

  /** The delivery log of one subscription, newest event first unless sorted otherwise. */
  async deliveries(projectKey: string, key: string, rawQuery: Record<string, unknown>): Promise<PagedResponse<DeliveryView>> {
    const page = parsePageQuery(rawQuery, SORTABLE_DELIVERY_FIELDS, ['sequence_number DESC'], 'sequence_number DESC');
    const subscription = await this.findRow(this.dataSource.manager, projectKey, key);
    if (!subscription) throw subscriptionNotFound(key);
    const [{ total }] = (await this.dataSource.query(`SELECT count(*)::int AS total FROM subscription_deliveries WHERE project_key = $1 AND subscription_id = $2`, [
      projectKey,
      subscription.id,
    ])) as Array<{ total: number }>;
    const rows =
      page.limit === 0 || page.offset >= total
        ? []
        : ((await this.dataSource.query(
            `SELECT ${DELIVERY_COLUMNS} FROM subscription_deliveries WHERE project_key = $1 AND subscription_id = $2 ORDER BY ${page.orderBy.join(', ')} LIMIT $3 OFFSET $4`,
            [projectKey, subscription.id, page.limit, page.offset],
          )) as DeliveryRow[]);
    return pagedResponse(page, total, rows.map(toDeliveryView));
  }

  private async findRow(manager: EntityManager, projectKey: string, key: string, forUpdate = false): Promise<SubscriptionRow | undefined> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM subscriptions WHERE project_key = $1 AND key = $2${forUpdate ? ' FOR UPDATE' : ''}`, [projectKey, key])) as SubscriptionRow[];
    return rows[0];
  }

  private async startCursorAt(manager: EntityManager, projectKey: string, id: string, sequenceNumber: number): Promise<void> {
    await manager.query(`UPDATE subscriptions SET event_cursor = $3 WHERE project_key = $1 AND id = $2`, [projectKey, id, sequenceNumber]);
  }

  /** URL (http(s), no credentials, allowed by WEBHOOK_URL_ALLOWLIST) and event types (known; duplicates dropped). */
  private async validate(rawUrl: string, events: string[]): Promise<EventType[]> {
    const errors: ErrorObject[] = [];
    const urlProblem = await this.urlProblem(rawUrl);
    if (urlProblem) errors.push(invalidField('url', rawUrl, `The value ${JSON.stringify(rawUrl)} is not valid for field 'url': ${urlProblem}`));
    events.forEach((type, index) => {
      if (!KNOWN_EVENT_TYPES.includes(type)) {
        errors.push(invalidField(`events.${index}`, type, `The value ${JSON.stringify(type)} is not valid for field 'events.${index}': not a known event type.`, { allowedValues: EVENT_TYPES }));
      }
    });
    if (errors.length > 0) throw new BadRequest(errors, errors[0].message);
    return [...new Set(events)] as EventType[];
  }

  private async urlProblem(rawUrl: string): Promise<string | undefined> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return 'not an absolute URL.';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'only http and https URLs are supported.';
    if (url.username !== '' || url.password !== '') return 'credentials in the URL are not supported (verify the Berth-Signature header instead).';
    if (url.hostname === '') return 'the URL has no host.';
    const verdict = this.allowlist.verdict(url);
    if (verdict === 'denied') return 'the URL is not allowed by the WEBHOOK_URL_ALLOWLIST of this installation.';
    if (verdict === 'check-address') {
      // Only the addresses can allow this name: it must resolve now (and is checked again on every delivery, DNS may change).
      const addresses = await resolveWithin(url.hostname, DNS_TIMEOUT_MS);
      if (addresses.length === 0) return 'the host does not resolve, so it cannot be checked against the IP ranges of the WEBHOOK_URL_ALLOWLIST of this installation.';
      const denied = addresses.find((entry) => !this.allowlist.allowsAddress(entry.address));
      if (denied) return `the host resolves to ${denied.address}, which the WEBHOOK_URL_ALLOWLIST of this installation does not allow.`;
    }
    return undefined;
  }
}
