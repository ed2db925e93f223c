import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { OPERATIONS_CHANNEL } from '../../import/src/operations/import-requests.service';
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
  private listener?: Client;

  constructor(
    private readonly processor: ProcessorService,
    private readonly dataSource: DataSource,
    private readonly scheduler: SchedulerRegistry,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.workerRoles.includes('processor')) return;
    this.running = true;
    void this.listen();
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
    await this.listener?.end().catch(() => undefined);
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

  private async listen(): Promise<void> {
    const options = this.dataSource.options as { url?: string };
    while (this.running) {
      const client = new Client({ connectionString: options.url, application_name: 'berth-listener', connectionTimeoutMillis: this.config.databaseConnectTimeoutMs, keepAlive: true });
      // A permanent handler: a client emits 'error' more than once when its connection breaks, and an
      // unhandled 'error' event would end the process.
      let broken: (() => void) | undefined;
      client.on('error', (error) => {
        if (this.running) this.logger.warn(`LISTEN connection lost: ${error.message}`);
        broken?.();
      });
      try {
        await client.connect();
        client.on('notification', () => this.wake());
        await client.query(`LISTEN ${OPERATIONS_CHANNEL}`);
        this.listener = client;
        await new Promise<void>((resolve) => {
          broken = resolve;
          client.once('end', () => resolve());
        });
      } catch (error) {
        if (this.running) this.logger.warn(`LISTEN connection failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      }
      await client.end().catch(() => undefined);
      // Work accepted while the listener was down has no NOTIFY: the poll interval picks it up, and this
      // wake-up checks right away once reconnected.
      if (this.running) await new Promise((resolve) => setTimeout(resolve, 1000));
      this.wake();
    }
  }
}
