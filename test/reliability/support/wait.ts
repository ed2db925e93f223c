/** Polls `condition` until it returns true, or throws after `timeoutMs` naming what was awaited. */
export async function waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean> | boolean, intervalMs = 50): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await condition()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
