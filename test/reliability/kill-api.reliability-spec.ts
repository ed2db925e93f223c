import { operationIds, send } from './support/http';
import { report, runClients, Tally } from './support/load';
import { startApi } from './support/processes';
import { PROJECT, Stack, startStack } from './support/stack';
import { waitFor } from './support/wait';

const CLIENTS = 6;
const ROUNDS = 3;
/** Acknowledged requests per round before the kill, so the kill lands mid-load. */
const ACCEPTED_BEFORE_KILL = 60;
const CONTAINER = 'kill-api';

/** SIGKILL of the API process while several clients post import requests: nothing acknowledged is lost. */
describe('kill -9 of the API during accepted load', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    expect((await send(stack.api.base, 'POST', `/${PROJECT}/import-containers`, { token: stack.token, json: { key: CONTAINER } })).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('every operationId answered 201 before the kill is in the database after a restart', async () => {
    const acknowledged: string[] = [];
    const outcomes = new Tally();
    let sequence = 0;
    const rounds: Array<{ acceptedBeforeKill: number; inFlightAtKill: number; restartMs: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { base } = stack.api;
      let accepted = 0;
      let inFlight = 0;
      let killed = false;
      const load = runClients(CLIENTS, async (client) => {
        const size = 1 + ((sequence + client) % 5);
        const resources = Array.from({ length: size }, () => ({ key: `ka-${sequence++}`, name: 'Kill API', description: `round ${round}`, attributes: [] }));
        inFlight++;
        try {
          const answer = await send(base, 'POST', `/${PROJECT}/product-types/import-containers/${CONTAINER}`, { token: stack.token, json: { type: 'product-type', resources }, timeoutMs: 10_000 });
          outcomes.add(answer.status);
          if (answer.status === 201) {
            acknowledged.push(...operationIds(answer));
            accepted++;
          } else if (answer.status >= 500) throw new Error(`${answer.status} before the kill: ${answer.text}`);
        } catch (error) {
          // After the kill a request without an answer is expected: stop this client.
          if (!killed) throw error;
          outcomes.add('no-answer');
          load.stop();
        } finally {
          inFlight--;
        }
      });
      await waitFor('accepted load before the kill', 60_000, () => accepted >= ACCEPTED_BEFORE_KILL || load.stopped(), 5);
      const inFlightAtKill = inFlight;
      killed = true;
      await stack.api.kill('SIGKILL');
      load.stop();
      await load.done;
      const restarted = Date.now();
      stack.api = await startApi(stack.db.url, { port: stack.api.port });
      stack.processes.push(stack.api);
      rounds.push({ acceptedBeforeKill: accepted, inFlightAtKill, restartMs: Date.now() - restarted });
    }

    const found = await stack.db.query<{ id: string }>(`SELECT id::text AS id FROM import_operations WHERE project_key = $1 AND id = ANY($2::uuid[])`, [PROJECT, acknowledged]);
    const foundIds = new Set(found.map((row) => row.id));
    const lost = acknowledged.filter((id) => !foundIds.has(id));
    const total = await stack.db.count(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1`, [PROJECT]);
    // The restarted process serves at once.
    const after = await send(stack.api.base, 'POST', `/${PROJECT}/product-types/import-containers/${CONTAINER}`, {
      token: stack.token,
      json: { type: 'product-type', resources: [{ key: 'ka-after', name: 'After', description: 'after the kills', attributes: [] }] },
    });
    report('kill-api', { rounds, acknowledgedOperations: acknowledged.length, lost: lost.length, operationsInDatabase: total, unacknowledgedWritten: total - acknowledged.length, outcomes: outcomes.counts });
    expect(acknowledged.length).toBeGreaterThanOrEqual(ROUNDS * ACCEPTED_BEFORE_KILL);
    expect(lost).toEqual([]);
    expect({ status: after.status, body: after.status === 201 ? undefined : after.body }).toEqual({ status: 201, body: undefined });
  });
});
