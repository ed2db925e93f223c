import { ProcessorService } from '../../libs/processing/src';
import { createTestApp, TestApp } from '../support/test-app';

/** A valid profile draft; tests state only what matters to them. */
const draft = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  name: 'Nightly ERP products',
  resourceType: 'product-draft',
  format: 'csv',
  settings: { delimiter: ';', quote: '"', header: true, encoding: 'utf-8', errorPolicy: 'skipFailedRows', cleanup: false, dryRun: false },
  mapping: [
    { extract: 'Handle', generate: 'key' },
    { extract: 'Title', generate: 'name.en' },
    { extract: 'Slug', generate: 'slug.en' },
    { extract: 'Type', generate: 'productType' },
    { extract: 'SKU', generate: 'variant.sku' },
    { extract: 'Price', generate: 'variant.prices[0].value.centAmount' },
  ],
  reference: 'erp-nightly',
  referenceOrigin: 'erp',
  metadata: { owner: 'integration-team', tags: ['nightly'] },
  ...extra,
});

describe('Import profiles API', () => {
  let t: TestApp;
  let manager: { clientId: string; header: Record<string, string> };
  const base = '/proj-a/import-profiles';

  beforeAll(async () => {
    t = await createTestApp();
    manager = await t.client('manage_import_containers:proj-a manage_import_containers:proj-b');
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.dataSource.query('DELETE FROM import_profiles');
  });

  const create = (body: unknown, project = 'proj-a', header = manager.header) => t.http.post(`/${project}/import-profiles`).set(header).send(body as object);
  const patch = (key: string, body: unknown, type = 'application/merge-patch+json') =>
    t.http.patch(`${base}/${key}`).set(manager.header).set('Content-Type', type).send(JSON.stringify(body));

  describe('create and read', () => {
    it('creates a profile (201) with every field, version 1', async () => {
      const res = await create(draft('erp-products'));
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        version: 1,
        ...draft('erp-products'),
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        lastModifiedAt: expect.any(String),
      });
      const got = await t.http.get(`${base}/erp-products`).set(manager.header);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it('needs only key and resourceType; absent fields stay absent', async () => {
      const res = await create({ key: 'minimal', resourceType: 'category' });
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'id', 'key', 'lastModifiedAt', 'resourceType', 'version']);
    });

    it('refuses a duplicate key with DuplicateField', async () => {
      expect((await create(draft('dup'))).status).toBe(201);
      const res = await create(draft('dup'));
      expect(res.status).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: 'dup' });
    });

    it.each([['x'], ['has space'], ['ümlaut'], ['k'.repeat(257)], [7]])('refuses key %p', async (key) => {
      const res = await create(draft('ok', { key }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: 'InvalidField', field: 'key', invalidValue: key })]);
    });

    it.each([
      [{ resourceType: 'products' }, 'resourceType'],
      [{ resourceType: undefined }, 'resourceType'],
      [{ format: 'xlsx' }, 'format'],
      [{ settings: { delimiter: ';;' } }, 'settings.delimiter'],
      [{ settings: { delimiter: '\n' } }, 'settings.delimiter'],
      [{ settings: { quote: '' } }, 'settings.quote'],
      [{ settings: { delimiter: ',', quote: ',' } }, 'settings.quote'],
      [{ settings: { header: 'yes' } }, 'settings.header'],
      [{ settings: { encoding: 'ascii' } }, 'settings.encoding'],
      [{ settings: { errorPolicy: 'ignoreFailed' } }, 'settings.errorPolicy'],
      [{ settings: { cleanup: 1 } }, 'settings.cleanup'],
      [{ settings: { dryRun: 'false' } }, 'settings.dryRun'],
      [{ settings: { rowDelimiter: '|' } }, 'settings.rowDelimiter'],
      [{ settings: 'csv' }, 'settings'],
      [{ mapping: { extract: 'a', generate: 'key' } }, 'mapping'],
      [{ metadata: ['a'] }, 'metadata'],
      [{ metadata: { blob: 'x'.repeat(17_000) } }, 'metadata'],
      [{ name: '' }, 'name'],
      [{ reference: 42 }, 'reference'],
      [{ referenceOrigin: 'r'.repeat(257) }, 'referenceOrigin'],
      [{ colour: 'blue' }, 'colour'],
      [{ version: 1 }, 'version'],
      [{ id: 'mine' }, 'id'],
    ])('refuses %j naming %s', async (extra, field) => {
      const res = await create(draft('bad', extra));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ code: 'InvalidField', field })]);
      expect((await t.http.get(`${base}/bad`).set(manager.header)).status).toBe(404);
    });

    it('reports every problem of a body at once', async () => {
      const res = await create({ key: 'x', resourceType: 'nope', format: 'pdf', extra: true });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['extra', 'format', 'key', 'resourceType']);
    });

    it.each([['[1,2]'], ['"a string"'], ['null'], ['42']])('a body that is not an object (%s) is InvalidJsonInput', async (body) => {
      const res = await t.http.post(base).set(manager.header).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('InvalidJsonInput');
    });

    it('malformed JSON is InvalidJsonInput', async () => {
      const res = await t.http.post(base).set(manager.header).set('Content-Type', 'application/json').send('{"key":');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('InvalidJsonInput');
    });

    it('an unknown profile is 404 ResourceNotFound on every route', async () => {
      const routes = [
        t.http.get(`${base}/ghost`).set(manager.header),
        t.http.put(`${base}/ghost`).set(manager.header).send(draft('ghost', { version: 1 })),
        patch('ghost', { version: 1, name: 'x' }),
        t.http.delete(`${base}/ghost`).set(manager.header),
        t.http.post(`${base}/ghost/clone`).set(manager.header).send({ key: 'ghost-2' }),
        t.http.get(`${base}/ghost/audit`).set(manager.header),
        t.http.get(`${base}/ghost/dependencies`).set(manager.header),
      ];
      for (const res of await Promise.all(routes)) {
        expect(res.status).toBe(404);
        expect(res.body.errors[0]).toEqual({ code: 'ResourceNotFound', message: 'Import profile ghost does not exist' });
      }
    });
  });

  describe('mapping validation at write time', () => {
    it('names the bad entry: an unknown target path', async () => {
      const mapping = [...draft('mm').mapping];
      mapping[2] = { extract: 'Colour', generate: 'masterVariant.colour' };
      const res = await create(draft('mm', { mapping }));
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ code: 'InvalidField', field: 'mapping[2].generate', invalidValue: 'masterVariant.colour', message: expect.stringContaining("'masterVariant.colour' is not a field of product-draft") }),
      ]);
    });

    it('names malformed entries', async () => {
      const res = await create(draft('mm', { mapping: [{ extract: 'a', generate: 'key' }, 'key', { extract: '', generate: 'slug.en' }, { extract: 'b' }, { extract: 'c', generate: 'key' }] }));
      expect(res.status).toBe(400);
      expect(res.body.errors.map((error: { field: string }) => error.field)).toEqual(['mapping[1]', 'mapping[2].extract', 'mapping[3].generate', 'mapping[4].generate']);
    });

    it('checks targets against the profile resource type', async () => {
      expect((await create(draft('inv', { resourceType: 'inventory', mapping: [{ extract: 'sku', generate: 'sku' }, { extract: 'qty', generate: 'quantityOnStock' }] }))).status).toBe(201);
      const res = await create(draft('inv2', { resourceType: 'inventory', mapping: [{ extract: 'sku', generate: 'variant.sku' }] }));
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('mapping[0].generate');
    });
  });

  describe('PUT (versioned replace)', () => {
    it('replaces the whole profile: version + 1, absent fields removed', async () => {
      const created = (await create(draft('put'))).body;
      const res = await t.http.put(`${base}/put`).set(manager.header).send({ key: 'put', resourceType: 'category', version: 1, mapping: [{ extract: 'n', generate: 'name.en' }] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: created.id, key: 'put', version: 2, resourceType: 'category', mapping: [{ extract: 'n', generate: 'name.en' }], createdAt: created.createdAt, lastModifiedAt: expect.any(String) });
      expect((await t.http.get(`${base}/put`).set(manager.header)).body).toEqual(res.body);
    });

    it('takes back a GET representation (id and timestamps are ignored)', async () => {
      const created = (await create(draft('round'))).body;
      const res = await t.http.put(`${base}/round`).set(manager.header).send({ ...created, name: 'Renamed', id: 'whatever', createdAt: '2000-01-01T00:00:00.000Z' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, name: 'Renamed', version: 2, createdAt: created.createdAt });
    });

    it('a stale version is 409 ConcurrentModification with currentVersion, and changes nothing', async () => {
      await create(draft('stale'));
      expect((await t.http.put(`${base}/stale`).set(manager.header).send(draft('stale', { version: 1, name: 'one' }))).status).toBe(200);
      const res = await t.http.put(`${base}/stale`).set(manager.header).send(draft('stale', { version: 1, name: 'two' }));
      expect(res.status).toBe(409);
      expect(res.body.errors[0]).toMatchObject({ code: 'ConcurrentModification', specifiedVersion: 1, currentVersion: 2 });
      expect((await t.http.get(`${base}/stale`).set(manager.header)).body).toMatchObject({ version: 2, name: 'one' });
    });

    it('of concurrent PUTs with the same version exactly one wins', async () => {
      await create(draft('race'));
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => t.http.put(`${base}/race`).set(manager.header).send(draft('race', { version: 1, name: `writer-${i}` }))));
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
      const winner = results.find((res) => res.status === 200)!;
      const current = (await t.http.get(`${base}/race`).set(manager.header)).body;
      expect(current).toMatchObject({ version: 2, name: winner.body.name });
      for (const loser of results.filter((res) => res.status === 409)) expect(loser.body.errors[0].currentVersion).toBe(2);
    });

    it('needs a version; validates the body like a create', async () => {
      await create(draft('vv'));
      const missing = await t.http.put(`${base}/vv`).set(manager.header).send(draft('vv'));
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'version', invalidValue: null });
      for (const version of [0, -1, 1.5, '1', 2 ** 31]) {
        const res = await t.http.put(`${base}/vv`).set(manager.header).send(draft('vv', { version }));
        expect(res.status).toBe(400);
        expect(res.body.errors[0].field).toBe('version');
      }
      const badMapping = await t.http.put(`${base}/vv`).set(manager.header).send(draft('vv', { version: 1, mapping: [{ extract: 'x', generate: 'nope' }] }));
      expect(badMapping.status).toBe(400);
      expect(badMapping.body.errors[0].field).toBe('mapping[0].generate');
    });

    it('renames; a rename onto an existing key is DuplicateField and changes nothing', async () => {
      await create(draft('first'));
      await create(draft('second'));
      const clash = await t.http.put(`${base}/first`).set(manager.header).send(draft('second', { version: 1 }));
      expect(clash.status).toBe(400);
      expect(clash.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: 'second' });
      expect((await t.http.get(`${base}/first`).set(manager.header)).body.version).toBe(1);
      const renamed = await t.http.put(`${base}/first`).set(manager.header).send(draft('third', { version: 1 }));
      expect(renamed.status).toBe(200);
      expect((await t.http.get(`${base}/first`).set(manager.header)).status).toBe(404);
      expect((await t.http.get(`${base}/third`).set(manager.header)).body.version).toBe(2);
    });
  });

  describe('PATCH (JSON merge patch, RFC 7396)', () => {
    it('null removes a field, nested objects merge, arrays replace; version + 1', async () => {
      const created = (await create(draft('mp'))).body;
      const res = await patch('mp', {
        version: 1,
        name: null,
        settings: { delimiter: ',', dryRun: null },
        mapping: [{ extract: 'Handle', generate: 'key' }],
        metadata: { tags: ['weekly'], extra: { a: 1 } },
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(2);
      expect(res.body.name).toBeUndefined();
      expect(res.body.settings).toEqual({ ...created.settings, delimiter: ',', dryRun: undefined });
      expect(Object.keys(res.body.settings)).not.toContain('dryRun');
      expect(res.body.mapping).toEqual([{ extract: 'Handle', generate: 'key' }]);
      expect(res.body.metadata).toEqual({ owner: 'integration-team', tags: ['weekly'], extra: { a: 1 } });
      expect(res.body).toMatchObject({ key: 'mp', resourceType: 'product-draft', format: 'csv', reference: 'erp-nightly', id: created.id });
      expect((await t.http.get(`${base}/mp`).set(manager.header)).body).toEqual(res.body);
    });

    it('accepts Content-Type application/json too', async () => {
      await create(draft('json-patch'));
      const res = await patch('json-patch', { version: 1, reference: 'other' }, 'application/json');
      expect(res.status).toBe(200);
      expect(res.body.reference).toBe('other');
    });

    it('parses merge-patch+json with the JSON checks (malformed, too deep)', async () => {
      await create(draft('checks'));
      const malformed = await t.http.patch(`${base}/checks`).set(manager.header).set('Content-Type', 'application/merge-patch+json').send('{"version": 1,');
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].code).toBe('InvalidJsonInput');
      const deep = await patch('checks', { version: 1, metadata: JSON.parse(`${'{"a":'.repeat(80)}1${'}'.repeat(80)}`) });
      expect(deep.status).toBe(400);
      expect((await t.http.get(`${base}/checks`).set(manager.header)).body.version).toBe(1);
    });

    it('other media types are 415', async () => {
      await create(draft('media'));
      const res = await t.http.patch(`${base}/media`).set(manager.header).set('Content-Type', 'text/plain').send('{"version":1}');
      expect(res.status).toBe(415);
    });

    it('needs the current version: missing is 400, stale is 409', async () => {
      await create(draft('pv'));
      const missing = await patch('pv', { name: 'x' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ field: 'version' });
      expect((await patch('pv', { version: 1, name: 'a' })).status).toBe(200);
      const stale = await patch('pv', { version: 1, name: 'b' });
      expect(stale.status).toBe(409);
      expect(stale.body.errors[0]).toMatchObject({ code: 'ConcurrentModification', currentVersion: 2 });
    });

    it('validates the result as a whole', async () => {
      await create(draft('whole'));
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ key: null }, 'key'],
        [{ resourceType: null }, 'resourceType'],
        // the mapping's targets are product-draft paths: a category profile cannot keep them
        [{ resourceType: 'category' }, 'mapping[4].generate'],
        [{ settings: { quote: ';' } }, 'settings.quote'],
        [{ settings: { separator: '|' } }, 'settings.separator'],
        [{ unknown: 1 }, 'unknown'],
        [{ id: 'x' }, 'id'],
        [{ createdAt: '2020-01-01T00:00:00Z' }, 'createdAt'],
        [{ mapping: [{ extract: 'a', generate: 'name.xx_YY_zz' }] }, 'mapping[0].generate'],
      ];
      for (const [changes, field] of cases) {
        const res = await patch('whole', { version: 1, ...changes });
        expect({ changes, status: res.status }).toEqual({ changes, status: 400 });
        expect(res.body.errors.map((error: { field: string }) => error.field)).toContain(field);
      }
      expect((await t.http.get(`${base}/whole`).set(manager.header)).body.version).toBe(1);
    });

    it('patching to a type with no mapping in the way works', async () => {
      await create(draft('retype'));
      const res = await patch('retype', { version: 1, resourceType: 'category', mapping: null, settings: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ resourceType: 'category', version: 2 });
      expect(res.body.mapping).toBeUndefined();
      expect(res.body.settings).toBeUndefined();
    });

    it('a key may change, but not to an existing one', async () => {
      await create(draft('pa'));
      await create(draft('pb'));
      const clash = await patch('pa', { version: 1, key: 'pb' });
      expect(clash.status).toBe(400);
      expect(clash.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key' });
      const renamed = await patch('pa', { version: 1, key: 'pc' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.key).toBe('pc');
    });

    it.each([['[]'], ['"x"'], ['null'], ['true']])('a patch that is not an object (%s) is InvalidJsonInput', async (body) => {
      await create(draft('notobj'));
      const res = await t.http.patch(`${base}/notobj`).set(manager.header).set('Content-Type', 'application/merge-patch+json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].code).toBe('InvalidJsonInput');
    });
  });

  describe('delete, clone, query', () => {
    it('DELETE answers the profile (200) and removes it', async () => {
      const created = (await create(draft('gone'))).body;
      const res = await t.http.delete(`${base}/gone`).set(manager.header);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created);
      expect((await t.http.get(`${base}/gone`).set(manager.header)).status).toBe(404);
    });

    it('clone copies under a new key with version 1 and a new id', async () => {
      await create(draft('src'));
      await patch('src', { version: 1, name: 'Changed once' });
      const source = (await t.http.get(`${base}/src`).set(manager.header)).body;
      const res = await t.http.post(`${base}/src/clone`).set(manager.header).send({ key: 'src-copy' });
      expect(res.status).toBe(201);
      const { id, key, version, createdAt, lastModifiedAt, ...rest } = source;
      expect(res.body).toEqual({ ...rest, id: expect.any(String), key: 'src-copy', version: 1, createdAt: expect.any(String), lastModifiedAt: expect.any(String) });
      expect([id, key, version, createdAt, lastModifiedAt]).toHaveLength(5);
      expect(res.body.id).not.toBe(source.id);
      expect((await t.http.get(`${base}/src`).set(manager.header)).body).toEqual(source);
    });

    it('clone: duplicate key is DuplicateField, bad bodies are 400', async () => {
      await create(draft('c1'));
      await create(draft('c2'));
      const dup = await t.http.post(`${base}/c1/clone`).set(manager.header).send({ key: 'c2' });
      expect(dup.status).toBe(400);
      expect(dup.body.errors[0]).toMatchObject({ code: 'DuplicateField', field: 'key', duplicateValue: 'c2' });
      for (const body of [{}, { key: 'a b' }, { key: 'ok-key', name: 'x' }]) {
        const res = await t.http.post(`${base}/c1/clone`).set(manager.header).send(body);
        expect(res.status).toBe(400);
        expect(res.body.errors[0].code).toBe('InvalidField');
      }
    });

    it('a project holds at most 1000 profiles (creates and clones)', async () => {
      await create(draft('first-one'));
      await t.dataSource.query(`INSERT INTO import_profiles (project_key, key, resource_type) SELECT 'proj-a', 'bulk-' || n, 'category' FROM generate_series(1, 999) AS n`);
      for (const res of [await create(draft('one-too-many')), await t.http.post(`${base}/first-one/clone`).set(manager.header).send({ key: 'clone-too-many' })]) {
        expect(res.status).toBe(400);
        expect(res.body.errors[0]).toMatchObject({ code: 'InvalidOperation', message: expect.stringContaining('maximum of 1000 import profiles') });
      }
      expect((await create(draft('elsewhere'), 'proj-b')).status).toBe(201);
    });

    it('GET pages like containers (limit, offset, sort, total)', async () => {
      for (const key of ['pc', 'pa', 'pd', 'pb']) await create(draft(key));
      const page = await t.http.get(`${base}?limit=2&offset=1&sort=key asc`).set(manager.header);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ limit: 2, offset: 1, count: 2, total: 4 });
      expect(page.body.results.map((profile: { key: string }) => profile.key)).toEqual(['pb', 'pc']);
      const desc = await t.http.get(`${base}?sort=key desc`).set(manager.header);
      expect(desc.body.results.map((profile: { key: string }) => profile.key)).toEqual(['pd', 'pc', 'pb', 'pa']);
      expect((await t.http.get(`${base}?limit=501`).set(manager.header)).status).toBe(400);
      expect((await t.http.get(`${base}?sort=secret asc`).set(manager.header)).status).toBe(400);
    });
  });

  describe('audit', () => {
    it('lists the create and update events with the actor, newest first', async () => {
      const created = (await create(draft('aud'))).body;
      await patch('aud', { version: 1, name: 'Second name', settings: { delimiter: '|' } });
      const other = await t.client('manage_import_containers:proj-a');
      await t.http.put(`${base}/aud`).set(other.header).send({ ...(await t.http.get(`${base}/aud`).set(manager.header)).body, reference: 'changed' });

      const res = await t.http.get(`${base}/aud/audit`).set(manager.header);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ limit: 20, offset: 0, count: 3, total: 3 });
      const [third, second, first] = res.body.results;
      expect(first).toMatchObject({
        type: 'ImportProfileCreated',
        resource: { typeId: 'import-profile', key: 'aud', id: created.id },
        actor: manager.clientId,
        data: { profile: created },
      });
      expect(second).toMatchObject({ type: 'ImportProfileUpdated', actor: manager.clientId, data: { changedFields: ['name', 'settings'], profile: { version: 2, name: 'Second name' } } });
      expect(third).toMatchObject({ type: 'ImportProfileUpdated', actor: other.clientId, data: { changedFields: ['reference'], profile: { version: 3 } } });
      expect(first.sequenceNumber).toBeLessThan(second.sequenceNumber);
      expect(second.sequenceNumber).toBeLessThan(third.sequenceNumber);

      const asc = await t.http.get(`${base}/aud/audit?sort=createdAt asc&limit=2`).set(manager.header);
      expect(asc.body.results.map((event: { type: string }) => event.type)).toEqual(['ImportProfileCreated', 'ImportProfileUpdated']);
      expect(asc.body).toMatchObject({ count: 2, total: 3 });
    });

    it('failed writes record nothing; the history follows a rename; a reused key starts fresh', async () => {
      const created = (await create(draft('hist'))).body;
      await patch('hist', { version: 5, name: 'stale' });
      await patch('hist', { version: 1, mapping: [{ extract: 'x', generate: 'nope' }] });
      await patch('hist', { version: 1, key: 'hist-renamed' });
      const renamed = await t.http.get(`${base}/hist-renamed/audit`).set(manager.header);
      expect(renamed.body.results.map((event: { type: string }) => event.type)).toEqual(['ImportProfileUpdated', 'ImportProfileCreated']);
      expect(renamed.body.results[0]).toMatchObject({ resource: { key: 'hist-renamed', id: created.id }, data: { previousKey: 'hist', changedFields: ['key'] } });

      await create(draft('hist'));
      const fresh = await t.http.get(`${base}/hist/audit`).set(manager.header);
      expect(fresh.body.results.map((event: { type: string }) => event.type)).toEqual(['ImportProfileCreated']);
    });

    it('records the deletion and the clone source in the event log', async () => {
      const created = (await create(draft('del'))).body;
      await t.http.post(`${base}/del/clone`).set(manager.header).send({ key: 'del-copy' });
      await t.http.delete(`${base}/del`).set(manager.header);
      const rows = (await t.dataSource.query(
        `SELECT type, resource_key, resource_id, actor, data FROM import_events WHERE project_key = 'proj-a' AND resource_type_id = 'import-profile' AND resource_key IN ('del', 'del-copy') ORDER BY sequence_number`,
      )) as Array<{ type: string; resource_key: string; resource_id: string; actor: string; data: Record<string, unknown> }>;
      expect(rows.map((row) => [row.type, row.resource_key])).toEqual([
        ['ImportProfileCreated', 'del'],
        ['ImportProfileCreated', 'del-copy'],
        ['ImportProfileDeleted', 'del'],
      ]);
      expect(rows[1].data.clonedFrom).toBe('del');
      expect(rows[2]).toMatchObject({ resource_id: created.id, actor: manager.clientId, data: { profile: created } });
    });
  });

  describe('invoke', () => {
    const categories = (key: string, extra: Record<string, unknown> = {}) =>
      draft(key, {
        resourceType: 'category',
        settings: { delimiter: ';' },
        mapping: [
          { extract: 'Handle', generate: 'key' },
          { extract: 'Title', generate: 'name.en' },
          { extract: 'Slug', generate: 'slug.en' },
        ],
        ...extra,
      });
    const invoke = (key: string, query: Record<string, string>, body: string, header = t.auth, type = 'text/csv') =>
      t.http.post(`${base}/${key}/invoke`).query(query).set(header).set('Content-Type', type).send(body);

    it('runs a file import into the container with the profile settings and mapping; the CSV ends imported', async () => {
      await t.http.post('/proj-a/import-containers').set(t.auth).send({ key: 'inv-1' }).expect(201);
      expect((await create(categories('nightly-categories'))).status).toBe(201);
      const res = await invoke('nightly-categories', { container: 'inv-1' }, 'Handle;Title;Slug\ninv-a;Alpha;inv-alpha\ninv-b;Beta;inv-beta\n');
      expect(res.status).toBe(202);
      expect(res.headers.location).toBe(`/proj-a/import-containers/inv-1/file-imports/${res.body.id}`);
      expect(res.body).toMatchObject({ importContainerKey: 'inv-1', resourceType: 'category', format: 'csv', profileKey: 'nightly-categories', reference: 'erp-nightly', referenceOrigin: 'erp' });
      expect(res.body.counts).toMatchObject({ rows: 2, accepted: 2, invalid: 0 });
      await t.app.get(ProcessorService).drain();
      const job = await t.http.get(`/proj-a/import-containers/inv-1/file-imports/${res.body.id}`).set(t.auth);
      expect(job.body).toMatchObject({ state: 'completed', counts: { rows: 2, accepted: 2, imported: 2, failed: 0 } });
      const alpha = await t.http.get('/proj-a/categories/key=inv-a').set(t.auth);
      expect(alpha.status).toBe(200);
      expect(alpha.body).toMatchObject({ key: 'inv-a', name: { en: 'Alpha' }, slug: { en: 'inv-alpha' } });
      // It is one of the profile's dependencies now.
      const deps = await t.http.get(`${base}/nightly-categories/dependencies`).set(manager.header);
      expect(deps.body.results).toEqual([
        { typeId: 'import-container', key: 'inv-1' },
        { typeId: 'file-import', id: res.body.id },
      ]);
    });

    it('query options override the profile (here the delimiter and a dry run)', async () => {
      await t.http.post('/proj-a/import-containers').set(t.auth).send({ key: 'inv-2' }).expect(201);
      await create(categories('override'));
      const res = await invoke('override', { container: 'inv-2', delimiter: ',', dryRun: 'true', wait: '5' }, 'Handle,Title,Slug\ninv-c,Gamma,inv-gamma\n');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ state: 'awaitingConfirm', dryRun: true, profileKey: 'override', counts: { rows: 1, accepted: 1, invalid: 0, imported: 0 } });
    });

    it('refuses what cannot start: no container, an unknown profile or container, a missing resource scope', async () => {
      await create(categories('refusals'));
      const noContainer = await invoke('refusals', {}, 'Handle;Title;Slug\nx;X;x\n');
      expect(noContainer.status).toBe(400);
      expect(noContainer.body.errors[0]).toMatchObject({ code: 'InvalidField', field: 'container' });
      const ghost = await invoke('ghost', { container: 'inv-1' }, 'Handle\n');
      expect(ghost.status).toBe(404);
      // As file imports answer a job that cannot start at all: 400 (issue 17).
      expect((await invoke('refusals', { container: 'no-such-container' }, 'Handle;Title;Slug\nx;X;x\n')).status).toBe(400);
      // manage_import_containers alone does not allow importing categories.
      const denied = await invoke('refusals', { container: 'inv-1' }, 'Handle;Title;Slug\nx;X;x\n', manager.header);
      expect(denied.status).toBe(403);
      const viewer = await t.client('view_import_containers:proj-a manage_categories:proj-a');
      expect((await invoke('refusals', { container: 'inv-1' }, 'Handle;Title;Slug\nx;X;x\n', viewer.header)).status).toBe(403);
    });
  });

  describe('dependencies', () => {
    it('is empty for a profile no file import used', async () => {
      await create(draft('unused'));
      const res = await t.http.get(`${base}/unused/dependencies`).set(manager.header);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ results: [] });
    });

    it('lists the containers and file imports recorded with the profile key', async () => {
      // Real file imports over HTTP (issue 17), tagged with the profile key as an invoke records it (no invoke route yet).
      await create(draft('used'));
      await create(draft('used'), 'proj-b');
      const fileImport = async (project: string, container: string, profileKey: string | null) => {
        await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: container });
        const res = await t.http.post(`/${project}/import-containers/${container}/file-imports`).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send('key,name.en,slug.en\nk1,K,k1\n');
        expect(res.status).toBe(202);
        if (profileKey) await t.dataSource.query(`UPDATE file_imports SET profile_key = $3 WHERE project_key = $1 AND id = $2`, [project, res.body.id, profileKey]);
        return res.body.id as string;
      };
      const mine = [await fileImport('proj-a', 'c-2', 'used'), await fileImport('proj-a', 'c-1', 'used'), await fileImport('proj-a', 'c-1', 'used')];
      await fileImport('proj-a', 'c-3', 'other');
      const otherId = await fileImport('proj-b', 'c-9', 'used');
      await fileImport('proj-a', 'c-4', null);
      const res = await t.http.get(`${base}/used/dependencies`).set(manager.header);
      expect(res.status).toBe(200);
      expect(res.body.results.slice(0, 2)).toEqual([
        { typeId: 'import-container', key: 'c-1' },
        { typeId: 'import-container', key: 'c-2' },
      ]);
      expect(res.body.results.slice(2)).toEqual([...mine].reverse().map((id) => ({ typeId: 'file-import', id })));

      // A rename carries the file imports along.
      await patch('used', { version: 1, key: 'used-renamed' });
      const renamed = await t.http.get(`${base}/used-renamed/dependencies`).set(manager.header);
      expect(renamed.body.results).toHaveLength(5);
      const otherProject = await t.http.get('/proj-b/import-profiles/used/dependencies').set(manager.header);
      expect(otherProject.body.results).toEqual([
        { typeId: 'import-container', key: 'c-9' },
        { typeId: 'file-import', id: otherId },
      ]);
    });
  });

  describe('scopes and isolation', () => {
    it('the same key in two projects is two profiles', async () => {
      const a = (await create(draft('shared'))).body;
      const b = (await create(draft('shared', { name: 'In B' }), 'proj-b')).body;
      expect(a.id).not.toBe(b.id);
      expect((await t.http.get('/proj-b/import-profiles/shared').set(manager.header)).body.name).toBe('In B');
      await t.http.delete(`${base}/shared`).set(manager.header);
      expect((await t.http.get('/proj-b/import-profiles/shared').set(manager.header)).status).toBe(200);
      expect((await t.http.get('/proj-b/import-profiles').set(manager.header)).body.total).toBe(1);
      const auditB = await t.http.get('/proj-b/import-profiles/shared/audit').set(manager.header);
      expect(auditB.body.results.map((event: { projectKey: string }) => event.projectKey)).toEqual(['proj-b']);
    });

    it("another project's token is 403 on every route", async () => {
      await create(draft('mine'));
      const other = await t.client('manage_import_containers:proj-b view_import_containers:proj-b');
      const routes = [
        t.http.post(base).set(other.header).send(draft('x1')),
        t.http.get(base).set(other.header),
        t.http.get(`${base}/mine`).set(other.header),
        t.http.put(`${base}/mine`).set(other.header).send(draft('mine', { version: 1 })),
        t.http.patch(`${base}/mine`).set(other.header).send({ version: 1 }),
        t.http.delete(`${base}/mine`).set(other.header),
        t.http.post(`${base}/mine/clone`).set(other.header).send({ key: 'x2' }),
        t.http.get(`${base}/mine/audit`).set(other.header),
        t.http.get(`${base}/mine/dependencies`).set(other.header),
      ];
      for (const res of await Promise.all(routes)) expect(res.status).toBe(403);
      expect((await t.http.get(`${base}/mine`).set(manager.header)).body.version).toBe(1);
    });

    it('view_import_containers reads but never writes', async () => {
      await create(draft('viewed'));
      const viewer = await t.client('view_import_containers:proj-a');
      expect((await t.http.get(`${base}/viewed`).set(viewer.header)).status).toBe(200);
      expect((await t.http.get(base).set(viewer.header)).status).toBe(200);
      expect((await t.http.get(`${base}/viewed/audit`).set(viewer.header)).status).toBe(200);
      expect((await t.http.get(`${base}/viewed/dependencies`).set(viewer.header)).status).toBe(200);
      expect((await create(draft('v2'), 'proj-a', viewer.header)).status).toBe(403);
      expect((await t.http.patch(`${base}/viewed`).set(viewer.header).send({ version: 1, name: 'x' })).status).toBe(403);
      expect((await t.http.delete(`${base}/viewed`).set(viewer.header)).status).toBe(403);
      expect((await t.http.post(`${base}/viewed/clone`).set(viewer.header).send({ key: 'v3' })).status).toBe(403);
    });
  });
});
