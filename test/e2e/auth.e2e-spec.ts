import { ModulesContainer } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { ClientBuilder } from '@commercetools/ts-client';
import { createApiBuilderFromCtpClient } from '@commercetools/importapi-sdk';
import { SignJWT, generateKeyPair } from 'jose';
import { DataSource } from 'typeorm';
import { PUBLIC_KEY, SCOPES_KEY, SigningKeysService } from '../../libs/auth/src';
import { createTestApp, TestApp } from '../support/test-app';

describe('OAuth 2.0 client credentials and scopes', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp();
    baseUrl = await t.app.getUrl();
    baseUrl = baseUrl.replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
  });

  const tokenRequest = (clientId: string, clientSecret: string, form: Record<string, string>) =>
    t.http.post('/oauth/token').auth(clientId, clientSecret).type('form').send(form);

  it('issues a bearer token for HTTP Basic client credentials', async () => {
    const client = await t.client('manage_project:test view_products:test');
    const res = await tokenRequest(client.clientId, client.clientSecret, { grant_type: 'client_credentials' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 172800, scope: 'manage_project:test view_products:test' });
    const [header] = res.body.access_token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'ES256', kid: expect.any(String) });
  });

  it('grants a requested subset of scopes, including a literal space and several projects', async () => {
    const client = await t.client('manage_import_containers:test view_import_containers:test view_products:test');
    const res = await t.http
      .post('/oauth/token')
      .auth(client.clientId, client.clientSecret)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('grant_type=client_credentials&scope=view_import_containers:test view_products:test');
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('view_import_containers:test view_products:test');
    const viewer = { Authorization: `Bearer ${res.body.access_token}` };
    expect((await t.http.get('/test/import-containers').set(viewer)).status).toBe(200);
    const denied = await t.http.post('/test/import-containers').set(viewer).send({ key: 'nope' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ statusCode: 403, errors: [{ code: 'insufficient_scope' }], error: 'insufficient_scope' });
  });

  it.each([
    ['unsupported_grant_type', { grant_type: 'password' }, 400],
    ['invalid_request', {}, 400],
    ['invalid_scope', { grant_type: 'client_credentials', scope: 'manage_orders:test' }, 400],
  ])('answers %s', async (code, form, status) => {
    const client = await t.client('view_import_containers:test');
    const res = await tokenRequest(client.clientId, client.clientSecret, form as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, error: code, errors: [{ code }] });
  });

  it('answers invalid_client for a wrong secret, an unknown client and missing credentials', async () => {
    const client = await t.client('view_import_containers:test');
    for (const res of [
      await tokenRequest(client.clientId, 'wrong', { grant_type: 'client_credentials' }),
      await tokenRequest('unknown-client', client.clientSecret, { grant_type: 'client_credentials' }),
      await t.http.post('/oauth/token').type('form').send({ grant_type: 'client_credentials' }),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, error: 'invalid_client', errors: [{ code: 'invalid_client' }] });
    }
  });

  it('throttles repeated failed authentications with 429 and Retry-After', async () => {
    const client = await t.client('view_import_containers:test');
    let last;
    for (let attempt = 0; attempt < 12; attempt++) {
      last = await t.http.post('/oauth/token').auth(client.clientId, `guess-${attempt}`).type('form').send({ grant_type: 'client_credentials' });
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    // Even the right secret waits out the lock for that client.
    const locked = await tokenRequest(client.clientId, client.clientSecret, { grant_type: 'client_credentials' });
    expect(locked.status).toBe(429);
  });

  it('answers invalid_client (never 500) for malformed Basic credentials and NUL bytes', async () => {
    const basic = (raw: string) => `Basic ${Buffer.from(raw, 'utf8').toString('base64')}`;
    const client = await t.client('view_import_containers:test');
    for (const header of [
      basic('%:x'),
      basic(`${client.clientId}:%zz`),
      basic(`%E0%A4%A:${client.clientSecret}`),
      basic(`${client.clientId}%00:${client.clientSecret}`),
      basic(`${client.clientId}:${client.clientSecret}%00`),
      basic(`a\u0000b:${client.clientSecret}`),
      basic(`${client.clientId}:\u0000`),
      `Basic ${Buffer.from([0xff, 0xfe, 0x3a, 0x61]).toString('base64')}`,
      basic(`${'i'.repeat(5000)}:x`),
      basic(':secret'),
      'Basic !!!',
    ]) {
      const res = await t.http.post('/oauth/token').set('Authorization', header).type('form').send({ grant_type: 'client_credentials' });
      expect([header.slice(0, 40), res.status, res.body.error]).toEqual([header.slice(0, 40), 401, 'invalid_client']);
    }
    // Percent-encoded credentials (RFC 6749 2.3.1) still work.
    const encoded = await t.http.post('/oauth/token').set('Authorization', basic(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`)).type('form').send({ grant_type: 'client_credentials' });
    expect(encoded.status).toBe(200);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a lockout cannot be dodged by forging the header', async () => {
    const client = await t.client('view_import_containers:test');
    for (let attempt = 0; attempt < 10; attempt++) {
      await t.http.post('/oauth/token').set('X-Forwarded-For', `198.51.100.${attempt}`).auth(client.clientId, `guess-${attempt}`).type('form').send({ grant_type: 'client_credentials' });
    }
    const res = await t.http.post('/oauth/token').set('X-Forwarded-For', '198.51.100.99').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(429);
  });

  describe('throttling per (client id, address) and per address (TRUST_PROXY on)', () => {
    let p: TestApp;
    beforeAll(async () => {
      p = await createTestApp({ TRUST_PROXY: 'loopback', AUTH_MAX_FAILURES_PER_CLIENT_ADDRESS: '3', AUTH_MAX_FAILURES_PER_ADDRESS: '6', AUTH_THROTTLE_WINDOW_SECONDS: '120' });
    });
    afterAll(async () => {
      await p.close();
    });
    const from = (address: string, clientId: string, secret: string) =>
      p.http.post('/oauth/token').set('X-Forwarded-For', address).auth(clientId, secret).type('form').send({ grant_type: 'client_credentials' });

    it('locks a client out from the guessing address only', async () => {
      const client = await p.client('view_import_containers:test');
      for (let attempt = 0; attempt < 3; attempt++) expect((await from('203.0.113.1', client.clientId, `guess-${attempt}`)).status).toBe(401);
      const locked = await from('203.0.113.1', client.clientId, client.clientSecret);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(60);
      // The right secret from another address is unaffected, and so is another client from the locked address.
      expect((await from('203.0.113.2', client.clientId, client.clientSecret)).status).toBe(200);
      const other = await p.client('view_import_containers:test');
      expect((await from('203.0.113.1', other.clientId, other.clientSecret)).status).toBe(200);
    });

    it('locks out an address guessing many client ids, not the clients elsewhere', async () => {
      const client = await p.client('view_import_containers:test');
      for (let attempt = 0; attempt < 6; attempt++) expect((await from('203.0.113.7', `unknown-${attempt}`, 'x')).status).toBe(401);
      expect((await from('203.0.113.7', client.clientId, client.clientSecret)).status).toBe(429);
      expect((await from('203.0.113.8', client.clientId, client.clientSecret)).status).toBe(200);
    });
  });

  it('never stores the secret in clear', async () => {
    const client = await t.client('view_import_containers:test');
    const rows = (await t.dataSource.query(`SELECT secret_hash FROM api_clients WHERE id = $1`, [client.clientId])) as Array<{ secret_hash: string }>;
    expect(rows[0].secret_hash).toMatch(/^scrypt\$/);
    expect(rows[0].secret_hash).not.toContain(client.clientSecret);
  });

  describe('bearer tokens on API routes', () => {
    it('401 invalid_token when the token is missing, malformed, forged or expired', async () => {
      const missing = await t.http.get('/test/import-containers');
      expect(missing.status).toBe(401);
      expect(missing.body).toMatchObject({ statusCode: 401, error: 'invalid_token', errors: [{ code: 'invalid_token' }] });
      expect((await t.http.get('/test/import-containers').set('Authorization', 'Bearer not.a.jwt')).status).toBe(401);
      expect((await t.http.get('/test/import-containers').set('Authorization', 'Basic abc')).status).toBe(401);

      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ scope: 'manage_project:test' }).setProtectedHeader({ alg: 'ES256', kid: 'forged' }).setIssuer('berth').setSubject('x').setExpirationTime('1h').sign(privateKey);
      expect((await t.http.get('/test/import-containers').set('Authorization', `Bearer ${forged}`)).status).toBe(401);

      // A token signed with Berth's real key but with a tampered payload fails the signature check.
      const client = await t.client('view_import_containers:test');
      const [h, , s] = client.token.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ scope: 'manage_project:test', sub: client.clientId, iss: 'berth', exp: 9999999999 })).toString('base64url')}.${s}`;
      expect((await t.http.get('/test/import-containers').set('Authorization', `Bearer ${tampered}`)).status).toBe(401);
    });

    it('401 invalid_token for hostile tokens, and the process keeps serving', async () => {
      const segment = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
      const payload = segment({ scope: 'manage_project:test', sub: 'x', iss: 'berth', exp: 9999999999 });
      const { privateKey } = await generateKeyPair('ES256');
      const signed = (header: Record<string, unknown>) => new SignJWT({ scope: 'manage_project:test' }).setProtectedHeader({ alg: 'ES256', ...header }).setIssuer('berth').setSubject('x').setExpirationTime('1h').sign(privateKey);
      const tokens = [
        await signed({ kid: 'a\u0000b' }),
        `${segment({ alg: 'ES256', kid: 'a\u0000b' })}.${payload}.AAAA`,
        `${segment({ alg: 'ES256', kid: 'x'.repeat(10_000) })}.${payload}.AAAA`,
        `${segment({ alg: 'ES256', kid: 12345 })}.${payload}.AAAA`,
        `${segment({ alg: 'ES256', kid: { $ne: null } })}.${payload}.AAAA`,
        `${segment({ alg: 'ES256', kid: ['a'] })}.${payload}.AAAA`,
        `${segment({ alg: 'none', kid: 'AAAAAAAAAAAAAAAA' })}.${payload}.`,
        `${segment({ alg: 'none' })}.${payload}.`,
        `${segment({ alg: 'HS256', kid: 'AAAAAAAAAAAAAAAA' })}.${payload}.AAAA`,
        `${segment('not json')}.${payload}.AAAA`,
        `${segment('"a string"')}.${payload}.AAAA`,
        `${segment('null')}.${payload}.AAAA`,
        `%%%.${payload}.AAAA`,
        `${segment({ alg: 'ES256', kid: 'AAAAAAAAAAAAAAAA' })}.%%%.***`,
        'a.b',
        'a.b.c.d.e',
        `${segment({ alg: 'ES256', kid: 'AAAAAAAAAAAAAAAA' })}.${'A'.repeat(12_000)}.AAAA`,
      ];
      for (const token of tokens) {
        const res = await t.http.get('/test/import-containers').set('Authorization', `Bearer ${token}`);
        expect([token.slice(0, 60), res.status, res.body.error]).toEqual([token.slice(0, 60), 401, 'invalid_token']);
      }
      expect((await t.http.get('/health')).status).toBe(200);
    });

    it('lets a failed key lookup fail the request (not 401, not cached) without an unhandled rejection', async () => {
      // No listener here: `process` in a jest test is a sandbox copy whose listeners never fire. jest-circus itself fails
      // the running test on an unhandled rejection, which is the check (the waits below let one surface in time).
      const dataSource = (t.app.get(SigningKeysService) as unknown as { dataSource: DataSource }).dataSource;
      const original = dataSource.query.bind(dataSource);
      const spy = jest.spyOn(dataSource, 'query').mockImplementation((sql: string, ...rest: unknown[]) =>
        /signing_keys|api_clients/.test(sql) ? Promise.reject(new Error('connection terminated unexpectedly')) : (original as (...args: unknown[]) => Promise<unknown>)(sql, ...rest),
      );
      try {
        const { privateKey } = await generateKeyPair('ES256');
        const unknownKid = await new SignJWT({ scope: 'manage_project:test' }).setProtectedHeader({ alg: 'ES256', kid: 'BBBBBBBBBBBBBBBB' }).setIssuer('berth').setSubject('x').setExpirationTime('1h').sign(privateKey);
        for (let attempt = 0; attempt < 2; attempt++) {
          const res = await t.http.get('/test/import-containers').set('Authorization', `Bearer ${unknownKid}`);
          expect(res.status).toBeGreaterThanOrEqual(500);
        }
        // The "client still exists" check failing the same way (a real token, whose kid is cached, of a new client).
        spy.mockRestore();
        const client = await t.client('manage_project:test');
        jest.spyOn(dataSource, 'query').mockImplementation((sql: string, ...rest: unknown[]) =>
          /api_clients/.test(sql) ? Promise.reject(new Error('connection terminated unexpectedly')) : (original as (...args: unknown[]) => Promise<unknown>)(sql, ...rest),
        );
        const failed = await t.http.get('/test/import-containers').set(client.header);
        expect(failed.status).toBeGreaterThanOrEqual(500);
        jest.restoreAllMocks();
        // Nothing failed was cached: the same requests now get their real answers.
        expect((await t.http.get('/test/import-containers').set('Authorization', `Bearer ${unknownKid}`)).status).toBe(401);
        expect((await t.http.get('/test/import-containers').set(client.header)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect((await t.http.get('/health')).status).toBe(200);
      } finally {
        jest.restoreAllMocks();
      }
    });

    it('401 for an expired token', async () => {
      const short = await createTestApp({ TOKEN_LIFETIME_SECONDS: '60' });
      try {
        const client = await short.client('manage_project:test');
        jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask', 'clearTimeout', 'clearInterval'] });
        jest.setSystemTime(Date.now() + 61_000);
        const res = await short.http.get('/test/import-containers').set(client.header);
        jest.useRealTimers();
        expect(res.status).toBe(401);
        expect(res.body.errors[0].message).toMatch(/expired/);
      } finally {
        jest.useRealTimers();
        await short.close();
      }
    });

    it('403 for a token of project A on project B', async () => {
      const client = await t.client('manage_project:proj-a');
      expect((await t.http.get('/proj-a/import-containers').set(client.header)).status).toBe(200);
      const res = await t.http.get('/proj-b/import-containers').set(client.header);
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('insufficient_scope');
    });

    it('revokes tokens within seconds when the client is deleted', async () => {
      const client = await t.client('manage_project:test');
      expect((await t.http.get('/test/import-containers').set(client.header)).status).toBe(200);
      await t.dataSource.query(`DELETE FROM api_clients WHERE id = $1`, [client.clientId]);
      let status = 200;
      const deadline = Date.now() + 10_000;
      while (status === 200 && Date.now() < deadline) {
        status = (await t.http.get('/test/import-containers').set(client.header)).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status).toBe(401);
    });

    it('keeps health, token endpoint and API docs public', async () => {
      expect((await t.http.get('/health')).status).toBe(200);
      expect((await t.http.get('/openapi.json')).status).toBe(200);
      expect((await t.http.get('/docs/')).status).toBe(200);
    });
  });

  it('declares scopes (or @Public) on every route in the router', () => {
    const undeclared: string[] = [];
    let routes = 0;
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as { prototype: Record<string, unknown>; name: string } | null;
        if (!controller) continue;
        for (const name of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[name];
          if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
          routes++;
          const scopes = Reflect.getMetadata(SCOPES_KEY, handler) ?? Reflect.getMetadata(SCOPES_KEY, controller);
          const isPublic = Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller);
          if (!isPublic && !(Array.isArray(scopes) && scopes.length > 0)) undeclared.push(`${controller.name}.${name}`);
        }
      }
    }
    expect(routes).toBeGreaterThan(5);
    expect(undeclared).toEqual([]);
  });

  it('works with the official @commercetools/ts-client and @commercetools/importapi-sdk', async () => {
    const client = await t.client('manage_import_containers:test view_import_containers:test');
    const ctpClient = new ClientBuilder()
      .withProjectKey('test')
      .withClientCredentialsFlow({
        host: baseUrl,
        projectKey: 'test',
        credentials: { clientId: client.clientId, clientSecret: client.clientSecret },
        scopes: ['manage_import_containers:test', 'view_import_containers:test'],
        httpClient: fetch,
      })
      .withHttpMiddleware({ host: baseUrl, httpClient: fetch })
      .build();
    const api = createApiBuilderFromCtpClient(ctpClient).withProjectKeyValue({ projectKey: 'test' });
    const created = await api.importContainers().post({ body: { key: 'sdk-container', resourceType: 'product' } }).execute();
    expect(created.statusCode).toBe(201);
    expect(created.body).toMatchObject({ key: 'sdk-container', version: 1, resourceType: 'product' });
    const fetched = await api.importContainers().withImportContainerKeyValue({ importContainerKey: 'sdk-container' }).get().execute();
    expect(fetched.body.key).toBe('sdk-container');
    const page = await api.importContainers().get({ queryArgs: { limit: 5 } }).execute();
    expect(page.body.results.map((c) => c.key)).toContain('sdk-container');
    const updated = await api.importContainers().withImportContainerKeyValue({ importContainerKey: 'sdk-container' }).put({ body: { version: 1, resourceType: 'category' } }).execute();
    expect(updated.body.version).toBe(2);
    // An import request, its operations and summary through the SDK (product scope for the request).
    const importer = await t.client('manage_import_containers:test manage_products:test');
    const importClient = new ClientBuilder()
      .withProjectKey('test')
      .withClientCredentialsFlow({ host: baseUrl, projectKey: 'test', credentials: { clientId: importer.clientId, clientSecret: importer.clientSecret }, httpClient: fetch })
      .withHttpMiddleware({ host: baseUrl, httpClient: fetch })
      .build();
    const importApi = createApiBuilderFromCtpClient(importClient).withProjectKeyValue({ projectKey: 'test' });
    const response = await importApi
      .productDrafts()
      .importContainers()
      .withImportContainerKeyValue({ importContainerKey: 'sdk-container' })
      .post({ body: { type: 'product-draft', resources: [{ key: 'sdk-product', name: { en: 'SDK' }, slug: { en: 'sdk' }, productType: { typeId: 'product-type', key: 'sdk-type' } }] } })
      .execute()
      .catch((error: unknown) => error as { statusCode: number; body: unknown });
    // The container was switched to categories above, so a product-draft is refused with a commercetools 400.
    expect(response).toMatchObject({ statusCode: 400 });
    const categoryImport = await importApi
      .categories()
      .importContainers()
      .withImportContainerKeyValue({ importContainerKey: 'sdk-container' })
      .post({ body: { type: 'category', resources: [{ key: 'sdk-category', name: { en: 'SDK' }, slug: { en: 'sdk-category' } }] } })
      .execute();
    expect(categoryImport.statusCode).toBe(201);
    const operationId = categoryImport.body.operationStatus[0].operationId!;
    const operation = await importApi.importOperations().withIdValue({ id: operationId }).get().execute();
    expect(operation.body).toMatchObject({ id: operationId, resourceKey: 'sdk-category', importContainerKey: 'sdk-container' });
    const operations = await importApi.importContainers().withImportContainerKeyValue({ importContainerKey: 'sdk-container' }).importOperations().get({ queryArgs: { limit: 10, debug: true } }).execute();
    expect(operations.body.total).toBe(1);
    const summary = await importApi.importContainers().withImportContainerKeyValue({ importContainerKey: 'sdk-container' }).importSummaries().get().execute();
    expect(summary.body).toMatchObject({ total: 1, states: { processing: expect.any(Number) } });

    const deleted = await api.importContainers().withImportContainerKeyValue({ importContainerKey: 'sdk-container' }).delete().execute();
    expect(deleted.body.key).toBe('sdk-container');
    await expect(api.importContainers().withImportContainerKeyValue({ importContainerKey: 'sdk-container' }).get().execute()).rejects.toMatchObject({ statusCode: 404 });
  });
});
