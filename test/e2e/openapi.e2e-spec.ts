import { createTestApp, TestApp } from '../support/test-app';

/**
 * `/openapi.json` describes every route the application serves, completely: the list of operations comes from the
 * document itself and is cross-checked against the express router, so a route added later is covered automatically.
 */

type Json = Record<string, unknown>;
interface Operation {
  method: string;
  path: string;
  op: Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** The keywords of an OpenAPI 3.0 Schema Object (plus `x-` extensions). */
const SCHEMA_KEYWORDS = new Set([
  '$ref',
  'title',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxProperties',
  'minProperties',
  'required',
  'enum',
  'type',
  'allOf',
  'oneOf',
  'anyOf',
  'not',
  'items',
  'properties',
  'additionalProperties',
  'description',
  'format',
  'default',
  'nullable',
  'discriminator',
  'readOnly',
  'writeOnly',
  'xml',
  'externalDocs',
  'example',
  'deprecated',
]);
const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Express routes (Nest controllers and the plain express ones) in OpenAPI template form, e.g. `GET /{projectKey}/products/key={key}`. */
function routerRoutes(t: TestApp): string[] {
  const server = t.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: unknown; methods: Record<string, boolean> } }> } };
  const routes: string[] = [];
  for (const layer of server.router.stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    if (layer.route.path.includes('{*')) continue; // Nest's catch-all 404 handler
    const template = layer.route.path.replace(/:(\w+)/g, '{$1}');
    for (const [method, on] of Object.entries(layer.route.methods)) if (on) routes.push(`${method.toUpperCase()} ${template}`);
  }
  return routes;
}

function resolvePointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
    node = (node as Json)[segment];
  }
  return node;
}

/** Every `$ref` anywhere in the document, with where it is. */
function collectRefs(node: unknown, at: string, out: Array<{ at: string; ref: string }>): void {
  if (Array.isArray(node)) node.forEach((item, i) => collectRefs(item, `${at}/${i}`, out));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push({ at, ref: value });
      else collectRefs(value, `${at}/${key}`, out);
    }
  }
}

/** Problems of one Schema Object and its subschemas against the OpenAPI 3.0 Schema Object rules. */
function schemaProblems(schema: unknown, at: string, out: string[]): void {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    out.push(`${at}: not a schema object`);
    return;
  }
  const s = schema as Json;
  for (const key of Object.keys(s)) if (!SCHEMA_KEYWORDS.has(key) && !key.startsWith('x-')) out.push(`${at}: '${key}' is not an OpenAPI 3.0 schema keyword`);
  if (s.type !== undefined && !(typeof s.type === 'string' && TYPES.has(s.type))) out.push(`${at}: bad type ${JSON.stringify(s.type)}`);
  if (s.type === 'array' && s.items === undefined) out.push(`${at}: array without items`);
  if (s.required !== undefined && !(Array.isArray(s.required) && s.required.length > 0 && s.required.every((name) => typeof name === 'string'))) out.push(`${at}: bad required`);
  if (s.enum !== undefined && !(Array.isArray(s.enum) && s.enum.length > 0)) out.push(`${at}: bad enum`);
  if (s.discriminator !== undefined && typeof (s.discriminator as Json).propertyName !== 'string') out.push(`${at}: discriminator without propertyName`);
  if (s.properties !== undefined) for (const [name, sub] of Object.entries(s.properties as Json)) schemaProblems(sub, `${at}/properties/${name}`, out);
  if (s.items !== undefined) schemaProblems(s.items, `${at}/items`, out);
  if (typeof s.additionalProperties === 'object') schemaProblems(s.additionalProperties, `${at}/additionalProperties`, out);
  else if (s.additionalProperties !== undefined && typeof s.additionalProperties !== 'boolean') out.push(`${at}: bad additionalProperties`);
  for (const key of ['allOf', 'oneOf', 'anyOf']) if (s[key] !== undefined) (s[key] as unknown[]).forEach((sub, i) => schemaProblems(sub, `${at}/${key}/${i}`, out));
  if (s.not !== undefined) schemaProblems(s.not, `${at}/not`, out);
}

const contentSchemas = (content: unknown): Array<[string, Json]> =>
  Object.entries((content ?? {}) as Record<string, { schema?: Json }>).map(([type, media]) => [type, media.schema ?? {}]);

const parameters = (op: Json) => (op.parameters ?? []) as Array<{ name: string; in: string; required?: boolean; schema?: Json }>;
const errorRef = (response: unknown) => contentSchemas((response as Json | undefined)?.content).some(([, schema]) => schema.$ref === '#/components/schemas/ErrorResponse');

describe('/openapi.json', () => {
  let t: TestApp;
  let document: Json;
  let operations: Operation[];
  /** Operations whose response (called with sample values) is a commercetools paged result. */
  let paged: Operation[];

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    document = res.body as Json;
    operations = Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ method: method.toUpperCase(), path, op: op as Json })),
    );
    // Which GET routes are paged is found by calling them (one existing container for container-scoped routes).
    expect((await t.http.post('/test/import-containers').set(t.auth).send({ key: 'openapi-c' })).status).toBe(201);
    paged = [];
    for (const operation of operations.filter((o) => o.method === 'GET' && o.path.startsWith('/{projectKey}'))) {
      const url = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'projectKey' ? 'test' : name === 'importContainerKey' ? 'openapi-c' : 'x-1'));
      const answer = await t.http.get(url).set(t.auth);
      if (answer.status === 200 && Array.isArray(answer.body?.results) && typeof answer.body?.limit === 'number') paged.push(operation);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('is an OpenAPI 3.0 document whose every $ref resolves', () => {
    expect(document.openapi).toMatch(/^3\.0\.\d+$/);
    expect(document.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(operations.length).toBeGreaterThan(100);
    const refs: Array<{ at: string; ref: string }> = [];
    collectRefs(document, '#', refs);
    expect(refs.length).toBeGreaterThan(500);
    expect(refs.filter(({ ref }) => resolvePointer(document, ref) === undefined)).toEqual([]);
  });

  it('has valid operations: unique operationIds, declared path parameters, responses, known security schemes', () => {
    const problems: string[] = [];
    const schemes = Object.keys(((document.components as Json).securitySchemes ?? {}) as Json);
    const ids = new Set<string>();
    for (const { method, path, op } of operations) {
      const name = `${method} ${path}`;
      if (typeof op.operationId !== 'string' || ids.has(op.operationId)) problems.push(`${name}: operationId ${String(op.operationId)} missing or duplicate`);
      ids.add(op.operationId as string);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = parameters(op).filter((p) => p.in === 'path');
      if (JSON.stringify(declared.map((p) => p.name).sort()) !== JSON.stringify(templated)) problems.push(`${name}: path parameters ${declared.map((p) => p.name).join(',')} ≠ ${templated.join(',')}`);
      if (declared.some((p) => p.required !== true)) problems.push(`${name}: a path parameter is not required`);
      const seen = new Set<string>();
      for (const p of parameters(op)) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in) || typeof p.name !== 'string' || p.schema === undefined) problems.push(`${name}: bad parameter ${JSON.stringify(p)}`);
        if (seen.has(`${p.in}:${p.name}`)) problems.push(`${name}: parameter ${p.name} declared twice`);
        seen.add(`${p.in}:${p.name}`);
      }
      const responses = Object.entries((op.responses ?? {}) as Record<string, Json>);
      if (responses.length === 0) problems.push(`${name}: no responses`);
      for (const [status, response] of responses) {
        if (!/^[1-5]\d\d$|^default$/.test(status)) problems.push(`${name}: bad status ${status}`);
        if (typeof response.description !== 'string') problems.push(`${name}: response ${status} without description`);
      }
      for (const requirement of (op.security ?? []) as Json[]) for (const scheme of Object.keys(requirement)) if (!schemes.includes(scheme)) problems.push(`${name}: unknown security scheme ${scheme}`);
    }
    expect(problems).toEqual([]);
  });

  it('has only OpenAPI 3.0 Schema Objects (components, parameters, bodies, responses)', () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(((document.components as Json).schemas ?? {}) as Json)) schemaProblems(schema, `#/components/schemas/${name}`, problems);
    for (const { method, path, op } of operations) {
      const name = `${method} ${path}`;
      for (const p of parameters(op)) schemaProblems(p.schema, `${name} parameter ${p.name}`, problems);
      for (const [type, schema] of contentSchemas((op.requestBody as Json | undefined)?.content)) schemaProblems(schema, `${name} body ${type}`, problems);
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) for (const [type, schema] of contentSchemas(response.content)) schemaProblems(schema, `${name} ${status} ${type}`, problems);
    }
    expect(problems).toEqual([]);
  });

  it('documents every route the router serves, and nothing else', () => {
    const served = routerRoutes(t).filter((route) => !/ \/(openapi\.json|docs)/.test(route));
    const documented = operations.map(({ method, path }) => `${method} ${path}`);
    expect(served.length).toBeGreaterThan(100);
    expect(served.filter((route) => !documented.includes(route))).toEqual([]);
    expect(documented.filter((route) => !served.includes(route))).toEqual([]);
  });

  it('gives every operation a summary and at least one 4xx response with the ErrorResponse schema', () => {
    const problems: string[] = [];
    for (const { method, path, op } of operations) {
      if (typeof op.summary !== 'string' || op.summary.trim().length < 8) problems.push(`${method} ${path}: no summary`);
      const errors = Object.entries((op.responses ?? {}) as Record<string, Json>).filter(([status, response]) => /^4\d\d$/.test(status) && errorRef(response));
      if (errors.length === 0) problems.push(`${method} ${path}: no 4xx ErrorResponse`);
      // Behind the bearer guard: the guard's 401 and 403.
      if (((op.security ?? []) as Json[]).some((requirement) => 'bearer' in requirement)) {
        for (const status of ['400', '401', '403']) if (!errorRef((op.responses as Json)[status])) problems.push(`${method} ${path}: no ${status} ErrorResponse`);
      }
      // A JSON body: 413 (too large) and 415 (not JSON).
      if (contentSchemas((op.requestBody as Json | undefined)?.content).some(([type]) => type === 'application/json')) {
        for (const status of ['413', '415']) if (!errorRef((op.responses as Json)[status])) problems.push(`${method} ${path}: no ${status} ErrorResponse`);
      }
    }
    expect(problems).toEqual([]);
    const schema = ((document.components as Json).schemas as Json).ErrorResponse as Json;
    expect(schema).toMatchObject({ required: ['statusCode', 'message', 'errors'], properties: expect.objectContaining({ error: expect.any(Object), error_description: expect.any(Object) }) });
  });

  it('puts every project route behind the bearer and OAuth2 schemes', () => {
    const wrong = operations
      .filter(({ path }) => path.startsWith('/{projectKey}'))
      .filter(({ op }) => {
        const schemes = ((op.security ?? []) as Json[]).flatMap((requirement) => Object.keys(requirement));
        return !schemes.includes('bearer') || !schemes.includes('oauth2');
      })
      .map(({ method, path }) => `${method} ${path}`);
    expect(wrong).toEqual([]);
  });

  /** Paged lists of the Import API's own resources (not the read API): no `where` predicates. */
  const PAGED_WITHOUT_WHERE = new Set(['/{projectKey}/import-containers', '/{projectKey}/import-profiles', '/{projectKey}/subscriptions', '/{projectKey}/import-containers/{importContainerKey}/file-imports']);

  it('documents paging (limit 0..500, offset 0..10000, repeated sort) on every paged route, filters on operations, where on the read API', () => {
    // containers, operations and the read API of the imported and the referenced-only resources
    expect(paged.length).toBeGreaterThanOrEqual(20);
    expect(paged.map(({ path }) => path)).toEqual(expect.arrayContaining(['/{projectKey}/import-containers', '/{projectKey}/import-containers/{importContainerKey}/import-operations', '/{projectKey}/products']));
    const problems: string[] = [];
    for (const { method, path, op } of paged) {
      const query = Object.fromEntries(parameters(op).filter((p) => p.in === 'query').map((p) => [p.name, p]));
      const expectSchema = (name: string, expected: Json) => {
        if (!query[name]) problems.push(`${method} ${path}: no ${name}`);
        else if (JSON.stringify({ ...query[name].schema, ...expected }) !== JSON.stringify(query[name].schema)) problems.push(`${method} ${path}: ${name} schema ${JSON.stringify(query[name].schema)}`);
      };
      expectSchema('limit', { type: 'integer', minimum: 0, maximum: 500 });
      expectSchema('offset', { type: 'integer', minimum: 0, maximum: 10000 });
      expectSchema('sort', { type: 'array' });
      if (path.endsWith('/import-operations')) {
        expectSchema('state', { enum: ['processing', 'validationFailed', 'unresolved', 'waitForMasterVariant', 'imported', 'rejected', 'canceled', 'partiallyImported'] });
        expectSchema('resourceKey', { type: 'string' });
        expectSchema('debug', { type: 'boolean' });
      } else if (!PAGED_WITHOUT_WHERE.has(path) && !path.startsWith('/{projectKey}/import-')) {
        // `where` belongs to the read API; the Import API's own lists (containers, events, …) have their own filters.
        expectSchema('where', { type: 'array' });
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every import path a request body referencing its official ImportRequest schema (1..20 items)', () => {
    const imports = operations.filter(({ method, path }) => method === 'POST' && /^\/\{projectKey\}\/[a-z-]+\/import-containers\/\{importContainerKey\}$/.test(path));
    expect(imports).toHaveLength(18);
    const problems: string[] = [];
    for (const { path, op } of imports) {
      const body = (op.requestBody as Json | undefined)?.content as Record<string, { schema?: Json }> | undefined;
      const ref = body?.['application/json']?.schema?.$ref;
      const schema = typeof ref === 'string' ? (resolvePointer(document, ref) as Json | undefined) : undefined;
      const items = schema ? ((schema.properties as Json)[path.includes('-patches/') ? 'patches' : 'resources'] as Json | undefined) : undefined;
      const item = items?.items as Json | undefined;
      const resolvedItem = typeof item?.$ref === 'string' ? (resolvePointer(document, item.$ref) as Json | undefined) : undefined;
      if (!items || items.minItems !== 1 || items.maxItems !== 20 || !resolvedItem || resolvedItem.type !== 'object' || !resolvedItem.properties) {
        problems.push(`${path}: body ${JSON.stringify(body)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('documents the token endpoint: form body, HTTP Basic, and an OAuth2 client-credentials flow Swagger UI can use', async () => {
    const token = (document.paths as Record<string, Record<string, Json>>)['/oauth/token'].post;
    const form = ((token.requestBody as Json).content as Json)['application/x-www-form-urlencoded'] as { schema: Json };
    expect(form.schema).toMatchObject({ required: ['grant_type'], properties: { grant_type: expect.any(Object), scope: expect.any(Object) } });
    expect(token.security).toEqual([{ basic: [] }]);
    const schemes = (document.components as Json).securitySchemes as Record<string, Json>;
    expect(schemes.basic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(schemes.oauth2).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/oauth/token' } } });
    // What Swagger UI's Authorize sends for the client-credentials flow: Basic credentials and a form body whose
    // `scope` is empty when no scope is ticked (swagger-ui authorizeApplication).
    const client = await t.client('manage_project:test');
    const res = await t.http
      .post((schemes.oauth2 as { flows: { clientCredentials: { tokenUrl: string } } }).flows.clientCredentials.tokenUrl)
      .set('Authorization', `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`)
      .set('Accept', 'application/json, text/plain, */*')
      .set('X-Requested-With', 'XMLHttpRequest')
      .type('form')
      .send('grant_type=client_credentials&scope=');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'manage_project:test' });
    expect((await t.http.get('/test/import-containers').set('Authorization', `Bearer ${res.body.access_token}`)).status).toBe(200);
  });
});
