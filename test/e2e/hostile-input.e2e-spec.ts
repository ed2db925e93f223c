import fc from 'fast-check';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { INPUT_LIMITS } from '../../libs/common/src';
import { ctExample, EXAMPLE_REQUESTS } from '../support/fixtures';
import { createTestApp, TestApp } from '../support/test-app';

/** Hostile input at the edge: every malformed request is a commercetools ErrorResponse 4xx, never a 500 or a crash. */
describe('Hostile input', () => {
  let t: TestApp;
  const project = 'proj-a';
  const containers = `/${project}/import-containers`;

  beforeAll(async () => {
    t = await createTestApp({ MAX_CONTAINERS_PER_PROJECT: '100000' });
    const res = await t.http.post(containers).set(t.auth).send({ key: 'target' });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const operationCount = async () => Number(((await t.dataSource.query(`SELECT count(*)::int AS n FROM import_operations`)) as Array<{ n: number }>)[0].n);
  const containerVersion = async () => Number(((await t.dataSource.query(`SELECT version FROM import_containers WHERE key = 'target'`)) as Array<{ version: number }>)[0].version);

  /** A raw JSON body (any bytes), so nothing on the client side chokes on it first. */
  const sendRaw = (method: 'post' | 'put', path: string, raw: string, type = 'application/json', auth = t.auth) => t.http[method](path).set(auth).set('Content-Type', type).send(raw);

  const expectErrorResponse = (res: { status: number; body: unknown; text?: string }, status?: number) => {
    const context = `${res.status} ${res.text?.slice(0, 300)}`;
    if (status !== undefined) expect({ status: res.status, context }).toEqual({ status, context });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toEqual(expect.objectContaining({ statusCode: res.status, message: expect.any(String), errors: expect.any(Array) }));
    const body = res.body as { errors: Array<{ code: string; message: string }> };
    expect(body.errors.length).toBeGreaterThan(0);
    for (const error of body.errors) expect(error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
  };

  const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

  describe('deeply nested JSON', () => {
    it('rejects arrays of depth 2,000 on POST import-containers with InvalidJsonInput naming the limit', async () => {
      const res = await sendRaw('post', containers, nested(2000));
      expectErrorResponse(res, 400);
      expect(res.body.errors[0].code).toBe('InvalidJsonInput');
      expect(res.body.errors[0].message).toContain(String(INPUT_LIMITS.maxJsonDepth));
    });

    it('rejects depth 5,000 inside an import request body, storing nothing', async () => {
      const before = await operationCount();
      const raw = `{"type":"product-type","resources":[{"key":"pt","name":"n","description":"d","attributes":${nested(5000)}}]}`;
      const res = await sendRaw('post', `/${project}/product-types/import-containers/target`, raw);
      expectErrorResponse(res, 400);
      expect(res.body.errors[0].code).toBe('InvalidJsonInput');
      expect(await operationCount()).toBe(before);
    });

    it('rejects deep objects and deep bodies on PUT too', async () => {
      expectErrorResponse(await sendRaw('post', containers, `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`), 400);
      expectErrorResponse(await sendRaw('put', `${containers}/target`, `{"version":1,"resourceType":${nested(3000)}}`), 400);
    });

    it('accepts depth right at the limit where the payload allows it, and rejects one more', async () => {
      // a custom field value (free JSON) nested to the limit: 3 levels for body, resources, resource; 1 for custom; 1 fields
      const inner = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
      const body = (levels: number) =>
        `{"type":"category","resources":[{"key":"deep-cat","name":{"en":"x"},"slug":{"en":"deep-cat"},"custom":{"type":{"typeId":"type","key":"t"},"fields":{"f":${inner(levels)}}}}]}`;
      const atLimit = await sendRaw('post', `/${project}/categories/import-containers/target`, body(INPUT_LIMITS.maxJsonDepth - 5));
      expect(atLimit.status === 201 || (atLimit.status === 400 && atLimit.body.errors[0].code === 'InvalidField')).toBe(true);
      const over = await sendRaw('post', `/${project}/categories/import-containers/target`, body(INPUT_LIMITS.maxJsonDepth - 4));
      expectErrorResponse(over, 400);
      expect(over.body.errors[0].code).toBe('InvalidJsonInput');
    });

    it('rejects over-long arrays, objects with too many keys and over-long strings', async () => {
      const longArray = await t.http.post(containers).set(t.auth).send({ key: 'x', extra: Array.from({ length: INPUT_LIMITS.maxArrayLength + 1 }, () => 0) });
      expectErrorResponse(longArray, 400);
      expect(longArray.body.errors[0]).toMatchObject({ code: 'InvalidInput', field: 'extra' });
      const manyKeys = await t.http.post(containers).set(t.auth).send(Object.fromEntries(Array.from({ length: INPUT_LIMITS.maxObjectKeys + 1 }, (_, i) => [`k${i}`, i])));
      expectErrorResponse(manyKeys, 400);
      const longString = await t.http.post(containers).set(t.auth).send({ key: 'x'.repeat(INPUT_LIMITS.maxStringLength + 1) });
      expectErrorResponse(longString, 400);
      expect(longString.body.errors[0]).toMatchObject({ code: 'InvalidInput', field: 'key' });
      expect(longString.text.length).toBeLessThan(2000);
    });
  });

  describe('text Postgres cannot store, in bodies', () => {
    const product = () => ({ ...ctExample<Record<string, unknown>>(EXAMPLE_REQUESTS.products) });

    it.each([
      ['NUL', 'a\u0000b'],
      ['a lone high surrogate', 'a\ud800b'],
      ['a lone low surrogate', '\udc00'],
    ])('rejects %s in a localized string of an import request with InvalidField, field path and resourceIndex', async (_name, text) => {
      const before = await operationCount();
      const body = product();
      const resources = body.resources as Array<Record<string, unknown>>;
      resources[resources.length - 1] = { ...resources[resources.length - 1], name: { en: text } };
      const res = await t.http.post(`/${project}/products/import-containers/target`).set(t.auth).send(body);
      expectErrorResponse(res, 400);
      expect(res.body.errors[0]).toEqual(
        expect.objectContaining({ code: 'InvalidField', field: `resources.${resources.length - 1}.name.en`, invalidValue: text, resourceIndex: resources.length - 1 }),
      );
      expect(await operationCount()).toBe(before);
    });

    it('rejects NUL in an object key (a locale)', async () => {
      const body = product();
      const resources = body.resources as Array<Record<string, unknown>>;
      resources[0] = { ...resources[0], name: { 'e\u0000n': 'x' } };
      const res = await t.http.post(`/${project}/products/import-containers/target`).set(t.auth).send(body);
      expectErrorResponse(res, 400);
      expect(res.body.errors[0]).toEqual(expect.objectContaining({ code: 'InvalidField', field: 'resources.0.name', invalidValue: 'e\u0000n', resourceIndex: 0 }));
    });

    it('rejects NUL in a container key and in a referenced-resource draft', async () => {
      const res = await t.http.post(containers).set(t.auth).send({ key: 'a\u0000' });
      expectErrorResponse(res, 400);
      expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'key', invalidValue: 'a\u0000' });
      const channel = await t.http.post(`/${project}/channels`).set(t.auth).send({ key: 'chan', name: { en: '\ud800' } });
      expectErrorResponse(channel, 400);
    });

    it('rejects a reference id that only looks like a UUID in a referenced-resource draft', async () => {
      const res = await t.http.post(`/${project}/shipping-methods`).set(t.auth).send({ key: 'ship', name: 'n', taxCategory: { typeId: 'tax-category', id: '-'.repeat(36) } });
      expectErrorResponse(res, 400);
      expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'taxCategory.id' });
    });

    it('rejects an order number too long for the key index without a 500', async () => {
      const order = ctExample<Record<string, unknown>>(EXAMPLE_REQUESTS.orders);
      const resources = order.resources as Array<Record<string, unknown>>;
      const random = Array.from({ length: 6000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join('');
      resources[0] = { ...resources[0], orderNumber: random };
      const res = await t.http.post(`/${project}/orders/import-containers/target`).set(t.auth).send(order);
      expect(res.status).toBeLessThan(500);
    });

    it('rejects NUL in a form body (the token endpoint) without a 500', async () => {
      const res = await t.http.post('/oauth/token').auth('client\u0000', 'secret').type('form').send({ grant_type: 'client_credentials', scope: 'x\u0000' });
      expectErrorResponse(res);
    });
  });

  describe('path segments and query values', () => {
    it.each([
      ['a container key', `${containers}/%00`],
      ['a container key with malformed encoding', `${containers}/%E0%A4%A`],
      ['a lone %ff byte', `${containers}/%ff`],
      ['a read-by-key', `/${project}/product-types/key=%00`],
      ['a read-by-id', `/${project}/products/%00`],
      ['the project key', `/%00/import-containers`],
      ['the project key of an import path', `/pr%00j/products/import-containers/target`],
      ['an operations filter', `${containers}/target/import-operations?resourceKey=%00`],
      ['an operations state', `${containers}/target/import-operations?state=%00`],
      ['a summaries path', `${containers}/%00/import-summaries`],
      ['an operation id', `/${project}/import-operations/%00`],
      ['a query key', `${containers}?a%00=1`],
      ['a nested query value', `${containers}?sort[x]=%00`],
    ])('answers 400 InvalidInput for NUL or bad encoding in %s', async (_name, path) => {
      const res = await t.http.get(path).set(t.auth);
      expectErrorResponse(res, 400);
      expect(res.body.errors[0].code).toBe('InvalidInput');
      // and without authentication: still no 500
      expectErrorResponse(await t.http.get(path));
    });

    it('covers writes too', async () => {
      expectErrorResponse(await t.http.put(`${containers}/%00`).set(t.auth).send({ version: 1 }), 400);
      expectErrorResponse(await t.http.delete(`${containers}/%00`).set(t.auth), 400);
      expectErrorResponse(await t.http.post(`/${project}/products/import-containers/%00`).set(t.auth).send(ctExample(EXAMPLE_REQUESTS.products)), 400);
    });

    it('still serves ordinary encoded characters', async () => {
      expect((await t.http.get(`${containers}/has%20space`).set(t.auth)).status).toBe(404);
      expect((await t.http.get(`${containers}/target/import-operations?resourceKey=%C3%BC`).set(t.auth)).status).toBe(200);
    });
  });

  describe('container DTOs', () => {
    it.each([
      [{ key: 'x', retentionPolicy: [] }, 'retentionPolicy'],
      [{ key: 'x', retentionPolicy: [{ strategy: 'ttl', config: { timeToLive: '2h' } }] }, 'retentionPolicy'],
      [{ key: 'x', retentionPolicy: 5 }, 'retentionPolicy'],
      [{ key: 'x', retentionPolicy: 'ttl' }, 'retentionPolicy'],
      [{ key: 'x', retentionPolicy: true }, 'retentionPolicy'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: [] } }, 'retentionPolicy.config'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: null } }, 'retentionPolicy.config'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: 7 } }, 'retentionPolicy.config'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: 'x' } }, 'retentionPolicy.config'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: [{ timeToLive: '2h' }] } }, 'retentionPolicy.config'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: { timeToLive: ['2h'] } } }, 'retentionPolicy.config.timeToLive'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: { timeToLive: 2 } } }, 'retentionPolicy.config.timeToLive'],
      [{ key: 'x', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '99999999999999999999d' } } }, 'retentionPolicy.config.timeToLive'],
      [{ key: 'x', retentionPolicy: { strategy: {}, config: { timeToLive: '2h' } } }, 'retentionPolicy.strategy'],
      [{ key: 'x', retentionPolicy: { strategy: ['ttl'], config: { timeToLive: '2h' } } }, 'retentionPolicy.strategy'],
      [{ key: 'x', retentionPolicy: { strategy: null, config: { timeToLive: '2h' } } }, 'retentionPolicy.strategy'],
      [{ key: 'x', retentionPolicy: {} }, 'retentionPolicy.strategy'],
      [{ key: null }, 'key'],
      [{ key: ['x'] }, 'key'],
      [{ key: { x: 1 } }, 'key'],
      [{ key: 'x', resourceType: {} }, 'resourceType'],
      [{ key: 'x', resourceType: ['product'] }, 'resourceType'],
    ])('POST %j → 400 InvalidField on %s', async (body, field) => {
      const res = await t.http.post(containers).set(t.auth).send(body);
      expectErrorResponse(res, 400);
      expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field });
    });

    it.each([[3_000_000_000], [1e308], [2_147_483_648], [-1], [0], [1.5], ['1'], [null], [[1]], [{}], [true]])('PUT version %p → 400 InvalidField', async (version) => {
      const res = await t.http.put(`${containers}/target`).set(t.auth).send({ version });
      expectErrorResponse(res, 400);
      expect(res.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'version' });
    });

    it('keeps the largest storable version a plain 409', async () => {
      const res = await t.http.put(`${containers}/target`).set(t.auth).send({ version: 2_147_483_647 });
      expectErrorResponse(res, 409);
      expect(res.body.errors[0].code).toBe('ConcurrentModification');
    });
  });

  describe('bodies of the wrong shape or type', () => {
    const routes: Array<['post' | 'put', string]> = [
      ['post', containers],
      ['put', `${containers}/target`],
      ['post', `/${project}/products/import-containers/target`],
      ['post', `/${project}/order-patches/import-containers/target`],
      ['post', `/${project}/channels`],
    ];
    const bodies: Array<[string, string, string]> = [
      ['empty', '', 'application/json'],
      ['null', 'null', 'application/json'],
      ['a top-level array', '[]', 'application/json'],
      ['an array of objects', '[{"key":"x"}]', 'application/json'],
      ['a string', '"key"', 'application/json'],
      ['a number', '42', 'application/json'],
      ['true', 'true', 'application/json'],
      ['truncated JSON', '{"key":', 'application/json'],
      ['a BOM and garbage', '\ufeff{{', 'application/json'],
      ['text/plain', '{"key":"x"}', 'text/plain'],
      ['form', 'key=&resourceType=x', 'application/x-www-form-urlencoded'],
      ['xml', '<key>x</key>', 'application/xml'],
      ['an unknown charset', '{"key":"x"}', 'application/json; charset=klingon'],
      ['latin1', '{"key":"x"}', 'application/json; charset=latin1'],
      ['utf-16', '{"key":"x"}', 'application/json; charset=utf-16'],
      ['no content type', '{"key":"x"}', ''],
    ];
    it.each(routes.flatMap(([method, path]) => bodies.map(([name, raw, type]) => [method, path, name, raw, type] as const)))('%s %s with %s → 4xx', async (method, path, _name, raw, type) => {
      const before = await operationCount();
      const version = await containerVersion();
      const req = t.http[method](path).set(t.auth);
      const res = await (type ? req.set('Content-Type', type) : req).send(raw);
      expectErrorResponse(res);
      expect(await operationCount()).toBe(before);
      expect(await containerVersion()).toBe(version);
    });
  });

  describe('the resources are stored from the text the body was parsed from', () => {
    const storedPayloads = async (ids: string[]) =>
      ((await t.dataSource.query(`SELECT payload FROM import_operations WHERE id = ANY($1::uuid[]) ORDER BY seq`, [ids])) as Array<{ payload: unknown }>).map((row) => row.payload);
    const pricesPath = `/${project}/prices/import-containers/target`;

    it.each([
      ['as sent', (text: string) => ({ body: Buffer.from(text), headers: {} })],
      ['after a byte-order mark', (text: string) => ({ body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), headers: {} })],
      ['gzip-compressed', (text: string) => ({ body: gzipSync(Buffer.from(text)), headers: { 'Content-Encoding': 'gzip' } })],
      ['with a charset parameter', (text: string) => ({ body: Buffer.from(text), headers: { 'Content-Type': 'application/json; charset=utf-8' } })],
    ])('%s: each operation holds its resource, in order', async (_name, encode) => {
      const example = ctExample(EXAMPLE_REQUESTS.prices) as { resources: unknown[] };
      const resources = [0, 1, 2].map((n) => ({ ...(example.resources[0] as object), key: `raw-${_name}-${n}`.replace(/\W+/g, '-') }));
      const { body, headers } = encode(`{ "type": "price",\n  "resources": ${JSON.stringify(resources, null, 2)} }`);
      // The bytes exactly as given (supertest would serialise a Buffer as JSON).
      const { port } = t.app.getHttpServer().address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}${pricesPath}`, { method: 'POST', headers: { ...t.auth, 'Content-Type': 'application/json', ...headers }, body });
      const answer = (await res.json()) as { operationStatus: Array<{ operationId: string }> };
      expect({ status: res.status, body: res.status === 201 ? undefined : answer }).toEqual({ status: 201, body: undefined });
      expect(await storedPayloads(answer.operationStatus.map((o) => o.operationId))).toEqual(resources);
    });

    it('a large body nested too deep is refused before it is parsed; many invalid fields are described up to a bound', async () => {
      const before = await operationCount();
      const deep = await sendRaw('post', `/${project}/prices/import-containers/target`, `{"type":"price","resources":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
      expectErrorResponse(deep, 400);
      expect(deep.body.errors[0]).toMatchObject({ code: 'InvalidJsonInput', message: expect.stringContaining('nested deeper than the limit') });
      const bad = Array.from({ length: 20 }, (_, i) => ({ key: i, value: 1, variants: Array.from({ length: 100 }, () => ({ sku: 1 })) }));
      const many = await sendRaw('post', `/${project}/prices/import-containers/target`, JSON.stringify({ type: 'price', resources: bad }));
      expectErrorResponse(many, 400);
      expect(many.body.errors).toHaveLength(100);
      expect(many.body.message).toContain('at least 100 invalid fields');
      expect(await operationCount()).toBe(before);
    });

    it('a number Postgres cannot store (JavaScript reads it as 0) is a 400 InvalidJsonInput, and nothing is stored', async () => {
      const example = ctExample(EXAMPLE_REQUESTS.prices) as { resources: Array<Record<string, unknown>> };
      const text = JSON.stringify({ type: 'price', resources: [{ ...example.resources[0], key: 'tiny' }] }).replace(/"centAmount":\d+/, `"centAmount":0.${'0'.repeat(20_000)}1`);
      expect(JSON.parse(text).resources[0].value.centAmount).toBe(0);
      const before = await operationCount();
      const res = await sendRaw('post', pricesPath, text);
      expectErrorResponse(res, 400);
      expect(res.body.errors[0].code).toBe('InvalidJsonInput');
      expect(await operationCount()).toBe(before);
    });
  });

  describe('fuzzing (fast-check)', () => {
    const hostileString = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.constantFrom('\u0000', '\ud800', '\udfff', 'x\u0000y', '\ud83d', '\u0000\u0000', '%00', '\\u0000', 'a'.repeat(300), '💥', '\u202e', ''),
    );
    const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        hostileString,
        fc.integer(),
        fc.double(),
        fc.constantFrom(null, true, false, 1e308, -1e308, 2_147_483_648, 3_000_000_000, -0, Number.MAX_SAFE_INTEGER),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
      ),
    })).value;

    const assertRejectedOrOk = async (res: { status: number; body: unknown; text?: string }, ok: number[]) => {
      if (ok.includes(res.status)) return;
      expectErrorResponse(res);
    };

    it('container create/update never answers 5xx', async () => {
      const draft = fc.oneof(
        hostileValue,
        fc.record(
          {
            key: fc.oneof(hostileString, hostileValue, fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/)),
            resourceType: fc.oneof(hostileValue, fc.constantFrom('product', 'category', 'order')),
            retentionPolicy: fc.oneof(
              hostileValue,
              fc.record({ strategy: fc.oneof(hostileValue, fc.constant('ttl')), config: fc.oneof(hostileValue, fc.record({ timeToLive: fc.oneof(hostileString, fc.constantFrom('2h', '30d', '1m')) })) }, { requiredKeys: [] }),
            ),
          },
          { requiredKeys: [] },
        ),
      );
      await fc.assert(
        fc.asyncProperty(draft, async (body) => {
          const created = await sendRaw('post', containers, JSON.stringify(body) ?? '');
          await assertRejectedOrOk(created, [201]);
          if (created.status === 201) await t.http.delete(`${containers}/${encodeURIComponent((created.body as { key: string }).key)}`).set(t.auth);
        }),
        { numRuns: 250 },
      );
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostileValue, fc.record({ version: hostileValue, resourceType: hostileValue }, { requiredKeys: [] })), async (body) => {
          const version = await containerVersion();
          const res = await sendRaw('put', `${containers}/target`, JSON.stringify(body) ?? '');
          await assertRejectedOrOk(res, [200, 409]);
          if (res.status !== 200) expect(await containerVersion()).toBe(version);
        }),
        { numRuns: 200 },
      );
    });

    it.each([
      ['products', 'resources'],
      ['categories', 'resources'],
      ['customers', 'resources'],
      ['order-patches', 'patches'],
    ])('import requests on %s never answer 5xx and reject without partial writes', async (path, list) => {
      const example = ctExample<Record<string, unknown>>(EXAMPLE_REQUESTS[path]);
      const items = example[list] as Array<Record<string, unknown>>;
      // a valid resource with one field replaced by a hostile value (or a hostile field added)
      const mutated = fc.record({ index: fc.nat({ max: items.length - 1 }), field: fc.oneof(fc.constantFrom(...Object.keys(items[0])), hostileString), value: hostileValue }).map(({ index, field, value }) => {
        const body = structuredClone(example);
        const list2 = body[list] as Array<Record<string, unknown>>;
        list2[index] = { ...list2[index], [field]: value };
        return body as unknown;
      });
      const body = fc.oneof(mutated, hostileValue, fc.record({ type: hostileValue, [list]: hostileValue }, { requiredKeys: [] }));
      await fc.assert(
        fc.asyncProperty(body, async (payload) => {
          const before = await operationCount();
          const res = await sendRaw('post', `/${project}/${path}/import-containers/target`, JSON.stringify(payload) ?? '');
          await assertRejectedOrOk(res, [201]);
          if (res.status !== 201) expect(await operationCount()).toBe(before);
        }),
        { numRuns: 150 },
      );
    });

    it('hostile path segments and query values never answer 5xx', async () => {
      const segment = fc.oneof(
        hostileString.map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, 'x'))),
        fc.constantFrom('%00', '%', '%zz', '%E0%A4%A', '%ff', '%c0%80', '%ed%a0%80', '..', '%2e%2e', '%2F', 'key=%00', 'key='),
      );
      const target = fc.record({
        route: fc.constantFrom('import-containers/S', 'import-containers/S/import-operations', 'import-containers/S/import-summaries', 'import-operations/S', 'product-types/key=S', 'products/S', 'S/import-containers/target'),
        seg: segment,
        query: fc.array(fc.tuple(fc.constantFrom('limit', 'offset', 'sort', 'resourceKey', 'state', 'debug', 'where', 'sort[]', 'a[b][c]'), segment), { maxLength: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(target, async ({ route, seg, query }) => {
          const qs = query.map(([k, v]) => `${k}=${v}`).join('&');
          const url = `/${project}/${route.replace('S', seg)}${qs ? `?${qs}` : ''}`;
          const res = await t.http.get(url).set(t.auth);
          await assertRejectedOrOk(res, [200]);
        }),
        { numRuns: 250 },
      );
    });
  });

  describe('over-long URLs and headers (raw sockets)', () => {
    /** Sends raw bytes and returns the whole response (the server closes the connection or answers in full). */
    const rawRequest = (payload: string): Promise<{ status: number; headers: string; body: string }> =>
      new Promise((resolve, reject) => {
        const { port } = t.app.getHttpServer().address() as AddressInfo;
        const socket = connect(port, '127.0.0.1');
        let data = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => {
          data += chunk;
          const headEnd = data.indexOf('\r\n\r\n');
          const length = /content-length: (\d+)/i.exec(data.slice(0, headEnd));
          if (headEnd >= 0 && length && data.length >= headEnd + 4 + Number(length[1])) socket.destroy();
        });
        socket.on('error', () => undefined); // the server may reset after answering; the data read so far counts
        socket.on('close', () => {
          const headEnd = data.indexOf('\r\n\r\n');
          const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
          if (!status) reject(new Error(`no response: ${JSON.stringify(data.slice(0, 200))}`));
          else resolve({ status, headers: data.slice(0, headEnd), body: data.slice(headEnd + 4) });
        });
        socket.write(payload);
      });
    const authHeader = () => `Authorization: ${t.auth.Authorization}\r\n`;
    const expectRawError = (res: { status: number; headers: string; body: string }, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers).toMatch(/content-type: application\/json/i);
      const body = JSON.parse(res.body) as { statusCode: number; message: string; errors: Array<{ code: string; message: string }> };
      expect(body).toEqual({ statusCode: status, message: expect.any(String), errors: [expect.objectContaining({ code: 'InvalidInput', message: expect.any(String) })] });
    };

    it('answers 431 with an ErrorResponse for headers over the limit (20 KB)', async () => {
      const res = await rawRequest(`GET ${containers} HTTP/1.1\r\nHost: x\r\n${authHeader()}X-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`);
      expectRawError(res, 431);
    });

    it('answers 431 with an ErrorResponse for headers beyond what the parser accepts (100 KB)', async () => {
      const headers = Array.from({ length: 20 }, (_, i) => `X-Big-${i}: ${'a'.repeat(5000)}\r\n`).join('');
      const res = await rawRequest(`GET ${containers} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`);
      expectRawError(res, 431);
    });

    it('answers 414 with an ErrorResponse for a URL over the limit (20 KB and 100 KB), with or without auth', async () => {
      expectRawError(await rawRequest(`GET ${containers}/${'k'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n${authHeader()}Connection: close\r\n\r\n`), 414);
      expectRawError(await rawRequest(`GET ${containers}?sort=${'k'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 414);
      expectRawError(await rawRequest(`GET /${'k'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 414);
    });

    it('answers 400 with an ErrorResponse for garbage that is not HTTP', async () => {
      expectRawError(await rawRequest('HELLO WORLD\r\n\r\n'), 400);
    });

    it('still serves requests just under the limits', async () => {
      const res = await rawRequest(`GET ${containers}/${'k'.repeat(200)} HTTP/1.1\r\nHost: x\r\n${authHeader()}X-Big: ${'a'.repeat(10_000)}\r\nConnection: close\r\n\r\n`);
      expect(res.status).toBe(404);
    });
  });

  it('the process is still healthy after all of it', async () => {
    const res = await t.http.get('/health');
    expect(res.status).toBe(200);
  });
});
