import { Queryable } from './queryable';
import { notifyOperations } from './waits';

/**
 * Tells the processors about newly accepted operations, AFTER the accepting statements committed, coalescing the
 * notifications of concurrent accepts into one statement.
 *
 * Why not NOTIFY inside the accept statement: Postgres serialises every committing transaction that has sent a
 * NOTIFY on one database-wide lock held until after its commit record is flushed (so that notifications queue in
 * commit order). With a NOTIFY in every accept, concurrent accepts committed one fsync after another — under 8
 * clients most backends waited on that lock (`Lock:object`) instead of sharing a WAL flush. Here the accepts commit
 * without it, and at most one notifying statement per process is in flight: `notify()` sends at once when none is,
 * otherwise the projects are sent right after the one in flight returns.
 *
 * Nothing is lost that matters: a notification only wakes a processor early. If this process dies between a commit
 * and its notification, or the statement fails (database outage), the processors' poll (PROCESSOR_POLL_MS) picks the
 * operations up.
 */
export class OperationsNotifier {
  private readonly pending = new Set<string>();
  private inFlight?: Promise<void>;

  constructor(
    private readonly runner: Queryable,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Call after the commit of operations of `projectKey`: the processors are notified by the next statement sent. */
  notify(projectKey: string): void {
    this.pending.add(projectKey);
    this.inFlight ??= this.send();
  }

  /** Resolves when every notification asked for so far has been sent (or has failed). */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  private async send(): Promise<void> {
    try {
      while (this.pending.size > 0) {
        const projects = [...this.pending];
        this.pending.clear();
        try {
          await notifyOperations(this.runner, projects);
        } catch (error) {
          this.onError(error);
        }
      }
    } finally {
      this.inFlight = undefined;
    }
  }
}
