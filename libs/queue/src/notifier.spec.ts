import { OperationsNotifier } from './notifier';
import { Queryable } from './queryable';
import { OPERATIONS_CHANNEL } from './waits';

/** A Queryable whose statements resolve only when the test says so. */
function manualRunner() {
  const calls: Array<{ sql: string; params: unknown[]; settle: (error?: Error) => void }> = [];
  const runner = {
    query: (sql: string, params: unknown[]) =>
      new Promise<unknown>((resolve, reject) => {
        calls.push({ sql, params, settle: (error?: Error) => (error ? reject(error) : resolve([])) });
      }),
  } as unknown as Queryable;
  return { runner, calls };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('OperationsNotifier', () => {
  it('sends at once when idle, and coalesces what arrives while a statement is in flight into the next one', async () => {
    const { runner, calls } = manualRunner();
    const notifier = new OperationsNotifier(runner, () => undefined);
    notifier.notify('a');
    expect(calls).toHaveLength(1);
    expect(calls[0].sql).toContain('pg_notify');
    expect(calls[0].params).toEqual([OPERATIONS_CHANNEL, ['a']]);
    for (const project of ['b', 'a', 'c', 'b']) notifier.notify(project);
    expect(calls).toHaveLength(1);
    calls[0].settle();
    await tick();
    // Every project asked for after the first statement was sent is in the second one, once.
    expect(calls).toHaveLength(2);
    expect(calls[1].params).toEqual([OPERATIONS_CHANNEL, ['b', 'a', 'c']]);
    calls[1].settle();
    await notifier.flush();
    expect(calls).toHaveLength(2);
    notifier.notify('d');
    expect(calls).toHaveLength(3);
    calls[2].settle();
    await notifier.flush();
  });

  it('reports a failed statement and keeps notifying afterwards', async () => {
    const { runner, calls } = manualRunner();
    const errors: unknown[] = [];
    const notifier = new OperationsNotifier(runner, (error) => errors.push(error));
    notifier.notify('a');
    notifier.notify('b');
    calls[0].settle(new Error('connection refused'));
    await tick();
    expect(errors).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(calls[1].params).toEqual([OPERATIONS_CHANNEL, ['b']]);
    calls[1].settle();
    await notifier.flush();
    notifier.notify('c');
    expect(calls).toHaveLength(3);
    calls[2].settle();
    await notifier.flush();
    expect(errors).toHaveLength(1);
  });

  it('flush() waits for the statements still to be sent', async () => {
    const { runner, calls } = manualRunner();
    const notifier = new OperationsNotifier(runner, () => undefined);
    notifier.notify('a');
    notifier.notify('b');
    let flushed = false;
    const flushing = notifier.flush().then(() => (flushed = true));
    calls[0].settle();
    await tick();
    expect(flushed).toBe(false);
    calls[1].settle();
    await flushing;
    expect(flushed).toBe(true);
  });
});
