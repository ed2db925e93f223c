import { RESOURCE_TYPES } from '../../libs/import/src';
import { ctExample, EXAMPLE_REQUESTS, productDraft } from '../support/fixtures';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';
import { findReferenceDir, OpenApiValidator } from './openapi-validator';

const referenceDir = findReferenceDir();
if (!referenceDir) {
  process.stderr.write('\nconformance: ../shared/reference/import-api.openapi.yaml not found (set BERTH_REFERENCE_DIR); nothing to check against\n');
}
const describeWithReference = referenceDir ? describe : describe.skip;

describeWithReference('responses conform to the official Import API OpenAPI', () => {
  let t: TestApp;
  let openapi: OpenApiValidator;
  const project = 'test';
  const checked: string[] = [];

  beforeAll(async () => {
    openapi = new OpenApiValidator(referenceDir!);
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
    process.stderr.write(`\nconformance: ${checked.length} response bodies validated against ${referenceDir}\n`);
  });

  const expectConforms = (schema: string, body: unknown) => {
    expect({ schema, problems: openapi.validate(schema, body) }).toEqual({ schema, problems: [] });
    checked.push(schema);
  };

  it('import containers: create, get, query, update, delete and their errors', async () => {
    const created = await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'conf', resourceType: 'product-draft', retentionPolicy: { strategy: 'ttl', config: { timeToLive: '5d' } } });
    expect(created.status).toBe(201);
    expectConforms('ImportContainer', created.body);
    const plain = await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'conf-plain' });
    expectConforms('ImportContainer', plain.body);
    expectConforms('ImportContainer', (await t.http.get(`/${project}/import-containers/conf`).set(t.auth)).body);
    expectConforms('ImportContainerPagedResponse', (await t.http.get(`/${project}/import-containers?limit=5&sort=key%20desc`).set(t.auth)).body);
    const updated = await t.http.put(`/${project}/import-containers/conf-plain`).set(t.auth).send({ version: 1, resourceType: 'category' });
    expectConforms('ImportContainer', updated.body);
    const conflict = await t.http.put(`/${project}/import-containers/conf-plain`).set(t.auth).send({ version: 1 });
    expect(conflict.status).toBe(409);
    expectConforms('ErrorResponse', conflict.body);
    const notFound = await t.http.get(`/${project}/import-containers/missing`).set(t.auth);
    expect(notFound.status).toBe(404);
    expectConforms('ErrorResponse', notFound.body);
    for (const bad of [{ key: 'bad key' }, { key: 'conf' }, {}]) {
      const res = await t.http.post(`/${project}/import-containers`).set(t.auth).send(bad);
      expect(res.status).toBe(400);
      expectConforms('ErrorResponse', res.body);
    }
    const unauthorized = await t.http.get(`/${project}/import-containers`);
    expectConforms('ErrorResponse', unauthorized.body);
    const forbidden = await t.http.get(`/other/import-containers`).set((await t.client('view_import_containers:test')).header);
    expect(forbidden.status).toBe(403);
    expectConforms('ErrorResponse', forbidden.body);
    expectConforms('ImportContainer', (await t.http.delete(`/${project}/import-containers/conf-plain`).set(t.auth)).body);
  });

  it('import requests for all 18 types, operations and summaries', async () => {
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'all-types' }).expect(201);
    for (const info of RESOURCE_TYPES) {
      const res = await t.http.post(`/${project}/${info.path}/import-containers/all-types`).set(t.auth).send(ctExample(EXAMPLE_REQUESTS[info.path]));
      expect(res.status).toBe(201);
      expectConforms('ImportResponse', res.body);
    }
    const invalid = await t.http.post(`/${project}/product-drafts/import-containers/all-types`).set(t.auth).send({ type: 'product-draft', resources: [{ ...productDraft(), key: 'x' }, { key: 'no-name' }] });
    expect(invalid.status).toBe(400);
    expectConforms('ErrorResponse', invalid.body);
    const unknown = await t.http.post(`/${project}/product-drafts/import-containers/nope`).set(t.auth).send({ type: 'product-draft', resources: [productDraft()] });
    expectConforms('ErrorResponse', unknown.body);

    expectConforms('ImportSummary', (await t.http.get(`/${project}/import-containers/all-types/import-summaries`).set(t.auth)).body);
    await drain(t);
    const summary = await t.http.get(`/${project}/import-containers/all-types/import-summaries`).set(t.auth);
    expectConforms('ImportSummary', summary.body);
    for (const query of ['', '?debug=true', '?limit=3&offset=2', '?state=unresolved&debug=true', '?state=rejected&debug=true', '?state=imported', '?sort=createdAt%20desc']) {
      const page = await t.http.get(`/${project}/import-containers/all-types/import-operations${query}`).set(t.auth);
      expect(page.status).toBe(200);
      expectConforms('ImportOperationPagedResponse', page.body);
      for (const operation of page.body.results as Array<{ id: string }>) {
        expectConforms('ImportOperation', (await t.http.get(`/${project}/import-operations/${operation.id}`).set(t.auth)).body);
      }
    }
    const missingOperation = await t.http.get(`/${project}/import-operations/00000000-0000-0000-0000-000000000000`).set(t.auth);
    expect(missingOperation.status).toBe(404);
    expectConforms('ErrorResponse', missingOperation.body);
  });

  it('OAuth errors carry the commercetools error shape', async () => {
    const res = await t.http.post('/oauth/token').auth('nobody', 'wrong').type('form').send({ grant_type: 'client_credentials' });
    expect(res.status).toBe(401);
    expectConforms('ErrorResponse', res.body);
  });
});
