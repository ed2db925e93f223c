import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { ListenLoop } from '../../database/src/listen-loop';
import { EVENTS_CHANNEL } from './event-recorder';

/** `application_name` of the LISTEN connection (one per API process). */
export const EVENTS_LISTENER_NAME = 'berth-events-listener';

const RECONNECT_DELAY_MS = 500;

type Listener = () => void;

/**
 * One shared LISTEN connection per process on `berth_events` (payload: the project key), fanned out to the
 * subscribers of that project. Opened with the first subscriber, so a process that streams nothing (the
 * worker) never holds it. Notifications only say "look again": each subscriber reads the events itself
 * (`sequence_number > last seen`), so a lost or merged NOTIFY costs nothing. When the connection breaks it
 * is reopened; each time LISTEN is (again) in place every subscriber is told to look again (events committed
 * before had no NOTIFY here).
 */
@Injectable()
export class EventNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger('EventNotifications');
  private readonly listeners = new Map<string, Set<Listener>>();
  private running = false;
  private stopped = false;
  private readonly listener: ListenLoop;
  /** Resolves once the LISTEN of the current connection is in place (tests and the catch-up use it). */
  private listening?: Promise<void>;
  private markListening?: () => void;

  constructor(
    dataSource: DataSource,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {
    this.listener = new ListenLoop(dataSource, this.logger, {
      channel: EVENTS_CHANNEL,
      applicationName: EVENTS_LISTENER_NAME,
      connectTimeoutMs: config.databaseConnectTimeoutMs,
      reconnectDelayMs: RECONNECT_DELAY_MS,
      onNotification: (projectKey) => this.notify(projectKey),
      onListening: () => {
        this.markListening?.();
        // Events recorded while there was no LISTEN yet (the first streams' start, a reconnect) had no notification
        // here: every subscriber looks again now that none can be missed.
        this.notify(undefined);
      },
      onDown: () => this.resetListening(),
    });
  }

  /** Calls `listener` whenever events of the project may have been recorded; returns the unsubscribe function. */
  subscribe(projectKey: string, listener: Listener): () => void {
    let set = this.listeners.get(projectKey);
    if (!set) this.listeners.set(projectKey, (set = new Set()));
    set.add(listener);
    this.start();
    return () => {
      const current = this.listeners.get(projectKey);
      current?.delete(listener);
      if (current && current.size === 0) this.listeners.delete(projectKey);
    };
  }

  /** Subscribers, over all projects (for tests and metrics). */
  subscriberCount(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  /** Resolves when the LISTEN connection is up (started by the first subscribe). */
  async ready(): Promise<void> {
    this.start();
    await this.listening;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.running = false;
    await this.listener.close();
  }

  private start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.resetListening();
    this.listener.start();
  }

  private resetListening(): void {
    this.listening = new Promise<void>((resolve) => (this.markListening = resolve));
  }

  private notify(projectKey: string | undefined): void {
    const targets = projectKey === undefined ? [...this.listeners.values()].flatMap((set) => [...set]) : [...(this.listeners.get(projectKey) ?? [])];
    for (const listener of targets) {
      try {
        listener();
      } catch (error) {
        this.logger.warn(`event subscriber failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
