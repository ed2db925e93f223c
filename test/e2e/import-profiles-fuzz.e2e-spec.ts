import fc from 'fast-check';
import { createTestApp, TestApp } from '../support/test-app';

/** Random bodies over real HTTP: every answer is a 2xx or a 4xx ErrorResponse, never a 500, and a 4xx changes nothing. */
describe('Import profiles under random input', () => {
  let t: TestApp;
  const base = '/proj-a/import-profiles';

  beforeAll(async () => {
    t = await createTestApp();
    const res = await t.http.post(base).set(t.auth).send({
      key: 'fuzz',
      resourceType: 'product-draft',
      settings: { delimiter: ';' },
      mapping: [{ extract: 'Handle', generate: 'key' }],
      metadata: { a: { b: 1 } },
    });
    expect(res.status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const value = fc.oneof(
    fc.constant(null),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('csv', 'json', 'category', 'product-draft', 'inventory', ',', '"', 'latin1', 'skipFailedRows', true, 1, 'fuzz', 'fuzz-2', ''),
  );
  const mapping = fc.array(
    fc.oneof(
      fc.constant(null),
      fc.record({ extract: fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), generate: fc.constantFrom('key', 'name.en', 'sku', 'variant.sku', 'masterVariant.prices[0].value.centAmount', 'nope', '') }, { requiredKeys: [] }),
    ),
    { maxLength: 4 },
  );
  const settings = fc.dictionary(fc.constantFrom('delimiter', 'quote', 'header', 'encoding', 'errorPolicy', 'cleanup', 'dryRun', 'x'), value, { maxKeys: 4 });
  const document = fc.dictionary(
    fc.constantFrom('key', 'name', 'resourceType', 'format', 'settings', 'mapping', 'reference', 'referenceOrigin', 'metadata', 'id', 'createdAt', 'extra'),
    fc.oneof(value, settings, mapping),
    { maxKeys: 6 },
  );

  it('PATCH with random merge patches (current version): 200 or 400, the profile valid throughout', async () => {
    await fc.assert(
      fc.asyncProperty(document, async (changes) => {
        const before = (await t.http.get(`${base}/fuzz`).set(t.auth)).body;
        const res = await t.http
          .patch(`${base}/fuzz`)
          .set(t.auth)
          .set('Content-Type', 'application/merge-patch+json')
          .send(JSON.stringify({ ...changes, version: before.version }));
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) {
          expect(res.body.errors.length).toBeGreaterThan(0);
          expect((await t.http.get(`${base}/fuzz`).set(t.auth)).body).toEqual(before);
        } else if (res.body.key !== 'fuzz') {
          // Renamed: take the key back so the next run finds the profile.
          const back = await t.http.patch(`${base}/${res.body.key}`).set(t.auth).send({ version: res.body.version, key: 'fuzz' });
          expect(back.status).toBe(200);
        }
      }),
      { numRuns: 80 },
    );
  });

  it('POST and PUT with random bodies: 201/200 or 400/404/409, never 500', async () => {
    await fc.assert(
      fc.asyncProperty(document, fc.oneof(fc.constant(undefined), fc.integer({ min: -1, max: 3 })), async (body, version) => {
        const created = await t.http.post(base).set(t.auth).send(body);
        expect([201, 400]).toContain(created.status);
        if (created.status === 201) await t.http.delete(`${base}/${created.body.key}`).set(t.auth);
        const replaced = await t.http.put(`${base}/fuzz-put`).set(t.auth).send({ ...body, ...(version !== undefined ? { version } : {}) });
        expect([400, 404]).toContain(replaced.status);
      }),
      { numRuns: 60 },
    );
  });
});
