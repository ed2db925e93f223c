import http from 'node:http';
import { AddressInfo } from 'node:net';
import { FileImportsService } from '../../libs/import/src';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

interface FileImport {
  id: string;
  state: string;
  counts: { rows: number; accepted: number; invalid: number; imported: number; failed: number; destroyed: number };
  errors: Array<{ row: number; key?: string; field?: string; code: string; message: string }>;
  errorsTotal: number;
  [field: string]: unknown;
}

const categoryRow = (key: string) => `${key},Name ${key},slug-${key}`;
const categoriesCsv = (keys: string[]) => ['key,name.en,slug.en', ...keys.map(categoryRow)].join('\n') + '\n';

/** A raw HTTP upload whose body the test writes piece by piece (chunked, no Content-Length). */
function streamingUpload(t: TestApp, path: string, contentType: string) {
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  let resolveAnswer: (value: { status: number; body: FileImport & { errors: Array<{ code: string; message: string }> } }) => void;
  const answer = new Promise<{ status: number; body: FileImport & { errors: Array<{ code: string; message: string }> } }>((resolve) => (resolveAnswer = resolve));
  const request = http.request({ host: '127.0.0.1', port, path, method: 'POST', headers: { ...t.auth, 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' } }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (text += chunk));
    res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
  });
  request.on('error', () => undefined);
  return {
    write: (text: string | Buffer) => new Promise<void>((resolve) => request.write(text, () => resolve())),
    end: () => request.end(),
    answer,
  };
}

/** Jobs: inline inputs, multipart, dry run + confirm, cancel (mid-file and with pending operations), events, concurrent resume. */
describe('file import jobs', () => {
  let t: TestApp;
  const project = 'test';
  let n = 0;
  const newContainer = async () => {
    const key = `jobs-${++n}`;
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
    return key;
  };
  const base = (container: string) => `/${project}/import-containers/${container}/file-imports`;
  const job = async (container: string, id: string): Promise<FileImport> => (await t.http.get(`${base(container)}/${id}`).set(t.auth).expect(200)).body as FileImport;
  const operations = async (container: string) =>
    (await t.http.get(`/${project}/import-containers/${container}/import-operations`).query({ limit: 500 }).set(t.auth)).body as { total: number; results: Array<{ resourceKey: string; state: string }> };
  const events = async (id: string) =>
    ((await t.dataSource.query(`SELECT type FROM import_events WHERE project_key = $1 AND resource_id = $2 ORDER BY sequence_number`, [project, id])) as Array<{ type: string }>).map((row) => row.type);

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('takes inline inputs {resourceType, inputs, ...options}, options also after the inputs', async () => {
    const container = await newContainer();
    const res = await t.http
      .post(base(container))
      .set(t.auth)
      .send({
        resourceType: 'category',
        inputs: [
          { code: 'in-1', title: 'One' },
          { code: 'in-2', title: 'Two' },
          { code: 'in-3' },
        ],
        mapping: [
          { extract: 'code', generate: 'key' },
          { extract: 'title', generate: 'name.en' },
          { extract: 'code', generate: 'slug.en' },
        ],
        reference: 'cl-import-1',
        referenceOrigin: 'commerce-layer',
        metadata: { source: 'inline' },
      });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ format: 'json', reference: 'cl-import-1', referenceOrigin: 'commerce-layer', metadata: { source: 'inline' }, counts: { rows: 3, accepted: 2, invalid: 1 } });
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 3, key: 'in-3', field: 'name' })]);
    await drain(t);
    expect((await job(container, res.body.id)).counts).toMatchObject({ imported: 2 });
    expect((await t.http.get(`/${project}/categories/key=in-1`).set(t.auth).expect(200)).body.name).toEqual({ en: 'One' });

    const noType = await t.http.post(base(container)).set(t.auth).send({ inputs: [{ key: 'x' }] });
    expect(noType.status).toBe(400);
    expect(noType.body.errors[0]).toMatchObject({ field: 'resourceType' });
    const badMapping = await t.http.post(base(container)).set(t.auth).send({ resourceType: 'category', inputs: [{ key: 'x' }], mapping: [{ extract: 'a', generate: 'nope' }] });
    expect(badMapping.status).toBe(400);
    expect(badMapping.body.errors[0]).toMatchObject({ field: 'mapping[0].generate' });
    // Refused requests leave no job behind.
    expect((await t.http.get(base(container)).set(t.auth)).body.total).toBe(1);
  });

  it('takes multipart with a settings part before the file part', async () => {
    const container = await newContainer();
    const res = await t.http
      .post(base(container))
      .set(t.auth)
      .field('settings', JSON.stringify({ resourceType: 'category', mapping: [{ extract: 'k', generate: 'key' }, { extract: 'n', generate: 'name.en' }, { extract: 'k', generate: 'slug.en' }], reference: 'mp' }))
      .attach('file', Buffer.from('k;n\nmp-1;One\nmp-2;Two\n'), { filename: 'c.csv', contentType: 'text/csv' })
      .query({ delimiter: ';' });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ format: 'csv', reference: 'mp', counts: { rows: 2, accepted: 2, invalid: 0 } });

    const fileFirst = await t.http
      .post(base(container))
      .set(t.auth)
      .attach('file', Buffer.from('key\nx\n'), { filename: 'c.csv', contentType: 'text/csv' })
      .field('settings', JSON.stringify({ resourceType: 'category' }));
    expect(fileFirst.status).toBe(400);
    const noFile = await t.http.post(base(container)).set(t.auth).field('settings', JSON.stringify({ resourceType: 'category' }));
    expect(noFile.status).toBe(400);
  });

  it('dry run: validates and counts, stores nothing, awaits its confirm; confirm stores the rows under the same id', async () => {
    const container = await newContainer();
    const csv = ['key,name.en,slug.en', categoryRow('dry-1'), 'dry-2,,slug-dry-2', categoryRow('dry-3')].join('\n');
    const dry = await t.http.post(base(container)).query({ resourceType: 'category', dryRun: 'true' }).set(t.auth).set('Content-Type', 'text/csv').send(csv);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ state: 'awaitingConfirm', dryRun: true, counts: { rows: 3, accepted: 2, invalid: 1, imported: 0 }, errorsTotal: 1 });
    expect(dry.body.errors).toEqual([expect.objectContaining({ row: 2, field: 'name' })]);
    expect((await operations(container)).total).toBe(0);

    const confirmed = await t.http.post(`${base(container)}/${dry.body.id}/confirm`).set(t.auth);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ id: dry.body.id, state: 'running', counts: { rows: 3, accepted: 2, invalid: 1 }, errorsTotal: 1 });
    expect(confirmed.body.errors).toHaveLength(1);
    expect((await operations(container)).results.map((op) => op.resourceKey)).toEqual(['dry-1', 'dry-3']);
    await drain(t);
    expect(await job(container, dry.body.id)).toMatchObject({ state: 'completed', counts: { imported: 2 } });

    const again = await t.http.post(`${base(container)}/${dry.body.id}/confirm`).set(t.auth);
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('InvalidOperation');
    const cancelDone = await t.http.post(`${base(container)}/${dry.body.id}/tasks`).set(t.auth).send({ task: 'cancel' });
    expect(cancelDone.status).toBe(409);
    expect(await events(dry.body.id)).toEqual(['FileImportCreated', 'FileImportCompleted']);

    // A dry run can be canceled instead of confirmed.
    const other = await t.http.post(base(container)).query({ resourceType: 'category', dryRun: 'true' }).set(t.auth).set('Content-Type', 'text/csv').send(categoriesCsv(['dry-9']));
    const canceled = await t.http.post(`${base(container)}/${other.body.id}/tasks`).set(t.auth).send({ task: 'cancel' });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ state: 'canceled', canceledAt: expect.any(String) });
    expect((await t.http.post(`${base(container)}/${other.body.id}/confirm`).set(t.auth)).status).toBe(409);
    expect((await t.http.post(`${base(container)}/${other.body.id}/tasks`).set(t.auth).send({ task: 'pause' })).status).toBe(400);
    expect(await events(other.body.id)).toEqual(['FileImportCreated', 'FileImportCanceled']);
  });

  it('cancel of a running job with pending operations cancels them; the processor never applies them', async () => {
    const container = await newContainer();
    const res = await t.http.post(base(container)).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(categoriesCsv(['cx-1', 'cx-2', 'cx-3']));
    expect(res.status).toBe(202);
    const canceled = await t.http.post(`${base(container)}/${res.body.id}/tasks`).set(t.auth).send({ task: 'cancel' });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ state: 'canceled', counts: { accepted: 3, imported: 0, failed: 3 } });
    await drain(t);
    expect((await operations(container)).results.map((op) => op.state)).toEqual(['canceled', 'canceled', 'canceled']);
    expect((await t.http.get(`/${project}/categories/key=cx-1`).set(t.auth)).status).toBe(404);
  });

  it('cancel mid-file: the job stops staging, the rest of the upload is read and dropped, nothing is stored', async () => {
    const container = await newContainer();
    const upload = streamingUpload(t, `${base(container)}?resourceType=category`, 'text/csv');
    await upload.write(categoriesCsv(Array.from({ length: 700 }, (_, i) => `mid-${i}`)));
    // Wait (by condition) until the job exists and its first batch is staged.
    let id: string | undefined;
    for (let i = 0; i < 2000 && !id; i++) {
      const list = (await t.http.get(base(container)).set(t.auth)).body as { results: FileImport[] };
      if (list.results[0]?.counts.rows >= 500) id = list.results[0].id;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    expect(id).toBeDefined();
    const canceled = await t.http.post(`${base(container)}/${id}/tasks`).set(t.auth).send({ task: 'cancel' });
    expect(canceled.status).toBe(200);
    await upload.write(Array.from({ length: 700 }, (_, i) => categoryRow(`late-${i}`)).join('\n'));
    upload.end();
    const answer = await upload.answer;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id, state: 'canceled' });
    expect(answer.body.counts.rows).toBeLessThan(1400);
    expect((await operations(container)).total).toBe(0);
    const staged = (await t.dataSource.query(`SELECT count(*)::int AS n FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [project, id])) as Array<{ n: number }>;
    expect(staged[0].n).toBe(0);
  });

  it('a malformed file fails the job with the row where reading stopped, and stores nothing', async () => {
    const container = await newContainer();
    const res = await t.http.post(base(container)).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'application/xml').send('<categories><category><key>a</key></category><category>');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'failed', counts: { accepted: 0 } });
    expect(res.body.errors[0]).toMatchObject({ code: 'InvalidInput', row: 2 });
    const csv = await t.http.post(base(container)).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send('key,name.en\n"unterminated,x\n');
    expect(csv.body).toMatchObject({ state: 'failed' });
    // A record over the per-record limit (1 MiB) fails the file instead of being held whole.
    const huge = 'x'.repeat(1_100_000);
    const longCell = await t.http.post(base(container)).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(`key,name.en\nk1,${huge}\n`);
    expect(longCell.body).toMatchObject({ state: 'failed', counts: { accepted: 0 } });
    const longLine = await t.http.post(base(container)).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'application/x-ndjson').send(`{"key":"ok"}\n{"key":"${huge}"}\n`);
    expect(longLine.body).toMatchObject({ state: 'failed' });
    expect(longLine.body.errors[0].message).toContain('longer than the limit');
    expect((await operations(container)).total).toBe(0);
    expect(await events(res.body.id)).toEqual(['FileImportCreated', 'FileImportFailed']);
  });

  it('cleanup=true deletes what earlier file imports into the container created and this complete file no longer contains', async () => {
    const container = await newContainer();
    const send = (keys: string[], cleanup: boolean, extra = '') =>
      t.http
        .post(base(container))
        .query({ resourceType: 'category', cleanup: String(cleanup) })
        .set(t.auth)
        .set('Content-Type', 'text/csv')
        .send(categoriesCsv(keys) + extra);
    const first = await send(['cl-a', 'cl-b', 'cl-c'], false);
    expect(first.body.counts).toMatchObject({ accepted: 3, destroyed: 0 });
    await drain(t);
    // Another container's and the Import API's resources are never touched.
    await t.http.post(`/${project}/categories/import-containers/${container}`).set(t.auth).send({ type: 'category', resources: [{ key: 'cl-api', name: { en: 'x' }, slug: { en: 'cl-api' } }] }).expect(201);
    await drain(t);

    const incomplete = await send(['cl-a'], true, 'cl-bad,,cl-bad\n');
    expect(incomplete.body.counts).toMatchObject({ invalid: 1, destroyed: 0 });
    expect(incomplete.body.warnings).toEqual([expect.objectContaining({ code: 'CleanupSkipped' })]);
    await drain(t);
    expect((await t.http.get(`/${project}/categories/key=cl-b`).set(t.auth)).status).toBe(200);

    const second = await send(['cl-a', 'cl-c'], true);
    expect(second.body.counts).toMatchObject({ rows: 2, accepted: 2, destroyed: 1 });
    await drain(t);
    expect((await job(container, second.body.id)).counts).toMatchObject({ imported: 2, destroyed: 1 });
    expect((await t.http.get(`/${project}/categories/key=cl-b`).set(t.auth)).status).toBe(404);
    for (const key of ['cl-a', 'cl-c', 'cl-api']) expect((await t.http.get(`/${project}/categories/key=${key}`).set(t.auth)).status).toBe(200);

    const unsupported = await t.http.post(base(container)).query({ resourceType: 'order', cleanup: 'true' }).set(t.auth).set('Content-Type', 'text/csv').send('orderNumber\nx\n');
    expect(unsupported.status).toBe(400);
    expect(unsupported.body.errors[0].field).toBe('cleanup');
  });

  it('resuming a job twice at once (two processes) stores every row exactly once', async () => {
    const container = await newContainer();
    const keys = Array.from({ length: 1600 }, (_, i) => `twice-${i}`);
    const dry = await t.http.post(base(container)).query({ resourceType: 'category', dryRun: 'true' }).set(t.auth).set('Content-Type', 'text/csv').send(categoriesCsv(keys));
    expect(dry.body).toMatchObject({ state: 'awaitingConfirm', counts: { rows: 1600, accepted: 1600 } });
    // The confirm's store phase and a second runner (as a resuming process would) race over the same cursor.
    const service = t.app.get(FileImportsService);
    const [confirmed] = await Promise.all([
      t.http.post(`${base(container)}/${dry.body.id}/confirm`).set(t.auth),
      (async () => {
        for (let i = 0; i < 1000; i++) {
          const [row] = (await t.dataSource.query(`SELECT state FROM file_imports WHERE project_key = $1 AND id = $2`, [project, dry.body.id])) as Array<{ state: string }>;
          if (row.state === 'running') break;
          await new Promise((resolve) => setImmediate(resolve));
        }
        await service.runStorePhase(project, dry.body.id);
      })(),
    ]);
    expect(confirmed.status).toBe(200);
    const [{ ops, distinct }] = (await t.dataSource.query(
      `SELECT count(*)::int AS ops, count(DISTINCT resource_key)::int AS distinct FROM import_operations WHERE project_key = $1 AND file_import_id = $2`,
      [project, dry.body.id],
    )) as Array<{ ops: number; distinct: number }>;
    expect({ ops, distinct }).toEqual({ ops: 1600, distinct: 1600 });
    expect((await job(container, dry.body.id)).counts).toMatchObject({ rows: 1600, accepted: 1600 });
  });
});

describe('file import limits', () => {
  let t: TestApp;
  const project = 'test';
  beforeAll(async () => {
    t = await createTestApp({ FILE_IMPORT_MAX_BYTES: '4096', FILE_IMPORT_MAX_ERRORS: '5', FILE_IMPORT_MAX_INLINE_INPUTS: '3' });
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key: 'limits' }).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });
  const path = `/${project}/import-containers/limits/file-imports`;

  it('answers 413 for a file over the limit, with and without Content-Length, and stores nothing', async () => {
    const big = categoriesCsv(Array.from({ length: 200 }, (_, i) => `big-${i}`));
    expect(big.length).toBeGreaterThan(4096);
    const declared = await t.http.post(path).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(big);
    expect(declared.status).toBe(413);
    expect(declared.body.errors[0].code).toBe('InvalidInput');

    const upload = streamingUpload(t, `${path}?resourceType=category`, 'text/csv');
    for (let i = 0; i < big.length; i += 1000) await upload.write(big.slice(i, i + 1000));
    upload.end();
    const answer = await upload.answer;
    expect(answer.status).toBe(413);
    const [{ n }] = (await t.dataSource.query(`SELECT count(*)::int AS n FROM import_operations WHERE project_key = $1`, [project])) as Array<{ n: number }>;
    expect(n).toBe(0);
    const jobs = (await t.http.get(path).set(t.auth)).body.results as FileImport[];
    expect(jobs.map((j) => j.state)).toEqual(['failed']);
  });

  it('keeps at most the configured number of errors and counts them all', async () => {
    const csv = ['key,name.en,slug.en', ...Array.from({ length: 8 }, (_, i) => `e-${i},,s-${i}`)].join('\n');
    const res = await t.http.post(path).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(csv);
    expect(res.body.counts).toMatchObject({ rows: 8, invalid: 8 });
    expect(res.body.errors.map((e: { row: number }) => e.row)).toEqual([1, 2, 3, 4, 5]);
    expect(res.body.errorsTotal).toBe(8);
  });

  it('refuses more inline inputs than the limit with a 400', async () => {
    const inputs = Array.from({ length: 4 }, (_, i) => ({ key: `il-${i}`, name: { en: 'x' }, slug: { en: `il-${i}` } }));
    const res = await t.http.post(path).set(t.auth).send({ resourceType: 'category', inputs });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].message).toContain('limit of 3');
    expect((await t.http.post(path).set(t.auth).send({ resourceType: 'category', inputs: inputs.slice(0, 3) })).body.counts).toMatchObject({ rows: 3, accepted: 3 });
  });
});
