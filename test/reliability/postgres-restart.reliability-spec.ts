import { Answer, operationIds, send } from './support/http';
import { report, runClients, Tally } from './support/load';
import { startWorker } from './support/processes';
import { PROJECT, Stack, startStack } from './support/stack';
import { waitFor } from './support/wait';

const WRITERS = 4;
const READERS = 2;
const CONTAINER = 'outage';
/** How long Postgres stays down (at least; the scenario goes on until enough outage answers were seen). */
const OUTAGE_MS = 4_000;
const RECOVERY_BUDGET_MS = 10_000;
const DRAIN_BUDGET_MS = 60_000;

const PHASES = ['before', 'stopping', 'outage', 'starting', 'after'] as const;
type Phase = (typeof PHASES)[number];

/** Stop and start the embedded Postgres under load: 503 + Retry-After while down, recovery without restarts, nothing acknowledged lost. */
describe('Postgres stop/start during load', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    expect((await send(stack.api.base, 'POST', `/${PROJECT}/import-containers`, { token: stack.token, json: { key: CONTAINER } })).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 503 with Retry-After while the database is down and recovers by itself', async () => {
    const worker = startWorker(stack.db.url, { PROCESSOR_POLL_MS: '200' });
    stack.processes.push(worker);
    const { api, token } = stack;
    let phase: Phase = 'before';
    const byPhase: Record<Phase, Tally> = { before: new Tally(), stopping: new Tally(), outage: new Tally(), starting: new Tally(), after: new Tally() };
    const failures: string[] = [];
    const acknowledged: string[] = [];
    let restartedAt = 0;
    let firstAcceptAfterRestart: number | undefined;
    let acceptedAfter = 0;
    let sequence = 0;

    /** Records an answer under the phase it started and ended in (mixed phases count as the transition). */
    const record = async (what: string, request: () => Promise<Answer>): Promise<Answer | undefined> => {
      const startPhase = phase;
      const startedAt = Date.now();
      let answer: Answer | undefined;
      try {
        answer = await request();
      } catch (error) {
        failures.push(`${what} in ${startPhase}: no answer (${String(error)})`);
      }
      const label: Phase = startPhase === phase ? phase : PHASES.indexOf(startPhase) < PHASES.indexOf('outage') ? 'stopping' : 'starting';
      byPhase[label].add(answer?.status ?? 'no-answer');
      if (!answer) return undefined;
      if (answer.status >= 500 && answer.status !== 503) failures.push(`${what} in ${label}: ${answer.status} ${answer.text.slice(0, 200)}`);
      if (answer.status === 503 && !/^\d+$/.test(answer.headers.get('retry-after') ?? '')) failures.push(`${what} in ${label}: 503 without a Retry-After of seconds`);
      if (label === 'outage' && answer.status !== 503) failures.push(`${what} during the outage: ${answer.status}, want 503`);
      if (answer.status === 201 && startedAt >= restartedAt && restartedAt > 0 && firstAcceptAfterRestart === undefined) firstAcceptAfterRestart = Date.now() - restartedAt;
      return answer;
    };

    const writers = runClients(WRITERS, async () => {
      const resources = Array.from({ length: 1 + (sequence % 3) }, () => ({ key: `po-${sequence++}`, name: 'Outage', description: 'written under a database restart', attributes: [] }));
      const answer = await record('POST import', () =>
        send(api.base, 'POST', `/${PROJECT}/product-types/import-containers/${CONTAINER}`, { token, json: { type: 'product-type', resources }, timeoutMs: 15_000 }),
      );
      if (answer?.status === 201) {
        acknowledged.push(...operationIds(answer));
        if (phase === 'after') acceptedAfter++;
      }
    });
    const reads: Array<[string, () => Promise<Answer>]> = [
      ['GET containers', () => send(api.base, 'GET', `/${PROJECT}/import-containers?limit=5`, { token, timeoutMs: 15_000 })],
      ['GET container', () => send(api.base, 'GET', `/${PROJECT}/import-containers/${CONTAINER}`, { token, timeoutMs: 15_000 })],
      ['GET summaries', () => send(api.base, 'GET', `/${PROJECT}/import-containers/${CONTAINER}/import-summaries`, { token, timeoutMs: 15_000 })],
      ['GET operations', () => send(api.base, 'GET', `/${PROJECT}/import-containers/${CONTAINER}/import-operations?limit=5&state=processing`, { token, timeoutMs: 15_000 })],
      ['GET operation', () => send(api.base, 'GET', `/${PROJECT}/import-operations/${acknowledged[acknowledged.length - 1] ?? '00000000-0000-0000-0000-000000000000'}`, { token, timeoutMs: 15_000 })],
      [
        'POST token',
        () =>
          send(api.base, 'POST', '/oauth/token', {
            raw: 'grant_type=client_credentials',
            headers: { Authorization: `Basic ${Buffer.from(`${stack.client.clientId}:${stack.client.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
            timeoutMs: 15_000,
          }),
      ],
    ];
    const readers = runClients(READERS, async (client, iteration) => {
      const [what, request] = reads[(client + iteration) % reads.length];
      await record(what, request);
    });

    await waitFor('accepted load before the outage', 60_000, () => acknowledged.length >= 60);
    phase = 'stopping';
    await stack.db.stop();
    phase = 'outage';
    const outageStarted = Date.now();
    const health: Record<string, number | string> = {};
    for (const path of ['/health', '/health/live', '/health/ready']) {
      health[path] = (await send(api.base, 'GET', path, { timeoutMs: 10_000 }).catch(() => undefined))?.status ?? 'no-answer';
    }
    await waitFor('answers during the outage', 30_000, () => Date.now() - outageStarted >= OUTAGE_MS && byPhase.outage.total() >= 10);
    phase = 'starting';
    await stack.db.start();
    restartedAt = Date.now();
    phase = 'after';
    let recovered = true;
    await waitFor('a request accepted after the restart', RECOVERY_BUDGET_MS, () => firstAcceptAfterRestart !== undefined).catch(() => (recovered = false));
    if (recovered) await waitFor('load after the restart', 30_000, () => acceptedAfter >= 40).catch(() => undefined);
    writers.stop();
    readers.stop();
    await Promise.all([writers.done, readers.done]);

    const found = await stack.db.query<{ id: string }>(`SELECT id::text AS id FROM import_operations WHERE project_key = $1 AND id = ANY($2::uuid[])`, [PROJECT, acknowledged]);
    const foundIds = new Set(found.map((row) => row.id));
    const lost = acknowledged.filter((id) => !foundIds.has(id)).length;
    const total = await stack.db.count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1`, [PROJECT]);
    const pending = () => stack.db.count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1 AND state <> 'imported'`, [PROJECT]);
    const drainMs = await waitFor('the worker finishing the backlog', DRAIN_BUDGET_MS, async () => {
      if (!worker.alive()) throw new Error('the worker ended');
      return (await pending()) === 0;
    }, 200).catch(() => undefined);
    const stillPending = await pending();

    report('postgres-restart', {
      outageMs: restartedAt - outageStarted,
      byPhase: Object.fromEntries(Object.entries(byPhase).map(([name, tally]) => [name, tally.counts])),
      outage503: byPhase.outage.get(503),
      health,
      recoveryMs: firstAcceptAfterRestart ?? `> ${RECOVERY_BUDGET_MS}`,
      acknowledgedOperations: acknowledged.length,
      lost,
      operationsInDatabase: total,
      workerDrainMs: drainMs ?? `> ${DRAIN_BUDGET_MS}`,
      stillPending,
      apiAlive: api.alive(),
      workerAlive: worker.alive(),
      workerEnded: worker.alive() ? undefined : { how: await worker.exited, output: worker.output().split('\n').find((line) => /rror/.test(line))?.slice(0, 300) },
      failures: failures.length,
      examples: [...new Set(failures.map((f) => f.slice(0, 200)))].slice(0, 10),
    });
    expect(lost).toBe(0);
    expect({ apiAlive: api.alive(), workerAlive: worker.alive() }).toEqual({ apiAlive: true, workerAlive: true });
    expect(byPhase.outage.get(503)).toBeGreaterThan(0);
    expect(health).toEqual({ '/health': 503, '/health/live': 200, '/health/ready': 503 });
    expect(firstAcceptAfterRestart).toBeLessThanOrEqual(RECOVERY_BUDGET_MS);
    expect(stillPending).toBe(0);
    expect([...new Set(failures.map((f) => f.replace(/ \(.*$/s, '').slice(0, 120)))]).toEqual([]);
  });
});
