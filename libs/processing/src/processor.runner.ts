import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { ListenLoop } from '../../database/src/listen-loop';
import { OPERATIONS_CHANNEL } from '../../queue/src';
import { ProcessorService } from './processor.service';

const MIN_IDLE_MS = 100;

/**
 * Runs the processor when this process has the `processor` role: LISTEN/NOTIFY wakes it the moment
 * work is accepted; a @nestjs/schedule interval wakes it for retries that fall due and stale claims;
 * when idle it backs off from 100 ms up to PROCESSOR_POLL_MS.
 */
@Injectable()
export class ProcessorRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ProcessorRunner');
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  /** LISTEN on the operations channel: a notification (or LISTEN in place again after a reconnect) wakes the loop. */
  private readonly listener: ListenLoop;

  constructor(
    private readonly processor: ProcessorService,
    dataSource: DataSource,
    private readonly scheduler: SchedulerRegistry,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    // Work accepted while the listener was down has no NOTIFY: the poll interval picks it up, and the wake-up once
    // LISTEN is back checks right away.
    this.listener = new ListenLoop(dataSource, this.logger, {
      channel: OPERATIONS_CHANNEL,
      applicationName: 'berth-listener',
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      reconnectDelayMs: 1000,
      onNotification: () => this.wake(),
      onListening: () => this.wake(),
    });
  }

  onApplicationBootstrap(): void {
    if (!this.config.workerRoles.includes('processor')) return;
    this.running = true;
    this.listener.start();
    this.scheduler.addInterval('processor-poll', setInterval(() => this.wake(), this.config.processorPollMs));
    this.loop = this.run();
    this.logger.log('processor started');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // Graceful shutdown: operations being settled finish; the rest of the current batch is not started
    // and is released below, so other workers take it at once instead of after the lease.
    this.processor.stop();
    this.wake();
    if (this.scheduler.doesExist('interval', 'processor-poll')) this.scheduler.deleteInterval('processor-poll');
    await this.loop;
    try {
      const released = await this.processor.release();
      if (released > 0) this.logger.log(`released ${released} unsettled claim(s) on shutdown`);
    } catch (error) {
      this.logger.warn(`could not release claims on shutdown (they free up after the lease): ${error instanceof Error ? error.message : String(error)}`);
    }
    await this.listener.close();
  }

  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  private async run(): Promise<void> {
    let idleMs = MIN_IDLE_MS;
    while (this.running) {
      let claimed = 0;
      try {
        claimed = (await this.processor.runOnce()).claimed;
      } catch (error) {
        this.logger.error(`processing batch failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (claimed > 0) {
        idleMs = MIN_IDLE_MS;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, idleMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      idleMs = Math.min(idleMs * 2, this.config.processorPollMs);
    }
  }
}
