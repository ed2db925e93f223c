import { randomUUID } from 'node:crypto';
import { KNOWN_SCOPES } from '../../libs/auth/src/scopes';
import { Answer, fetchToken, send } from './support/http';
import { report } from './support/load';
import { createClient } from './support/processes';
import { OTHER_PROJECT, PROJECT, Stack, startStack } from './support/stack';

interface Route {
  method: string;
  template: string;
  path: string;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** A concrete path for a route template: the project under test, a uuid for ids, a plain key otherwise. */
function concretePath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    if (name === 'projectKey') return PROJECT;
    if (/id$/i.test(name)) return randomUUID();
    return 'matrix-key';
  });
}

/** Every project route of the app's own OpenAPI document crossed with four tokens. */
describe('scope and cross-project matrix over every route of /openapi.json', () => {
  let stack: Stack;
  let routes: Route[];
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack();
    const openapi = (await send(stack.api.base, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    routes = Object.entries(openapi.paths)
      .filter(([template]) => template.includes('{projectKey}'))
      .flatMap(([template, operations]) =>
        Object.keys(operations)
          .filter((method) => METHODS.includes(method))
          .map((method) => ({ method: method.toUpperCase(), template, path: concretePath(template) })),
      );
    const viewScopes = KNOWN_SCOPES.filter((name) => name.startsWith('view_')).map((name) => `${name}:${PROJECT}`);
    tokens.manage = stack.token;
    tokens.other = await fetchToken(stack.api.base, createClient(stack.db.url, `manage_project:${OTHER_PROJECT}`));
    tokens.view = await fetchToken(stack.api.base, createClient(stack.db.url, viewScopes.join(' ')));
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('401 without a token, 403 for another project, 403 for view_* on writes, never 401/403 for covered reads', async () => {
    expect(routes.length).toBeGreaterThan(30);
    const call = (route: Route, token?: string): Promise<Answer> =>
      send(stack.api.base, route.method, route.path, { token, json: WRITES.has(route.method) ? {} : undefined, timeoutMs: 15_000 });
    const failures: string[] = [];
    let requests = 0;
    for (const route of routes) {
      const name = `${route.method} ${route.template}`;
      const expectations: Array<[string, string | undefined, (status: number) => boolean, string]> = [
        ['no token', undefined, (status) => status === 401, '401'],
        ['other project', tokens.other, (status) => status === 403, '403'],
        WRITES.has(route.method)
          ? ['view_* token', tokens.view, (status) => status === 403, '403']
          : ['view_* token', tokens.view, (status) => status !== 401 && status !== 403 && status < 500, 'not 401/403/5xx'],
        ['manage_project token', tokens.manage, (status) => status !== 401 && status !== 403 && status < 500, 'not 401/403/5xx'],
      ];
      for (const [who, token, ok, wanted] of expectations) {
        requests++;
        const answer = await call(route, token);
        if (!ok(answer.status)) failures.push(`${name} with ${who}: ${answer.status}, want ${wanted} ${answer.text.slice(0, 160)}`);
      }
    }
    report('scope-matrix', { routes: routes.length, requests, failures: failures.length, firstFailures: failures.slice(0, 10) });
    expect(failures).toEqual([]);
    expect(stack.api.alive()).toBe(true);
  });
});
