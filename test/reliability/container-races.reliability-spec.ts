import { Answer, firstErrorCode, operationIds, send } from './support/http';
import { report, runClients, Tally } from './support/load';
import { ApiProcess, startApi } from './support/processes';
import { PROJECT, Stack, startStack } from './support/stack';

const KEYS = ['race-0', 'race-1', 'race-2'];
const ACTORS = 8;
const ITERATIONS = 60;
const FINAL_RACERS = 10;

interface Container {
  key: string;
  version: number;
  createdAt: string;
}

/** Small deterministic PRNG so a failing run can be read again. */
function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Concurrent versioned PUTs, DELETEs, recreates and imports on a few container keys, over two API processes. */
describe('concurrent PUT/DELETE races on containers', () => {
  let stack: Stack;
  let apis: ApiProcess[];

  beforeAll(async () => {
    stack = await startStack();
    const second = await startApi(stack.db.url);
    stack.processes.push(second);
    apis = [stack.api, second];
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('every PUT answers 200, 409 with currentVersion or 404; versions count the 200s; deleted containers leave nothing behind', async () => {
    const { token } = stack;
    const outcomes: Record<string, Tally> = {};
    const failures: string[] = [];
    /** Versions answered by 200 PUTs, per container incarnation (key + createdAt). */
    const putVersions = new Map<string, number[]>();
    const incarnation = (container: Container) => `${container.key}@${container.createdAt}`;
    const call = async (what: string, api: ApiProcess, method: string, path: string, json?: unknown): Promise<Answer | undefined> => {
      try {
        const answer = await send(api.base, method, path, { token, json, timeoutMs: 15_000 });
        (outcomes[what] ??= new Tally()).add(answer.status);
        if (answer.status >= 500) failures.push(`${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
        return answer;
      } catch (error) {
        (outcomes[what] ??= new Tally()).add('no-answer');
        failures.push(`${what}: no answer (${String(error)})`);
        return undefined;
      }
    };
    const containerPath = (key: string) => `/${PROJECT}/import-containers/${key}`;
    const create = async (api: ApiProcess, key: string) => {
      const answer = await call('POST container', api, 'POST', `/${PROJECT}/import-containers`, { key });
      if (!answer) return;
      if (answer.status === 201) {
        const created = answer.body as Container;
        if (created.version !== 1) failures.push(`created ${key} with version ${created.version}`);
      } else if (!(answer.status === 400 && firstErrorCode(answer) === 'DuplicateField')) failures.push(`POST container ${key}: ${answer.status} ${answer.text.slice(0, 200)}`);
    };
    const put = async (api: ApiProcess, key: string, version: number, resourceType?: string) => {
      const answer = await call('PUT container', api, 'PUT', containerPath(key), resourceType ? { version, resourceType } : { version });
      if (!answer) return;
      if (answer.status === 200) {
        const updated = answer.body as Container;
        const list = putVersions.get(incarnation(updated)) ?? [];
        list.push(updated.version);
        putVersions.set(incarnation(updated), list);
      } else if (answer.status === 409) {
        const error = (answer.body as { errors?: Array<{ code?: string; currentVersion?: unknown }> }).errors?.[0];
        if (error?.code !== 'ConcurrentModification' || typeof error.currentVersion !== 'number') failures.push(`PUT 409 without ConcurrentModification/currentVersion: ${answer.text.slice(0, 200)}`);
      } else if (answer.status !== 404) failures.push(`PUT ${key}: ${answer.status} ${answer.text.slice(0, 200)}`);
    };
    const read = async (api: ApiProcess, key: string): Promise<Container | undefined> => {
      const answer = await call('GET container', api, 'GET', containerPath(key));
      if (answer?.status === 200) return answer.body as Container;
      if (answer && answer.status !== 404) failures.push(`GET ${key}: ${answer.status}`);
      return undefined;
    };

    for (const key of KEYS) await create(stack.api, key);
    let acknowledged = 0;
    let deletes = 0;
    const actors = runClients(ACTORS, async (actor, iteration) => {
      if (iteration >= ITERATIONS) return actors.stop();
      const random = prng(actor * 7919 + iteration * 104729);
      const api = apis[(actor + iteration) % apis.length];
      const key = KEYS[Math.floor(random() * KEYS.length)];
      const action = random();
      if (action < 0.55) {
        const current = await read(api, key);
        if (current) await put(api, key, current.version, random() < 0.3 ? 'product-type' : undefined);
      } else if (action < 0.6) {
        const answer = await call('DELETE container', api, 'DELETE', containerPath(key));
        if (answer?.status === 200) deletes++;
        else if (answer && answer.status !== 404) failures.push(`DELETE ${key}: ${answer.status} ${answer.text.slice(0, 200)}`);
      } else if (action < 0.7) {
        await create(api, key);
      } else {
        const resources = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({ key: `rc-${actor}-${iteration}-${i}`, name: 'Race', description: 'race', attributes: [] }));
        const answer = await call('POST import', api, 'POST', `/${PROJECT}/product-types/import-containers/${key}`, { type: 'product-type', resources });
        if (answer?.status === 201) acknowledged += operationIds(answer).length;
        else if (answer && answer.status !== 400) failures.push(`POST import into ${key}: ${answer.status} ${answer.text.slice(0, 200)}`);
      }
    });
    await actors.done;

    // Final round per key: many PUTs with the same read version; exactly one wins.
    const finalWinners: Record<string, number> = {};
    for (const key of KEYS) {
      if (!(await read(stack.api, key))) await create(stack.api, key);
      const current = (await read(stack.api, key))!;
      const before = putVersions.get(incarnation(current))?.length ?? 0;
      await Promise.all(Array.from({ length: FINAL_RACERS }, (_, i) => put(apis[i % apis.length], key, current.version)));
      finalWinners[key] = (putVersions.get(incarnation(current))?.length ?? 0) - before;
    }

    const finals: Record<string, { version: number; puts: number[] }> = {};
    for (const key of KEYS) {
      const container = (await read(stack.api, key))!;
      finals[key] = { version: container.version, puts: [...(putVersions.get(incarnation(container)) ?? [])].sort((a, b) => a - b) };
    }
    const orphanOperations = await stack.db.count(
      `SELECT count(*)::int AS n FROM import_operations o WHERE NOT EXISTS (SELECT 1 FROM import_containers c WHERE c.project_key = o.project_key AND c.id = o.container_id)`,
    );
    const orphanCounters = await stack.db.count(
      `SELECT count(*)::int AS n FROM import_summary_counts s WHERE NOT EXISTS (SELECT 1 FROM import_containers c WHERE c.project_key = s.project_key AND c.id = s.container_id)`,
    );
    // Summary counters of the surviving containers agree with their operations.
    const counterMismatches = await stack.db.query<{ key: string; state: string; counted: number; actual: number }>(
      `WITH counted AS (SELECT container_id, state, sum(count)::int AS n FROM import_summary_counts WHERE project_key = $1 GROUP BY 1, 2),
            actual AS (SELECT container_id, state, count(*)::int AS n FROM import_operations WHERE project_key = $1 GROUP BY 1, 2)
       SELECT c.key, coalesce(counted.state, actual.state) AS state, coalesce(counted.n, 0) AS counted, coalesce(actual.n, 0) AS actual
         FROM counted FULL JOIN actual ON counted.container_id = actual.container_id AND counted.state = actual.state
         JOIN import_containers c ON c.project_key = $1 AND c.id = coalesce(counted.container_id, actual.container_id)
        WHERE coalesce(counted.n, 0) <> coalesce(actual.n, 0)`,
      [PROJECT],
    );

    report('container-races', {
      outcomes: Object.fromEntries(Object.entries(outcomes).map(([what, tally]) => [what, tally.counts])),
      deletes,
      acknowledgedOperations: acknowledged,
      finals: Object.fromEntries(Object.entries(finals).map(([key, final]) => [key, { version: final.version, successfulPuts: final.puts.length }])),
      finalWinners,
      orphanOperations,
      orphanCounters,
      counterMismatches: counterMismatches.length,
      failures: failures.length,
      examples: failures.slice(0, 10),
    });
    expect(failures).toEqual([]);
    expect(outcomes['PUT container']?.get(409)).toBeGreaterThan(0);
    expect(finalWinners).toEqual(Object.fromEntries(KEYS.map((key) => [key, 1])));
    for (const key of KEYS) {
      // No lost update: the 200 PUTs of the current incarnation answered versions 2..n, and n is the version.
      expect({ key, puts: finals[key].puts }).toEqual({ key, puts: Array.from({ length: finals[key].version - 1 }, (_, i) => i + 2) });
    }
    // Every incarnation, deleted ones too: its 200 PUTs answered distinct versions 2..k+1 (none lost, none twice).
    const gaps = [...putVersions].filter(([, versions]) => [...versions].sort((a, b) => a - b).some((version, i) => version !== i + 2)).map(([name, versions]) => `${name}: ${versions.join(',')}`);
    expect({ incarnations: putVersions.size, gaps }).toEqual({ incarnations: putVersions.size, gaps: [] });
    expect({ orphanOperations, orphanCounters, counterMismatches }).toEqual({ orphanOperations: 0, orphanCounters: 0, counterMismatches: [] });
  });
});
