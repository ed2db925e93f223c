/** Counts of outcomes keyed by a label such as an HTTP status or `no-answer`. */
export class Tally {
  readonly counts: Record<string, number> = {};
  add(label: string | number, by = 1): void {
    this.counts[String(label)] = (this.counts[String(label)] ?? 0) + by;
  }
  get(label: string | number): number {
    return this.counts[String(label)] ?? 0;
  }
  total(): number {
    return Object.values(this.counts).reduce((sum, n) => sum + n, 0);
  }
}

/**
 * Runs `clients` concurrent loops calling `step(client, iteration)` until `stop()` is called (or a step
 * throws, which ends that loop and is rethrown by `done`).
 */
export function runClients(clients: number, step: (client: number, iteration: number) => Promise<void>): { stop(): void; done: Promise<void>; stopped(): boolean } {
  let stopped = false;
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let iteration = 0; !stopped; iteration++) await step(client, iteration);
  });
  return {
    stop: () => {
      stopped = true;
    },
    stopped: () => stopped,
    done: Promise.all(loops).then(() => undefined),
  };
}

/** Runs `tasks` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await task(items[index], index);
      }
    }),
  );
}

/** Prints the scenario's figures as one JSON line. */
export function report(scenario: string, figures: Record<string, unknown>): void {
  console.log(JSON.stringify({ scenario, ...figures }));
}
