import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

export interface ListenLoopOptions {
  /** The channel to LISTEN on (a constant identifier from code, never input). */
  channel: string;
  /** `application_name` of the connection (shows in pg_stat_activity). */
  applicationName: string;
  connectTimeoutMs: number;
  /** Pause before reconnecting after the connection broke or could not be opened. */
  reconnectDelayMs: number;
  /** A NOTIFY arrived on the channel. */
  onNotification(payload: string | undefined): void;
  /** LISTEN is in place, the first time or again after a reconnect: what was committed without a NOTIFY here can be looked for now. */
  onListening(): void;
  /** The connection ended while running; it is reopened after `reconnectDelayMs`. */
  onDown?(): void;
}

/**
 * One LISTEN connection kept open until close(): reopened after it breaks or cannot be opened, with a permanent
 * 'error' handler (a broken pg client emits 'error' more than once, and an unhandled one would end the process).
 * The client is known before it connects, so close() during a connect ends it too.
 */
export class ListenLoop {
  private running = false;
  private client?: Client;
  private loop?: Promise<void>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly logger: Logger,
    private readonly options: ListenLoopOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the connection and waits for the loop to stop. */
  async close(): Promise<void> {
    this.running = false;
    await this.client?.end().catch(() => undefined);
    await this.loop;
  }

  private async run(): Promise<void> {
    const { url } = this.dataSource.options as { url?: string };
    const { channel, applicationName, connectTimeoutMs, reconnectDelayMs } = this.options;
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`invalid channel ${channel}`);
    while (this.running) {
      const client = new Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: connectTimeoutMs, keepAlive: true });
      this.client = client;
      let broken: (() => void) | undefined;
      client.on('error', (error) => {
        if (this.running) this.logger.warn(`LISTEN connection lost: ${error.message}`);
        broken?.();
      });
      try {
        await client.connect();
        client.on('notification', (message) => this.options.onNotification(message.payload ?? undefined));
        await client.query(`LISTEN ${channel}`);
        if (!this.running) break;
        this.options.onListening();
        await new Promise<void>((resolve) => {
          broken = resolve;
          client.once('end', () => resolve());
        });
      } catch (error) {
        if (this.running) this.logger.warn(`LISTEN connection failed, retrying: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.client = undefined;
        await client.end().catch(() => undefined);
      }
      if (!this.running) break;
      this.options.onDown?.();
      await new Promise((resolve) => setTimeout(resolve, reconnectDelayMs));
    }
  }
}
