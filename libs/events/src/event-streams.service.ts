import type { ServerResponse } from 'node:http';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { EventNotifications } from './event-notifications';
import { EventType, ImportEvent } from './event-types';
import { ImportEventsService } from './import-events.service';

/** Events read per query: a stream holds at most one such page (plus the socket's own buffer) in memory. */
export const STREAM_PAGE_SIZE = 100;
/** After a failed read (database away), the stream tries again after this long. */
const RETRY_AFTER_FAILURE_MS = 1000;
/** setTimeout's limit (about 24.8 days): longer token lifetimes are waited for in steps. */
const MAX_TIMER_MS = 2_147_483_647;

export interface EventStreamOptions {
  projectKey: string;
  /** Sequence number the client has seen last: events after it are sent (Last-Event-ID, or the latest at connect time). */
  after: number;
  /** Only these types (the `type` query parameter); all when absent. */
  types?: EventType[];
  /** When the stream must end (the token's expiry, ms since the epoch). */
  expiresAt: number;
  /** Checked at each heartbeat: false ends the stream (the token was revoked, i.e. its client deleted). */
  stillAuthorized?: () => Promise<boolean>;
}

/** One Server-Sent Events frame: `id:` the sequence number, `event:` the type, `data:` the event JSON (JSON has no raw line breaks). */
export function sseFrame(event: ImportEvent): string {
  return `id: ${event.sequenceNumber}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * One open stream. Reads pages of at most STREAM_PAGE_SIZE events after the last one sent, one read at a
 * time; a notification while a read is running only marks that another read is due. When the socket does
 * not take more (`write()` false) the stream stops reading until 'drain', so a slow client costs one page
 * of memory, never an unbounded queue.
 */
class EventStream {
  private lastSent: number;
  private due = false;
  private reading = false;
  private closed = false;
  private unsubscribe?: () => void;
  private heartbeat?: NodeJS.Timeout;
  private expiry?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private waitingForDrain?: () => void;

  constructor(
    private readonly response: ServerResponse,
    private readonly options: EventStreamOptions,
    private readonly events: ImportEventsService,
    private readonly notifications: EventNotifications,
    private readonly heartbeatMs: number,
    private readonly onClose: (stream: EventStream) => void,
    private readonly logger: Logger,
  ) {
    this.lastSent = options.after;
  }

  /** What the stream is doing (tests and diagnostics). */
  state(): { projectKey: string; lastSent: number; waitingForDrain: boolean } {
    return { projectKey: this.options.projectKey, lastSent: this.lastSent, waitingForDrain: this.waitingForDrain !== undefined };
  }

  start(): void {
    const response = this.response;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) must pass events on at once rather than buffer the response.
      'X-Accel-Buffering': 'no',
    });
    response.write(`retry: 2000\n: connected\n\n`);
    response.on('close', () => this.close());
    response.on('error', () => this.close());
    this.unsubscribe = this.notifications.subscribe(this.options.projectKey, () => this.poke());
    this.heartbeat = setInterval(() => void this.ping(), this.heartbeatMs);
    this.scheduleExpiry();
    // Catch up from Last-Event-ID (or anything recorded since the connect-time latest).
    this.poke();
  }

  /** Ends the stream (token expiry, shutdown, client gone); idempotent. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    clearTimeout(this.expiry);
    clearTimeout(this.retry);
    this.waitingForDrain?.();
    if (!this.response.writableEnded && !this.response.destroyed) {
      if (reason) this.response.write(`: ${reason}\n\n`);
      this.response.end();
    }
    this.onClose(this);
  }

  private scheduleExpiry(): void {
    const remaining = this.options.expiresAt - Date.now();
    if (remaining <= 0) return this.close('token expired');
    this.expiry = setTimeout(() => this.scheduleExpiry(), Math.min(remaining, MAX_TIMER_MS));
  }

  private poke(): void {
    this.due = true;
    if (!this.reading && !this.closed) void this.read();
  }

  private async read(): Promise<void> {
    this.reading = true;
    try {
      while (this.due && !this.closed) {
        this.due = false;
        let page: ImportEvent[];
        do {
          page = await this.events.after(this.options.projectKey, this.lastSent, this.options.types, STREAM_PAGE_SIZE);
          for (const event of page) {
            if (this.closed) return;
            const more = this.response.write(sseFrame(event));
            this.lastSent = event.sequenceNumber;
            if (!more) await this.drained();
          }
        } while (page.length === STREAM_PAGE_SIZE && !this.closed);
      }
    } catch (error) {
      // The database went away: keep the stream, read again shortly (from the last event sent).
      this.logger.warn(`event stream read failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      if (!this.closed) this.retry = setTimeout(() => this.poke(), RETRY_AFTER_FAILURE_MS);
    } finally {
      this.reading = false;
    }
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.waitingForDrain = undefined;
        resolve();
      };
      this.waitingForDrain = done;
      this.response.on('drain', done);
    });
  }

  private async ping(): Promise<void> {
    if (this.closed) return;
    if (this.options.stillAuthorized && !(await this.options.stillAuthorized().catch(() => true))) return this.close('token revoked');
    // A client that does not read gets no more bytes queued, heartbeats included.
    if (!this.closed && !this.response.writableNeedDrain) this.response.write(`: ping\n\n`);
  }
}

/** The SSE streams of this process (`GET /{projectKey}/import-events/stream`), closed on shutdown. */
@Injectable()
export class EventStreamsService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('EventStreams');
  private readonly open = new Set<EventStream>();

  constructor(
    private readonly events: ImportEventsService,
    private readonly notifications: EventNotifications,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  /** Where a stream without Last-Event-ID starts: after the project's latest event. */
  latestSequence(projectKey: string): Promise<number> {
    return this.events.latestSequence(projectKey);
  }

  /** Starts streaming on `response` (headers are sent at once); the stream ends by itself on close, expiry or shutdown. */
  start(response: ServerResponse, options: EventStreamOptions): void {
    const stream = new EventStream(response, options, this.events, this.notifications, this.config.eventsHeartbeatMs, (closed) => this.open.delete(closed), this.logger);
    this.open.add(stream);
    stream.start();
  }

  /** Open streams in this process and where each one is (tests and diagnostics). */
  states(): Array<{ projectKey: string; lastSent: number; waitingForDrain: boolean }> {
    return [...this.open].map((stream) => stream.state());
  }

  /** Ends every stream (shutdown: an HTTP drain would otherwise wait for them). */
  closeAll(): void {
    for (const stream of [...this.open]) stream.close('server shutting down');
  }

  beforeApplicationShutdown(): void {
    this.closeAll();
  }
}
