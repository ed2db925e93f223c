import { ModulesContainer } from '@nestjs/core';
import { declaredRoutes, KNOWN_SCOPES, READ_METHODS, viewScopesOnWrites } from '../../libs/auth/src';
import { createTestApp, TestApp } from '../support/test-app';

interface Route {
  method: string;
  path: string;
}

/** Every route the express router serves (Nest controllers and the plain express ones), straight from the router. */
function routerRoutes(t: TestApp): Route[] {
  const server = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: unknown; methods: Record<string, boolean> } }> } };
  const routes: Route[] = [];
  for (const layer of server.router.stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    // Nest's catch-all 404 handler, answering every method on every unknown path.
    if (layer.route.path.includes('{*')) continue;
    for (const [method, on] of Object.entries(layer.route.methods)) if (on) routes.push({ method: method.toUpperCase(), path: layer.route.path });
  }
  return routes;
}

/** The route's path with sample values: the given project, `x-1` for every other parameter. */
const concrete = (path: string, projectKey: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === 'projectKey' ? projectKey : 'x-1'));

const send = (t: TestApp, route: Route, path: string, header: Record<string, string>) => {
  const method = route.method.toLowerCase() as 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
  return t.http[method](path).set(header);
};

describe('scope matrix over every route of the router', () => {
  let t: TestApp;
  let routes: Route[];
  let projectRoutes: Route[];

  beforeAll(async () => {
    t = await createTestApp();
    routes = routerRoutes(t);
    projectRoutes = routes.filter((route) => route.path.includes(':projectKey'));
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds the routes (reads and writes of containers, import requests, referenced resources)', () => {
    const writes = projectRoutes.filter((route) => !READ_METHODS.has(route.method));
    expect(projectRoutes.length).toBeGreaterThan(60);
    expect(writes.length).toBeGreaterThanOrEqual(30);
    expect(writes).toEqual(expect.arrayContaining([{ method: 'POST', path: '/:projectKey/standalone-prices/import-containers/:importContainerKey' }]));
  });

  it('routes without a project are public (health, metrics, token endpoint, docs)', async () => {
    const wrong: string[] = [];
    for (const route of routes.filter((r) => !r.path.includes(':'))) {
      const res = await send(t, route, route.path, {});
      // Reachable without a token: anything but the guard's 401/403 (the token endpoint answers invalid_client itself).
      const guarded = route.path === '/oauth/token' ? res.body.error !== 'invalid_client' : [401, 403].includes(res.status);
      if (guarded) wrong.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a token with every view_* scope of the project gets 403 on every write and passes the guard on every read', async () => {
    const viewScopes = KNOWN_SCOPES.filter((name) => name.startsWith('view_')).map((name) => `${name}:proj-a`);
    const viewer = await t.client(viewScopes.join(' '));
    const wrong: string[] = [];
    for (const route of projectRoutes) {
      const res = await send(t, route, concrete(route.path, 'proj-a'), { ...viewer.header, 'Content-Type': 'application/json' });
      const write = !READ_METHODS.has(route.method);
      if (write && (res.status !== 403 || res.body.error !== 'insufficient_scope')) wrong.push(`${route.method} ${route.path} → ${res.status}`);
      if (!write && [401, 403].includes(res.status)) wrong.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a token holding every scope of project A gets 403 on project B for every route', async () => {
    const all = await t.client(KNOWN_SCOPES.map((name) => `${name}:proj-a`).join(' '));
    const wrong: string[] = [];
    for (const route of projectRoutes) {
      const res = await send(t, route, concrete(route.path, 'proj-b'), all.header);
      if (res.status !== 403 || res.body.error !== 'insufficient_scope') wrong.push(`${route.method} ${route.path} → ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the start-up check sees every Nest route and finds no write route declaring a view_* scope', () => {
    const declared = declaredRoutes(t.app.get(ModulesContainer));
    const nestRoutes = routes.filter((route) => route.path !== '/openapi.json' && !route.path.startsWith('/docs'));
    expect(declared.length).toBe(nestRoutes.length);
    expect(viewScopesOnWrites(declared)).toEqual([]);
  });
});
