import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { ListenLoop } from '../../database/src/listen-loop';
import { EVENTS_CHANNEL } from '../../events/src';
import { WebhookDeliveryService } from './webhook-delivery.service';

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs webhook delivery when this process has the `webhooks` role: LISTEN on `berth_events` reacts the moment
 * events commit; an interval (WEBHOOK_POLL_MS) picks up retries falling due and expired leases. Up to
 * WEBHOOK_CONCURRENCY lanes deliver at the same time, each one subscription at a time, so a slow receiver holds
 * one lane, not the others. Nothing here runs on the request path of the API.
 */
@Injectable()
export class WebhooksRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('WebhooksRunner');
  private running = false;
  private interval?: NodeJS.Timeout;
  /** LISTEN on `berth_events`; events recorded while it was down are caught by the interval and by the wake-up once it is back. */
  private readonly listener: ListenLoop;
  private readonly lanes = new Set<Promise<void>>();
  private ticking?: Promise<void>;
  private tickAgain = false;
  private markListening!: () => void;
  /** Resolves once LISTEN is active (from then on a committed event wakes this process at once). */
  readonly listening: Promise<void> = new Promise((resolve) => (this.markListening = resolve));

  constructor(
    private readonly delivery: WebhookDeliveryService,
    dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    this.listener = new ListenLoop(dataSource, this.logger, {
      channel: EVENTS_CHANNEL,
      applicationName: 'berth-webhooks-listener',
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      reconnectDelayMs: 1000,
      onNotification: () => this.wake(),
      onListening: () => {
        this.markListening();
        // Events committed before LISTEN took effect have no NOTIFY for this process.
        this.wake();
      },
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.workerRoles.includes('webhooks')) return;
    this.running = true;
    this.listener.start();
    this.interval = setInterval(() => this.wake(), this.config.webhookPollMs);
    this.wake();
    this.logger.log('webhook delivery started');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.delivery.stop();
    clearInterval(this.interval);
    await this.listener.close();
    // In-flight deliveries finish (each bounded by WEBHOOK_TIMEOUT_MS) and release their subscriptions.
    await this.ticking;
    await Promise.all([...this.lanes]);
    await this.delivery.releaseAll().catch((error: unknown) => this.logger.warn(`could not release leases on shutdown (they expire by themselves): ${describe(error)}`));
  }

  /** Enqueue new events, then make sure lanes are delivering. Coalesces wake-ups that arrive meanwhile. */
  wake(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = (async () => {
      do {
        this.tickAgain = false;
        try {
          await this.delivery.enqueue(new Date());
        } catch (error) {
          this.logger.warn(`enqueueing webhook deliveries failed: ${describe(error)}`);
        }
        this.fillLanes();
      } while (this.tickAgain && this.running);
    })().finally(() => {
      this.ticking = undefined;
      // A wake-up that came after the loop's last check must not be lost.
      if (this.tickAgain) this.wake();
    });
  }

  /** Starts one lane when below the concurrency; a lane that claims work starts the next one, so idle costs one query. */
  private fillLanes(): void {
    if (!this.running || this.lanes.size >= this.config.webhookConcurrency) return;
    const lane: Promise<void> = this.lane().finally(() => this.lanes.delete(lane));
    this.lanes.add(lane);
  }

  private async lane(): Promise<void> {
    while (this.running) {
      try {
        const claimed = await this.delivery.claim(new Date());
        if (!claimed) return;
        this.fillLanes();
        await this.delivery.deliverClaimed(claimed);
      } catch (error) {
        this.logger.warn(`webhook delivery lane stopped: ${describe(error)}`);
        return;
      }
    }
  }
}
