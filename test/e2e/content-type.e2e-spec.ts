import { createTestApp, TestApp } from '../support/test-app';

/** A JSON route given a body that is not declared JSON answers 415 naming the expected Content-Type (issue 15). */
describe('Content-Type of JSON request bodies', () => {
  let t: TestApp;
  const body = JSON.stringify({ key: 'ct-container', resourceType: 'product' });

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const expect415 = (res: { status: number; body: Record<string, unknown> }) => {
    expect(res.status).toBe(415);
    expect(res.body).toMatchObject({ statusCode: 415, message: expect.stringContaining('Content-Type: application/json'), errors: [{ code: 'InvalidInput', message: expect.stringContaining('application/json') }] });
  };

  it.each([
    ['curl -d default (application/x-www-form-urlencoded)', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain'],
    ['text/plain with a charset', 'text/plain; charset=utf-8'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
  ])('POST a container with %s: 415', async (_name, type) => {
    const res = await t.http.post('/test/import-containers').set(t.auth).set('Content-Type', type).send(body);
    expect415(res);
    expect(res.body.message).toContain(`'${type}'`);
    expect((await t.http.get('/test/import-containers/ct-container').set(t.auth)).status).toBe(404);
  });

  it('POST without any Content-Type: 415 saying the header is missing', async () => {
    const req = t.http.post('/test/import-containers').set(t.auth);
    req.unset('Content-Type');
    const res = await req.send(Buffer.from(body));
    expect415(res);
    expect(res.body.message).toContain('no Content-Type');
  });

  it('PUT a container, an import request and a referenced-resource POST with a form body: 415', async () => {
    expect((await t.http.post('/test/import-containers').set(t.auth).send({ key: 'ct-existing' })).status).toBe(201);
    expect415(await t.http.put('/test/import-containers/ct-existing').set(t.auth).type('form').send(JSON.stringify({ version: 1, resourceType: 'category' })));
    expect415(await t.http.post('/test/categories/import-containers/ct-existing').set(t.auth).type('form').send(JSON.stringify({ type: 'category', resources: [] })));
    expect415(await t.http.post('/test/channels').set(t.auth).type('text/plain').send(JSON.stringify({ key: 'ct-channel' })));
  });

  it('accepts application/json with a charset and application/*+json', async () => {
    expect((await t.http.post('/test/import-containers').set(t.auth).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify({ key: 'ct-charset' }))).status).toBe(201);
    expect((await t.http.post('/test/import-containers').set(t.auth).set('Content-Type', 'application/vnd.berth+json').send(JSON.stringify({ key: 'ct-plus-json' }))).status).toBe(201);
  });

  it('lets body-less requests through whatever their Content-Type (DELETE, GET, an empty POST)', async () => {
    expect((await t.http.post('/test/import-containers').set(t.auth).send({ key: 'ct-delete' })).status).toBe(201);
    expect((await t.http.get('/test/import-containers').set(t.auth).set('Content-Type', 'text/plain')).status).toBe(200);
    expect((await t.http.delete('/test/import-containers/ct-delete').set(t.auth).set('Content-Type', 'application/x-www-form-urlencoded')).status).toBe(200);
    const empty = await t.http.post('/test/import-containers').set(t.auth).set('Content-Type', 'text/plain').set('Content-Length', '0');
    expect(empty.status).toBe(400);
  });

  it('keeps form bodies (and JSON) on the token endpoint', async () => {
    const client = await t.client('manage_project:test');
    const form = await t.http.post('/oauth/token').auth(client.clientId, client.clientSecret).type('form').send({ grant_type: 'client_credentials' });
    expect(form.status).toBe(200);
  });

  it('answers 415 before authentication, like the other edge checks', async () => {
    expect415(await t.http.post('/test/import-containers').type('form').send('key=x'));
  });
});
