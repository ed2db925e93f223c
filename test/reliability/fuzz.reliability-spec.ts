import fc from 'fast-check';
import { RESOURCE_TYPES } from '../../libs/import/src/resource-types';
import { ctExample, EXAMPLE_REQUESTS } from '../support/fixtures';
import { deepValue, hostileSegment, hostileString, mutate, mutation, query, serialise, wrongType } from './support/fuzz';
import { Answer, errorResponseProblem, send } from './support/http';
import { pool, report, Tally } from './support/load';
import { OTHER_PROJECT, PROJECT, Stack, startStack } from './support/stack';

/** One generated request; `items` is the number of resources/patches when the body is a well-formed envelope. */
interface FuzzRequest {
  group: string;
  method: string;
  path: string;
  raw?: string;
  contentType?: string;
  items?: number;
}

const PER_IMPORT_PATH = 170;
const PER_CONTAINER_ROUTE = 160;
const CONCURRENCY = 4;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const CONTAINER = 'fuzz';
const PUT_TARGET = 'put-target';
const TYPES = RESOURCE_TYPES.map((info) => info.type);

const itemsOf = (value: unknown): number | undefined => {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const items = record.resources ?? record.patches;
  return Array.isArray(items) ? items.length : undefined;
};

const project = fc.oneof({ weight: 12, arbitrary: fc.constant(PROJECT) }, { weight: 1, arbitrary: fc.constantFrom('r%00l', OTHER_PROJECT, '%ED%A0%80', 'x'.repeat(300)) });
const maybeQuery = fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: query });
const contentType = fc.oneof(
  { weight: 15, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'application/merge-patch+json') },
);
const newKey = (prefix: string) => fc.stringMatching(/^[a-z0-9]{1,12}$/).map((s) => `${prefix}${s}`);
/** Container keys a mutating route may touch: never CONTAINER, the only one that holds operations. */
const spareKey = fc.oneof(fc.constant(PUT_TARGET), newKey('fz-'), newKey('del-'), fc.constant('nope-missing'), hostileSegment);

/** A body arbitrary: the value itself, mutated, random JSON, deep nesting, raw garbage or truncated text. */
function bodies(seed: unknown): fc.Arbitrary<{ raw: string; items?: number }> {
  const seedText = JSON.stringify(seed);
  const asBody = (value: unknown) => ({ raw: serialise(value), items: itemsOf(value) });
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(seed).map(asBody) },
    { weight: 10, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }).map((changes) => asBody(mutate(seed, changes))) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }).map(asBody) },
    { weight: 1, arbitrary: deepValue.map(asBody) },
    { weight: 1, arbitrary: fc.record({ type: fc.constantFrom(...TYPES), resources: fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 25 }) }).map(asBody) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 200 }), fc.nat().map((n) => seedText.slice(0, n % seedText.length))).map((raw) => ({ raw })) },
    { weight: 1, arbitrary: fc.constantFrom('y'.repeat(1_100_000), `{"type":"product","resources":[{"key":"${'k'.repeat(1_100_000)}"}]}`).map((raw) => ({ raw })) },
  );
}

function importRequests(resourcePath: string, seed: unknown): fc.Arbitrary<FuzzRequest> {
  const container = fc.oneof({ weight: 14, arbitrary: fc.constant(CONTAINER) }, { weight: 1, arbitrary: fc.constant('nope-missing') }, { weight: 1, arbitrary: hostileSegment });
  return fc.record({ project, container, query: maybeQuery, body: bodies(seed), contentType }).map(({ project: p, container: c, query: q, body, contentType: type }) => ({
    group: `POST ${resourcePath}`,
    method: 'POST',
    path: `/${p}/${resourcePath}/import-containers/${c}${q}`,
    raw: body.raw,
    contentType: type,
    // Only a request for the real project and container can be accepted.
    items: p === PROJECT && c === CONTAINER ? body.items : undefined,
  }));
}

const containerDraft = fc
  .record(
    {
      key: fc.oneof({ weight: 4, arbitrary: newKey('fz-') }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: wrongType }),
      resourceType: fc.oneof(fc.constantFrom(...TYPES), hostileString, wrongType),
      retentionPolicy: fc.oneof(
        fc.constant({ strategy: 'ttl', config: { timeToLive: '1h' } }),
        fc.constantFrom([], {}, null, { strategy: 'ttl' }, { strategy: 'forever', config: {} }),
        fc.record({ strategy: fc.constant('ttl'), config: fc.record({ timeToLive: fc.oneof(fc.constantFrom('1h', '30d', '0h', '31d', '59m', '720h', 'h', '1w', '9999999999999999999d'), hostileString, wrongType) }) }),
        wrongType,
      ),
    },
    { requiredKeys: ['key'] },
  )
  .chain((draft) => fc.oneof({ weight: 3, arbitrary: fc.constant(draft as unknown) }, { weight: 1, arbitrary: fc.array(mutation, { maxLength: 2 }).map((changes) => mutate(draft, changes)) }));

const containerUpdate = fc.oneof(
  { weight: 4, arbitrary: fc.record({ version: fc.oneof(fc.integer({ min: -2, max: 6 }), wrongType), resourceType: fc.oneof(fc.constantFrom(...TYPES), hostileString, wrongType) }, { requiredKeys: ['version'] }) as fc.Arbitrary<unknown> },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: deepValue },
);

const containerRoutes: Array<[string, fc.Arbitrary<FuzzRequest>]> = [
  ['POST containers', fc.record({ p: project, body: containerDraft, type: contentType }).map(({ p, body, type }) => ({ group: 'POST containers', method: 'POST', path: `/${p}/import-containers`, raw: serialise(body), contentType: type }))],
  ['GET containers', fc.record({ p: project, q: query }).map(({ p, q }) => ({ group: 'GET containers', method: 'GET', path: `/${p}/import-containers${q}` }))],
  ['GET container', fc.record({ p: project, k: fc.oneof(fc.constant(CONTAINER), spareKey), q: maybeQuery }).map(({ p, k, q }) => ({ group: 'GET container', method: 'GET', path: `/${p}/import-containers/${k}${q}` }))],
  [
    'PUT container',
    fc.record({ p: project, k: spareKey, body: containerUpdate, type: contentType }).map(({ p, k, body, type }) => ({ group: 'PUT container', method: 'PUT', path: `/${p}/import-containers/${k}`, raw: serialise(body), contentType: type })),
  ],
  ['DELETE container', fc.record({ p: project, k: spareKey, q: maybeQuery }).map(({ p, k, q }) => ({ group: 'DELETE container', method: 'DELETE', path: `/${p}/import-containers/${k}${q}` }))],
  [
    'GET import-operations',
    fc
      .record({ p: project, k: fc.oneof({ weight: 4, arbitrary: fc.constant(CONTAINER) }, { weight: 1, arbitrary: spareKey }), q: query })
      .map(({ p, k, q }) => ({ group: 'GET import-operations', method: 'GET', path: `/${p}/import-containers/${k}/import-operations${q}` })),
  ],
  [
    'GET import-summaries',
    fc
      .record({ p: project, k: fc.oneof({ weight: 4, arbitrary: fc.constant(CONTAINER) }, { weight: 1, arbitrary: spareKey }), q: maybeQuery })
      .map(({ p, k, q }) => ({ group: 'GET import-summaries', method: 'GET', path: `/${p}/import-containers/${k}/import-summaries${q}` })),
  ],
  [
    'GET import-operation',
    fc
      .record({ p: project, id: fc.oneof(fc.uuid(), hostileSegment, fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-000000000000', '%00')), q: maybeQuery })
      .map(({ p, id, q }) => ({ group: 'GET import-operation', method: 'GET', path: `/${p}/import-operations/${id}${q}` })),
  ],
];

describe('fuzzing every import path and the container and operation routes', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
    for (const key of [CONTAINER, PUT_TARGET]) {
      expect((await send(stack.api.base, 'POST', `/${PROJECT}/import-containers`, { token: stack.token, json: { key } })).status).toBe(201);
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('never answers 5xx, every 4xx is an ErrorResponse, and only 201 answers write operations', async () => {
    const requests: FuzzRequest[] = [];
    let offset = 0;
    const sample = (arbitrary: fc.Arbitrary<FuzzRequest>, numRuns: number) => requests.push(...fc.sample(arbitrary, { numRuns, seed: SEED + offset++ }));
    for (const info of RESOURCE_TYPES) sample(importRequests(info.path, ctExample(EXAMPLE_REQUESTS[info.path])), PER_IMPORT_PATH);
    for (const [, arbitrary] of containerRoutes) sample(arbitrary, PER_CONTAINER_ROUTE);

    const operationsBefore = await stack.db.count(`SELECT count(*)::int AS n FROM import_operations`);
    const byStatus = new Tally();
    const byGroup: Record<string, Tally> = {};
    const violations: string[] = [];
    const kinds = new Tally();
    const violation = (kind: string, request: FuzzRequest, detail: string) => {
      kinds.add(`${kind} on ${request.group}`);
      violations.push(`${kind} ${detail.slice(0, 160)}: ${show(request)}`);
    };
    let acceptedOperations = 0;
    const show = (request: FuzzRequest) => `${request.method} ${request.path.slice(0, 120)} body ${(request.raw ?? '').slice(0, 160)}`;
    const started = Date.now();

    await pool(requests, CONCURRENCY, async (request) => {
      let answer: Answer;
      try {
        answer = await send(stack.api.base, request.method, request.path, { token: stack.token, raw: request.raw, headers: request.contentType ? { 'Content-Type': request.contentType } : {}, timeoutMs: 30_000 });
      } catch (error) {
        byStatus.add('no-answer');
        violation('no answer', request, String(error));
        return;
      }
      byStatus.add(answer.status);
      (byGroup[request.group] ??= new Tally()).add(answer.status);
      if (answer.status >= 500) violation(String(answer.status), request, answer.text);
      else if (answer.status >= 400) {
        const problem = errorResponseProblem(answer);
        if (problem) violation(`${answer.status} without ErrorResponse`, request, problem);
      } else if (request.group.startsWith('POST ') && request.group !== 'POST containers') {
        const statuses = (answer.body as { operationStatus?: Array<{ operationId?: unknown; state?: unknown }> } | undefined)?.operationStatus;
        if (answer.status !== 201 || !Array.isArray(statuses)) {
          violation(`${answer.status} without operationStatus`, request, answer.text);
          return;
        }
        acceptedOperations += statuses.length;
        if (request.items !== statuses.length) violation('201 with a wrong number of operations', request, `${statuses.length} for ${String(request.items)} items`);
        if (statuses.some((status) => typeof status.operationId !== 'string' || status.state !== 'processing')) violation('201 with a malformed operationStatus', request, answer.text);
      }
    });

    const operationsAfter = await stack.db.count(`SELECT count(*)::int AS n FROM import_operations`);
    const health = await send(stack.api.base, 'GET', '/health', { timeoutMs: 5_000 }).catch(() => undefined);
    report('fuzz', {
      seed: SEED,
      requests: requests.length,
      seconds: Math.round((Date.now() - started) / 1000),
      byStatus: byStatus.counts,
      byGroup: Object.fromEntries(Object.entries(byGroup).map(([group, tally]) => [group, tally.counts])),
      acceptedOperations,
      operationsWritten: operationsAfter - operationsBefore,
      violations: violations.length,
      violationsByKind: kinds.counts,
      alive: stack.api.alive(),
      examples: violations.slice(0, 10),
    });
    expect(requests.length).toBeGreaterThanOrEqual(3_000);
    expect({ alive: stack.api.alive(), health: health?.status }).toEqual({ alive: true, health: 200 });
    expect(byStatus.get(201)).toBeGreaterThan(0);
    // No partial writes: only accepted requests add operations, exactly one per acknowledged operation.
    expect(operationsAfter - operationsBefore).toBe(acceptedOperations);
    expect(kinds.counts).toEqual({});
  });
});
