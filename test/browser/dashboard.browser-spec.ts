import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { ProcessorService } from '../../libs/processing/src';
import { drain } from '../support/processor';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * The operators' dashboard in a real browser (Debian's chromium through playwright-core) against the real
 * application over HTTP: sign-in, live progress while a test posts imports and drives the processor, a failed
 * operation's error, pause / resume through the page checked through the API, and project isolation.
 * Waits poll the DOM (or the API) until a condition holds; nothing sleeps a fixed time.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(__dirname, '..', '..', 'docs', 'screenshots') : undefined;

/** Polls `check` until it returns a truthy value (or `timeoutMs` passes, then fails with `what` and the last value). */
async function until<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as T;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('dashboard in a browser', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const requestedUrls: string[] = [];
  let operator: { clientId: string; clientSecret: string };

  const productType = (key: string) => ({ key, name: `Type ${key}`, description: 'd', attributes: [{ type: { name: 'text' }, name: 'color', label: { en: 'Color' }, isRequired: false, isSearchable: true }] });
  const invalidType = (key: string) => ({ ...productType(key), attributes: [...productType(key).attributes, ...productType(key).attributes] });
  const importTypes = (container: string, resources: unknown[]) =>
    t.http.post(`/test/product-types/import-containers/${container}`).set(t.auth).send({ type: 'product-type', resources }).expect(201);
  const apiStatus = async (container: string) => (await t.http.get(`/test/import-containers/${container}/status`).set(t.auth).expect(200)).body as { state: string; counts: Record<string, number> };
  const row = (key: string) => page.locator(`#containers-table tr[data-key="${key}"]`);
  const progressOf = async (key: string) => Number(await row(key).locator('[role=progressbar]').getAttribute('aria-valuenow'));
  const stateOf = (key: string) => row(key).getAttribute('data-state');

  async function signIn(clientId: string, clientSecret: string, projectKey: string) {
    await page.getByLabel('Client id').fill(clientId);
    await page.getByLabel('Client secret').fill(clientSecret);
    await page.getByLabel('Project key').fill(projectKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function screenshot(name: string) {
    if (!SCREENSHOTS) return;
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  }

  beforeAll(async () => {
    t = await createTestApp();
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    operator = await t.client('manage_project:test');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      // 4xx answers the page expects (the 403 of another project, the 404 of features this server lacks) are logged by Chromium as failed loads.
      if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 40[34]/.test(message.text())) pageErrors.push(message.text());
    });
    page.on('request', (request) => requestedUrls.push(request.url()));
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('serves the page publicly with a strict content security policy', async () => {
    const res = await t.http.get('/dashboard');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect((await t.http.get('/dashboard/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    const etag = (await t.http.get('/dashboard/assets/style.css')).headers.etag;
    expect((await t.http.get('/dashboard/assets/style.css').set('If-None-Match', etag)).status).toBe(304);
    for (const path of ['/dashboard/assets/..%2Fpackage.json', '/dashboard/assets/nothing.js', '/dashboard/assets/.eslintrc.js', '/dashboard/assets/dashboard.controller.ts']) expect((await t.http.get(path)).status).toBe(404);
    // A project may be called `dashboard`: its API routes are its own.
    const owner = await t.client('manage_project:dashboard');
    await t.http.post('/dashboard/import-containers').set(owner.header).send({ key: 'c1' }).expect(201);
    expect((await t.http.get('/dashboard/import-containers').set(owner.header)).body.total).toBe(1);
    expect((await t.http.get('/dashboard/import-stats/containers').set(owner.header)).body.total).toBe(1);
  });

  it('signs in, shows containers filling and their progress moving live, as the processor settles them', async () => {
    await page.goto(`${base}/dashboard?refresh=2`);
    await signIn(operator.clientId, operator.clientSecret, 'test');
    await page.getByText('This project has no import containers yet.').waitFor();
    // The token lives in memory only: nothing in storage, the secret in no URL.
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await page.getByLabel('Client secret').inputValue()).toBe('');

    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'dash-live' }).expect(201);
    await importTypes('dash-live', Array.from({ length: 20 }, (_, i) => productType(`live-${i}`)));
    await importTypes('dash-live', Array.from({ length: 20 }, (_, i) => productType(`live-b-${i}`)));
    await until('the new container in the list', async () => (await row('dash-live').count()) === 1 && (await stateOf('dash-live')) === 'running');
    expect(await progressOf('dash-live')).toBe(0);
    expect(await row('dash-live').textContent()).toContain('40 pending');

    await t.app.get(ProcessorService).runOnce(10);
    const partial = await until('the progress bar to move', async () => {
      const value = await progressOf('dash-live');
      return value > 0 && value < 100 ? value : 0;
    });
    expect(partial).toBe(25);
    await drain(t);
    await until('the container to finish', async () => (await stateOf('dash-live')) === 'finished' && (await progressOf('dash-live')) === 100);
    expect(await row('dash-live').locator('.badge').textContent()).toBe('finished');

    // The throughput sparkline counts what the server settled.
    await until('the throughput to show the 40 imports', async () => /40 imported/.test((await page.locator('#throughput').textContent()) ?? ''));
    expect(await page.locator('#throughput svg.sparkline').count()).toBe(1);
  });

  it('opens a failed operation and shows its error as the API reports it', async () => {
    await importTypes('dash-live', [invalidType('live-bad')]);
    await drain(t);
    const failed = (await t.http.get('/test/import-containers/dash-live/import-operations?resourceKey=live-bad').set(t.auth).expect(200)).body.results[0];
    expect(['rejected', 'validationFailed']).toContain(failed.state);
    const message = failed.errors[0].message as string;
    await until('finishedWithErrors in the list', async () => (await stateOf('dash-live')) === 'finishedWithErrors');

    await row('dash-live').getByRole('button', { name: 'dash-live', exact: true }).click();
    await page.locator('#detail-view').waitFor();
    await until('the summary chart', async () => (await page.locator('#detail-summary svg.donut').count()) === 1);
    expect(await page.locator('#detail-summary').textContent()).toMatch(/imported\s*40/);
    await page.getByLabel('Operation state').selectOption(failed.state);
    const operation = page.locator(`#operations-table tr[data-operation="${failed.id}"]`);
    await until('only the failed operation listed', async () => (await page.locator('#operations-table tbody tr').count()) === 1 && (await operation.count()) === 1);
    expect(await operation.textContent()).toContain(message);
    await operation.getByText('Error details').click();
    expect(await operation.locator('pre').textContent()).toContain(failed.errors[0].code);
    await screenshot('dashboard-container.png');
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await row('dash-live').waitFor();
  });

  it('pauses and resumes a container through the page (with confirmation, by keyboard), checked through the API', async () => {
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'dash-pause' }).expect(201);
    await importTypes('dash-pause', [productType('pause-1'), productType('pause-2'), productType('pause-3')]);
    await until('the container to appear', async () => (await stateOf('dash-pause')) === 'running');

    // Declining the confirmation changes nothing.
    await row('dash-pause').getByRole('button', { name: 'Cancel container dash-pause' }).click();
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect((await apiStatus('dash-pause')).state).toBe('running');

    // Pause with the keyboard: focus the button, Enter, Tab to the confirm button, Enter.
    await row('dash-pause').getByRole('button', { name: 'Pause container dash-pause' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog').waitFor();
    expect(await page.locator('#confirm-text').textContent()).toContain("Pause container 'dash-pause'?");
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('confirm-yes');
    await page.keyboard.press('Enter');
    await until('paused in the API', async () => (await apiStatus('dash-pause')).state === 'paused');
    await until('paused in the page', async () => (await stateOf('dash-pause')) === 'paused');
    // Paused: the processor leaves its operations alone.
    await drain(t);
    expect((await apiStatus('dash-pause')).counts.processing).toBe(3);

    await row('dash-pause').getByRole('button', { name: 'Resume container dash-pause' }).click();
    await page.getByRole('button', { name: 'Resume container', exact: true }).click();
    await until('resumed in the API', async () => (await apiStatus('dash-pause')).state === 'running');
    await drain(t);
    expect((await apiStatus('dash-pause')).counts.imported).toBe(3);
    await until('finished in the page', async () => (await stateOf('dash-pause')) === 'finished');

    // With the events feature the feed shows the tasks live; without it the page says so.
    const eventsState = await until('the events feed state', async () => page.locator('#events-state').textContent());
    if (eventsState === 'live') {
      await until('the pause event in the feed', async () => (await page.locator('#events-list li[data-type="ImportContainerPaused"]').count()) > 0);
    } else {
      expect(eventsState).toMatch(/not available|updated every/);
    }
  });

  it('filters by key prefix and sorts, server-side', async () => {
    await page.getByLabel('Filter by key prefix').fill('dash-p');
    await until('only dash-pause', async () => (await page.locator('#containers-table tbody tr[data-key]').count()) === 1 && (await row('dash-pause').count()) === 1);
    await page.getByLabel('Filter by key prefix').fill('');
    await page.getByLabel('Sort by').selectOption('key asc');
    await until('key order', async () => (await page.evaluate(`[...document.querySelectorAll('#containers-table tbody tr[data-key]')].map((r) => r.dataset.key).join(',')`)) === 'dash-live,dash-pause');
    expect(await page.locator('#containers-total').textContent()).toBe('2 containers');
  });

  it('works at a phone width without horizontal scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await row('dash-live').waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await row('dash-live').getByRole('button', { name: 'Pause container dash-live' }).isVisible()).toBe(true);
    await screenshot('dashboard-phone.png');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows each container state with its badge, cancels with confirmation, and lists unresolved references', async () => {
    const category = (key: string, parent?: string) => ({ key, name: { en: key }, slug: { en: `slug-${key}` }, ...(parent ? { parent: { typeId: 'category', key: parent } } : {}) });
    for (const key of ['dash-ready', 'dash-wait', 'dash-run', 'dash-cancel']) await t.http.post('/test/import-containers').set(t.auth).send({ key }).expect(201);
    await t.http.post('/test/categories/import-containers/dash-wait').set(t.auth).send({ type: 'category', resources: [category('orphan', 'missing-parent'), category('fine')] }).expect(201);
    await drain(t);
    await importTypes('dash-run', [productType('run-1'), productType('run-2')]);
    await importTypes('dash-cancel', [productType('cancel-1'), productType('cancel-2')]);

    await row('dash-cancel').getByRole('button', { name: 'Cancel container dash-cancel' }).click();
    expect(await page.locator('#confirm-text').textContent()).toContain('This cannot be undone.');
    await page.getByRole('button', { name: 'Cancel container', exact: true }).click();
    await until('canceled in the API', async () => (await apiStatus('dash-cancel')).state === 'canceled');
    const expected: Record<string, string> = { 'dash-ready': 'ready', 'dash-wait': 'waiting', 'dash-run': 'running', 'dash-cancel': 'canceled', 'dash-live': 'finishedWithErrors', 'dash-pause': 'finished' };
    await until('every state in the list', async () => {
      for (const [key, state] of Object.entries(expected)) if ((await stateOf(key)) !== state || (await row(key).locator('.badge').textContent()) !== state) return false;
      return true;
    });
    expect(await row('dash-cancel').getByRole('button', { name: /container dash-cancel/ }).count()).toBe(0);
    expect(await row('dash-cancel').textContent()).toContain('2 canceled of 2');
    await screenshot('dashboard-containers.png');

    await row('dash-wait').getByRole('button', { name: 'dash-wait', exact: true }).click();
    await page.getByLabel('Operation state').selectOption('unresolved');
    await until('the unresolved operation alone', async () => (await page.locator('#operations-table tbody tr[data-state="unresolved"]').count()) === 1 && (await page.locator('#operations-table tbody tr').count()) === 1);
    expect(await page.locator('#operations-table').textContent()).toContain("Unresolved: category 'missing-parent'");
    await page.getByRole('button', { name: 'Back to the list' }).click();
  });

  it('shows a container’s file imports with their counts and error log (when the server has file imports)', async () => {
    await t.http.post('/test/import-containers').set(t.auth).send({ key: 'dash-files' }).expect(201);
    const probe = await t.http.get('/test/import-containers/dash-files/file-imports').set(t.auth);
    const open = async () => {
      await row('dash-files').getByRole('button', { name: 'dash-files', exact: true }).click();
      await page.locator('#detail-view').waitFor();
    };
    if (probe.status === 404) {
      // This server has no file imports (issue 17 not merged): the view says so.
      await until('the container', async () => (await row('dash-files').count()) === 1);
      await open();
      await page.getByText('File imports are not available on this server.').waitFor();
    } else {
      expect(probe.status).toBe(200);
      const csv = 'key,name.en,slug.en\ndash-cat-1,One,dash-one\n,No key,dash-no-key\ndash-cat-2,Two,dash-two\n';
      const upload = await t.http.post('/test/import-containers/dash-files/file-imports').query({ resourceType: 'category' }).set(t.auth).set('Content-Type', 'text/csv').send(csv);
      expect([200, 202]).toContain(upload.status);
      await drain(t);
      const job = (await t.http.get(`/test/import-containers/dash-files/file-imports/${upload.body.id}`).set(t.auth).expect(200)).body;
      expect(job.errorsTotal).toBeGreaterThan(0);
      await until('the container', async () => (await row('dash-files').count()) === 1);
      await open();
      const item = page.locator(`#file-imports li[data-file-import="${job.id}"]`);
      await item.waitFor();
      const text = (await item.textContent()) ?? '';
      expect(text).toContain(job.state);
      for (const name of ['rows', 'accepted', 'invalid', 'imported']) expect(text).toContain(`${name}${job.counts[name]}`);
      await item.getByText(/^Error log:/).click();
      expect(await item.locator('table').textContent()).toContain(job.errors[0].message);
      await screenshot('dashboard-file-imports.png');
    }
    await page.getByRole('button', { name: 'Back to the list' }).click();
  });

  it('parses SSE frames split anywhere and resumes a dropped stream with Last-Event-ID (the events stream client)', async () => {
    const result = await page.evaluate(`(async () => {
      const { SseParser, followEventStream } = await import('/dashboard/assets/sse.js');
      const seen = [];
      const parser = new SseParser((event) => seen.push(event));
      const text = ': heartbeat\\r\\nid: 7\\r\\nevent: ImportContainerPaused\\r\\ndata: {"a":\\r\\ndata: 1}\\r\\n\\r\\nid: 8\\nevent: ImportContainerResumed\\ndata: {"b":2}\\n\\n';
      for (let i = 0; i < text.length; i += 3) parser.feed(text.slice(i, i + 3));
      // followEventStream against a stand-in fetch: the first connection delivers one event and drops.
      const realFetch = window.fetch;
      const calls = [];
      const stream = (body) => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(body)); c.close(); } }), { headers: { 'content-type': 'text/event-stream' } });
      window.fetch = async (url, init) => {
        calls.push({ url: String(url), lastEventId: init.headers['Last-Event-ID'] ?? null, auth: init.headers.Authorization });
        return calls.length === 1 ? stream('retry: 20\\nid: 41\\nevent: X\\ndata: {"n":41}\\n\\n') : new Response('', { status: 404 });
      };
      const streamed = [];
      const states = [];
      await new Promise((resolve) => followEventStream({ url: '/p/import-events/stream', headers: () => ({ Authorization: 'Bearer t' }), lastEventId: '40', onEvent: (e) => streamed.push(e), onState: (s) => { states.push(s); if (s === 'unavailable') resolve(); } }));
      window.fetch = realFetch;
      return { seen, calls, streamed, states };
    })()`);
    expect(result).toEqual({
      seen: [
        { id: '7', event: 'ImportContainerPaused', data: '{"a":\n1}' },
        { id: '8', event: 'ImportContainerResumed', data: '{"b":2}' },
      ],
      calls: [
        { url: '/p/import-events/stream', lastEventId: '40', auth: 'Bearer t' },
        { url: '/p/import-events/stream', lastEventId: '41', auth: 'Bearer t' },
      ],
      streamed: [{ id: '41', event: 'X', data: '{"n":41}' }],
      states: ['connecting', 'live', 'retrying', 'connecting', 'unavailable'],
    });
  });

  it('pages 1,000 containers by the server: one request per refresh for the whole page, never one per container', async () => {
    await t.dataSource.query(`INSERT INTO import_containers (project_key, key, created_at) SELECT 'proj-a', 'bulk-' || g, now() - make_interval(secs => 1000 - g) FROM generate_series(1, 1000) g`);
    const bulk = await t.client('view_import_containers:proj-a');
    await page.getByRole('button', { name: 'Sign out' }).click();
    const signedIn = requestedUrls.length;
    await signIn(bulk.clientId, bulk.clientSecret, 'proj-a');
    await until('1,000 containers', async () => (await page.locator('#containers-total').textContent()) === '1,000 containers');
    expect(await page.locator('#containers-page').textContent()).toBe('1–20 of 1,000');
    expect(await page.locator('#containers-table tbody tr[data-key]').count()).toBe(20);
    expect(await page.locator('#containers-table tbody tr[data-key]').first().getAttribute('data-key')).toBe('bulk-1000');

    // The sign-in also loads the event feed (its first page, then the stream); counted from after it, whenever it
    // comes (on a loaded machine the container page can render first).
    await until('the event stream', async () => requestedUrls.slice(signedIn).some((url) => new URL(url).pathname === '/proj-a/import-events/stream'));
    const seen = requestedUrls.length;
    await page.getByRole('button', { name: 'Next' }).first().click();
    await until('the second page', async () => (await page.locator('#containers-page').textContent()) === '21–40 of 1,000');
    expect(await page.locator('#containers-table tbody tr[data-key]').first().getAttribute('data-key')).toBe('bulk-980');
    await page.getByLabel('Filter by key prefix').fill('bulk-99');
    await until('the prefix bulk-99', async () => (await page.locator('#containers-total').textContent()) === '11 containers');
    // Two refresh periods: the page asks for the container page and the throughput, never a container's own status.
    const before = requestedUrls.filter((url) => url.includes('/import-stats/containers')).length;
    await until('two more refreshes', async () => requestedUrls.filter((url) => url.includes('/import-stats/containers')).length >= before + 2, 10_000);
    const requests = requestedUrls.slice(seen).map((url) => new URL(url).pathname);
    expect(requests.filter((p) => /\/import-containers\/[^/]+\/(status|import-summaries|import-operations)$/.test(p))).toEqual([]);
    expect(new Set(requests.filter((p) => p.startsWith('/proj-a/')))).toEqual(new Set(['/proj-a/import-stats/containers', '/proj-a/import-stats/throughput']));
  });

  it('shows nothing of this project to a client of another project', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Client id').waitFor();
    const other = await t.client('manage_project:proj-b');
    await signIn(other.clientId, other.clientSecret, 'test');
    await until('the access error', async () => /no access to project 'test'/.test((await page.locator('#sign-in-error').textContent()) ?? ''));
    expect(await page.locator('#app-view').isHidden()).toBe(true);
    expect(await page.locator('body').textContent()).not.toContain('dash-live');

    await page.getByLabel('Project key').fill('proj-b');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This project has no import containers yet.').waitFor();
    expect(await page.locator('body').textContent()).not.toContain('dash-live');

    expect(requestedUrls.filter((url) => url.includes(operator.clientSecret) || url.includes(other.clientSecret))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
