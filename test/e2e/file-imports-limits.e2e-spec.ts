import http from 'node:http';
import { AddressInfo } from 'node:net';
import { FileImportsService, MAX_RECORD_CHARS } from '../../libs/import/src';
import { INPUT_LIMITS } from '../../libs/common/src';
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

interface Answer {
  status: number;
  body: { statusCode?: number; message?: string; errors: Array<{ code: string; message: string; row?: number }>; [field: string]: unknown };
}

const category = (key: string) => ({ key, name: { en: `Name ${key}` }, slug: { en: key } });
const TOO_BIG = `An array item is larger than the limit of ${MAX_RECORD_CHARS} characters.`;
const TOO_DEEP = `The record is nested deeper than the limit of ${INPUT_LIMITS.maxJsonDepth} levels.`;
/** A value nested `levels` arrays deep: [[[...[1]...]]]. */
const nested = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;

/**
 * Per-record bound of the JSON forms (a JSON array's items, inline `inputs` items and options): an item over
 * MAX_RECORD_CHARS fails the upload while it streams, as an NDJSON line or CSV record over it does; an item nested
 * deeper than INPUT_LIMITS.maxJsonDepth is that row's error.
 */
describe('file import record bound (JSON array, inline inputs)', () => {
  let t: TestApp;
  const project = 'test';
  let n = 0;
  const newContainer = async () => {
    const key = `limits-${++n}`;
    await t.http.post(`/${project}/import-containers`).set(t.auth).send({ key }).expect(201);
    return key;
  };
  const base = (container: string) => `/${project}/import-containers/${container}/file-imports`;
  const upload = (container: string, query: Record<string, string>, body: string) => t.http.post(base(container)).query(query).set(t.auth).set('Content-Type', 'application/json').send(body);
  const operations = async (container: string) => ((await t.http.get(`/${project}/import-containers/${container}/import-operations`).query({ limit: 500 }).set(t.auth)).body as { total: number }).total;
  const jobs = async (container: string) => ((await t.http.get(base(container)).set(t.auth).expect(200)).body as { total: number; results: FileImport[] });
  const staged = async (id: string) =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM file_import_records WHERE project_key = $1 AND file_import_id = $2`, [project, id])) as Array<{ n: number }>)[0].n;
  const events = async (id: string) =>
    ((await t.dataSource.query(`SELECT type FROM import_events WHERE project_key = $1 AND resource_id = $2 ORDER BY sequence_number`, [project, id])) as Array<{ type: string }>).map((row) => row.type);

  /**
   * A raw chunked upload whose body is generated piece by piece, honoring backpressure (never held whole by the
   * test): `head`, then `fillerChars` characters 'x' in 64 KiB pieces, then `tail`.
   */
  const streamedUpload = (path: string, head: string, fillerChars: number, tail: string): Promise<Answer> => {
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    return new Promise<Answer>((resolve, reject) => {
      const request = http.request(
        { host: '127.0.0.1', port, path, method: 'POST', headers: { ...t.auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Answer['body'] }));
        },
      );
      request.on('error', reject);
      const piece = Buffer.alloc(65_536, 'x');
      let left = fillerChars;
      const write = () => {
        while (left > 0) {
          const size = Math.min(left, piece.length);
          left -= size;
          if (!request.write(size === piece.length ? piece : piece.subarray(0, size))) return void request.once('drain', write);
        }
        request.end(tail);
      };
      request.write(head);
      write();
    });
  };

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('a JSON array whose 2nd item is over the bound fails the job at row 2 (as an NDJSON line over it does) and stores nothing', async () => {
    const container = await newContainer();
    const body = JSON.stringify([category('big-1'), { ...category('big-2'), description: { en: 'x'.repeat(1_100_000) } }, category('big-3')]);
    const res = await upload(container, { resourceType: 'category' }, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'failed', format: 'json', counts: { accepted: 0, imported: 0 } });
    expect(res.body.errors).toEqual([{ row: 2, code: 'InvalidInput', message: TOO_BIG }]);
    expect(await staged(res.body.id as string)).toBe(0);
    await drain(t);
    expect(await operations(container)).toBe(0);
    expect(await events(res.body.id as string)).toEqual(['FileImportCreated', 'FileImportFailed']);
    expect((await t.http.get(`/${project}/categories/key=big-1`).set(t.auth)).status).toBe(404);

    // Many small values add up as well as one long string: 200,000 keys of an object.
    const wide = `[${JSON.stringify(category('wide-1'))},{"key":"wide-2","f":{${Array.from({ length: 200_000 }, (_, i) => `"k${i}":1`).join(',')}}}]`;
    const second = await upload(container, { resourceType: 'category' }, wide);
    expect(second.body).toMatchObject({ state: 'failed' });
    expect(second.body.errors).toEqual([{ row: 2, code: 'InvalidInput', message: TOO_BIG }]);
    // A long number is bounded too (it is streamed, not packed whole).
    const longNumber = `[{"key":"n","n":${'9'.repeat(1_100_000)}}]`;
    const third = await upload(container, { resourceType: 'category' }, longNumber);
    expect(third.body.errors).toEqual([{ row: 1, code: 'InvalidInput', message: TOO_BIG }]);
  });

  it('large rows are staged and stored in batches bounded by their size (about 1 MiB), not only by 500 rows', async () => {
    const container = await newContainer();
    const service = t.app.get(FileImportsService) as unknown as Record<'stageBatch' | 'storeBatch', (...args: unknown[]) => Promise<void>>;
    const stageBatch = jest.spyOn(service, 'stageBatch');
    const storeBatch = jest.spyOn(service, 'storeBatch');
    try {
      // 10 rows of ~200,000 characters: 2 MB, which 500-row batches would hold in one staging and one store transaction.
      const csv = ['key,name.en,slug.en,description.en', ...Array.from({ length: 10 }, (_, i) => `large-${i},Large ${i},large-${i},${'d'.repeat(200_000)}`)].join('\n');
      const res = await t.http.post(base(container)).query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(csv);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ counts: { rows: 10, accepted: 10, invalid: 0 } });
      const staged = stageBatch.mock.calls.map((call) => (call[2] as unknown[]).length);
      const stored = storeBatch.mock.calls.map((call) => (call[3] as unknown[]).length);
      // ~1 MiB each: 6 rows (1.2 MB) close a batch, the last one holds the rest.
      expect(staged).toEqual([6, 4]);
      expect(stored).toEqual([6, 4]);
    } finally {
      stageBatch.mockRestore();
      storeBatch.mockRestore();
    }
    await drain(t);
    expect(await operations(container)).toBe(10);
    const stored = (await t.http.get(`/${project}/categories/key=large-9`).set(t.auth).expect(200)).body as { description: { en: string } };
    expect(stored.description.en).toHaveLength(200_000);
  });

  it('an item just under the bound is read and imported', async () => {
    const container = await newContainer();
    // Four strings of 250,000 characters (each within the 262,144 limit of one string): ~1,000,100 characters in all.
    const long = (c: string) => ({ en: c.repeat(250_000) });
    const item = { ...category('under-1'), description: long('d'), metaTitle: long('t'), metaDescription: long('m'), metaKeywords: long('k') };
    const body = JSON.stringify([category('under-0'), item]);
    expect(JSON.stringify(item).length).toBeLessThan(MAX_RECORD_CHARS);
    expect(JSON.stringify(item).length).toBeGreaterThan(MAX_RECORD_CHARS - 50_000);
    const res = await upload(container, { resourceType: 'category' }, body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: 'running', counts: { rows: 2, accepted: 2, invalid: 0 } });
    await drain(t);
    const stored = (await t.http.get(`/${project}/categories/key=under-1`).set(t.auth).expect(200)).body as { description: { en: string }; metaKeywords: { en: string } };
    expect(stored.description.en).toBe('d'.repeat(250_000));
    expect(stored.metaKeywords.en).toBe('k'.repeat(250_000));

    // Inline inputs: the same item is fine.
    const inline = await upload(container, {}, JSON.stringify({ resourceType: 'category', inputs: [{ ...item, key: 'under-2', slug: { en: 'under-2' } }] }));
    expect(inline.status).toBe(202);
    expect(inline.body).toMatchObject({ counts: { rows: 1, accepted: 1, invalid: 0 } });
  });

  it('an inline input (or option) over the bound is a 400 naming the limit, and leaves no job behind', async () => {
    const container = await newContainer();
    const body = JSON.stringify({ resourceType: 'category', inputs: [category('in-1'), { ...category('in-2'), description: { en: 'x'.repeat(1_100_000) } }] });
    const res = await upload(container, {}, body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, errors: [{ code: 'InvalidInput', message: `An item of 'inputs' is larger than the limit of ${MAX_RECORD_CHARS} characters.` }] });
    const option = await upload(container, {}, JSON.stringify({ resourceType: 'category', metadata: { note: 'x'.repeat(1_100_000) }, inputs: [category('in-3')] }));
    expect(option.status).toBe(400);
    expect(option.body.errors).toEqual([expect.objectContaining({ code: 'InvalidInput', message: `The field 'metadata' is larger than the limit of ${MAX_RECORD_CHARS} characters.` })]);
    const key = await upload(container, {}, `{"${'k'.repeat(1_100_000)}":1,"resourceType":"category","inputs":[]}`);
    expect(key.status).toBe(400);
    expect(key.body.errors[0]).toMatchObject({ code: 'InvalidInput', message: `A field name of the body is longer than the limit of ${MAX_RECORD_CHARS} characters.` });
    expect((await jobs(container)).total).toBe(0);
    await drain(t);
    expect(await operations(container)).toBe(0);
  });

  it('an item nested deeper than the limit is its row’s error (never assembled, never a 500); the other rows are stored', async () => {
    const container = await newContainer();
    const deep = `{"key":"deep-2","name":{"en":"x"},"slug":{"en":"deep-2"},"custom":${nested(INPUT_LIMITS.maxJsonDepth + 10)}}`;
    // Deepest possible within the size bound: ~500,000 levels.
    const deepest = `{"key":"deep-3","x":${nested(500_000)}}`;
    const body = `[${JSON.stringify(category('deep-1'))},${deep},${deepest},${JSON.stringify(category('deep-4'))}]`;
    const res = await upload(container, { resourceType: 'category' }, body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: 'running', counts: { rows: 4, accepted: 2, invalid: 2 } });
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, code: 'InvalidInput', message: TOO_DEEP }), expect.objectContaining({ row: 3, code: 'InvalidInput', message: TOO_DEEP })]);
    // Exactly at the limit is not too deep (the record object is level 1, as checkInput counts).
    const atLimit = `[{"key":"deep-5","x":${nested(INPUT_LIMITS.maxJsonDepth - 2)}}]`;
    const third = await upload(container, { resourceType: 'category' }, atLimit);
    expect(third.body.errors.map((error: { message: string }) => error.message)).not.toContain(TOO_DEEP);
    await drain(t);
    await t.http.get(`/${project}/categories/key=deep-4`).set(t.auth).expect(200);

    // Inline: a deep input is its row's error; a deep option is a 400.
    const inline = await upload(container, {}, `{"resourceType":"category","inputs":[${JSON.stringify(category('deep-6'))},${deepest}]}`);
    expect(inline.body).toMatchObject({ counts: { rows: 2, accepted: 1, invalid: 1 } });
    expect(inline.body.errors).toEqual([expect.objectContaining({ row: 2, message: TOO_DEEP })]);
    const option = await upload(container, {}, `{"resourceType":"category","metadata":${nested(100)},"inputs":[]}`);
    expect(option.status).toBe(400);
    expect(option.body.errors[0]).toMatchObject({ code: 'InvalidInput', message: `The field 'metadata' is nested deeper than the limit of ${INPUT_LIMITS.maxJsonDepth} levels.` });
  });

  it('a client that goes away mid-upload fails the job (the upload was interrupted), nothing is stored, nothing hangs', async () => {
    const container = await newContainer();
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const request = http.request({
      host: '127.0.0.1',
      port,
      path: `${base(container)}?resourceType=category`,
      method: 'POST',
      headers: { ...t.auth, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
    });
    request.on('error', () => undefined);
    const items = Array.from({ length: 700 }, (_, i) => JSON.stringify(category(`gone-${i}`))).join(',');
    await new Promise<void>((resolve) => request.write(`[${items},`, () => resolve()));
    // Wait (by condition) until the job exists and its first batch is staged, then drop the connection.
    let id: string | undefined;
    for (let i = 0; i < 5000 && !id; i++) {
      const list = await jobs(container);
      if (list.results[0]?.counts.rows >= 500) id = list.results[0].id;
      else await new Promise((resolve) => setImmediate(resolve));
    }
    expect(id).toBeDefined();
    request.destroy();
    let state = 'running';
    for (let i = 0; i < 5000 && state === 'running'; i++) {
      state = (await jobs(container)).results[0].state;
      if (state === 'running') await new Promise((resolve) => setImmediate(resolve));
    }
    const failed = (await t.http.get(`${base(container)}/${id}`).set(t.auth).expect(200)).body as FileImport;
    expect(failed).toMatchObject({ state: 'failed', counts: { accepted: 0 } });
    expect(failed.errors[0]).toMatchObject({ code: 'InvalidInput', message: expect.stringMatching(/aborted|interrupted/) });
    expect(await staged(id as string)).toBe(0);
  });

  it('a 50 MB single item, streamed, is rejected at the bound; the server drains the rest instead of resetting the connection, and goes on', async () => {
    const container = await newContainer();
    const head = `[${JSON.stringify(category('s-1'))},{"key":"s-2","name":{"en":"`;
    const res = await streamedUpload(`${base(container)}?resourceType=category`, head, 50 * 1024 * 1024, `"},"slug":{"en":"s-2"}}]`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'failed', counts: { accepted: 0 } });
    expect(res.body.errors).toEqual([{ row: 2, code: 'InvalidInput', message: TOO_BIG }]);

    const inline = await streamedUpload(base(container), `{"resourceType":"category","inputs":[{"key":"s-3","name":{"en":"`, 50 * 1024 * 1024, `"}}]}`);
    expect(inline.status).toBe(400);
    expect(inline.body.errors[0]).toMatchObject({ code: 'InvalidInput', message: `An item of 'inputs' is larger than the limit of ${MAX_RECORD_CHARS} characters.` });

    // The API still serves.
    const next = await upload(container, { resourceType: 'category' }, JSON.stringify([category('s-4')]));
    expect(next.body).toMatchObject({ counts: { rows: 1, accepted: 1 } });
    expect((await jobs(container)).total).toBe(2);
  });
});
