import { Answer, errorResponseProblem, send } from './support/http';
import { report } from './support/load';
import { startApi } from './support/processes';
import { PROJECT, Stack, startStack } from './support/stack';

const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

interface CrashInput {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  raw?: string;
  /** Token of the stack's client. */
  auth?: boolean;
  expect: number[];
}

/** Inputs that have ended (or could end) the process; each must be answered with a 4xx ErrorResponse and leave the API alive. */
const inputs = (containerKey: string): CrashInput[] => [
  {
    name: 'JWT whose header has kid "a\\u0000b"',
    method: 'GET',
    path: `/${PROJECT}/import-containers`,
    headers: { Authorization: `Bearer ${b64url(JSON.stringify({ alg: 'ES256', kid: 'a\u0000b' }))}.${b64url('{"sub":"x"}')}.${b64url('signature')}` },
    expect: [401],
  },
  {
    name: 'JWT whose kid is an object',
    method: 'GET',
    path: `/${PROJECT}/import-containers`,
    headers: { Authorization: `Bearer ${b64url(JSON.stringify({ alg: 'ES256', kid: { a: 1 } }))}.${b64url('{}')}.${b64url('s')}` },
    expect: [401],
  },
  {
    name: "Basic credentials '%:x' on /oauth/token",
    method: 'POST',
    path: '/oauth/token',
    headers: { Authorization: `Basic ${Buffer.from('%:x').toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    raw: 'grant_type=client_credentials',
    expect: [401],
  },
  {
    name: 'depth-2000 nested arrays as an import request',
    method: 'POST',
    path: `/${PROJECT}/product-types/import-containers/${containerKey}`,
    auth: true,
    raw: `{"type":"product-type","resources":[{"key":"deep","name":"Deep","description":"d","attributes":${nested(2000)}}]}`,
    expect: [400],
  },
  { name: 'depth-2000 nested arrays as a container draft', method: 'POST', path: `/${PROJECT}/import-containers`, auth: true, raw: nested(2000), expect: [400] },
  { name: 'retentionPolicy: []', method: 'POST', path: `/${PROJECT}/import-containers`, auth: true, raw: '{"key":"x","retentionPolicy":[]}', expect: [400] },
  { name: 'PUT version 3000000000', method: 'PUT', path: `/${PROJECT}/import-containers/${containerKey}`, auth: true, raw: '{"version":3000000000}', expect: [400] },
  { name: 'PUT version 1e308', method: 'PUT', path: `/${PROJECT}/import-containers/${containerKey}`, auth: true, raw: '{"version":1e308}', expect: [400] },
  { name: '20 KB URL', method: 'GET', path: `/${PROJECT}/import-containers?sort=${'k'.repeat(20_000)}`, auth: true, expect: [414, 431] },
  { name: '20 KB header', method: 'GET', path: `/${PROJECT}/import-containers`, auth: true, headers: { 'X-Padding': 'p'.repeat(20_000) }, expect: [431] },
];

describe('crash inputs leave the API process alive', () => {
  let stack: Stack;
  const containerKey = 'crash-inputs';

  beforeAll(async () => {
    stack = await startStack();
    expect((await send(stack.api.base, 'POST', `/${PROJECT}/import-containers`, { token: stack.token, json: { key: containerKey } })).status).toBe(201);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers each hostile input with a 4xx ErrorResponse, and the same process then answers /health with 200', async () => {
    const results: Array<{ name: string; status: number | string; processEnded?: string }> = [];
    const failures: string[] = [];
    let restarts = 0;
    for (const input of inputs(containerKey)) {
      let answer: Answer | undefined;
      try {
        answer = await send(stack.api.base, input.method, input.path, { raw: input.raw, headers: input.headers, token: input.auth ? stack.token : undefined, timeoutMs: 15_000 });
      } catch (error) {
        failures.push(`${input.name}: no answer (${String(error)})`);
      }
      if (answer) {
        if (!input.expect.includes(answer.status)) failures.push(`${input.name}: ${answer.status}, want ${input.expect.join('/')}`);
        const problem = errorResponseProblem(answer);
        if (problem) failures.push(`${input.name}: ${answer.status} is not an ErrorResponse (${problem})`);
      }
      // A crash may come a moment after the answer: the same process must still answer /health.
      const health = await send(stack.api.base, 'GET', '/health', { timeoutMs: 5_000 }).catch(() => undefined);
      const result: (typeof results)[number] = { name: input.name, status: answer?.status ?? 'no-answer' };
      if (!stack.api.alive() || health?.status !== 200) {
        const exitedSoon = await Promise.race([stack.api.exited, new Promise<undefined>((resolve) => setTimeout(resolve, 5_000, undefined))]);
        const ended = exitedSoon ?? `alive but /health answered ${health?.status ?? 'nothing'}`;
        const cause = stack.api.output().split('\n').find((line) => /Error|error/.test(line))?.slice(0, 300);
        result.processEnded = ended;
        failures.push(`${input.name}: the API process did not survive (${ended}): ${cause ?? ''}`);
        // Go on with a fresh process so every input is tried.
        await stack.api.kill();
        stack.api = await startApi(stack.db.url, { port: stack.api.port });
        stack.processes.push(stack.api);
        restarts++;
      }
      results.push(result);
    }
    report('crash-inputs', { inputs: results.length, restarts, results, failures });
    expect(failures).toEqual([]);
    expect(restarts).toBe(0);
  });
});
