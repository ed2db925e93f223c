// Berth operators' dashboard: containers with live progress, one container's summary, operations and file imports,
// the project's events (SSE) and its throughput. Everything is paged by the server; the page holds one page of each.
import { Api, ApiError } from './api.js';
import { progressBar, sparkline, stateBadge, summaryDonut } from './charts.js';
import { clear, formatCount, formatRate, formatTime, h, plural } from './dom.js';
import { followEventStream } from './sse.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
/** Refresh period of what no event announces (progress while operations settle): 5 s, `?refresh=<s>` from 2 s up. */
const REFRESH_MS = Math.max(2, Number(query.get('refresh')) || 5) * 1000;
const PAGE_SIZE = 20;
/** The API pages up to offset 10,000 (commercetools paging); deeper pages need a filter. */
const MAX_OFFSET = 10_000;
const lastPage = (offset, total) => offset + PAGE_SIZE >= total || offset + PAGE_SIZE > MAX_OFFSET;
const MAX_EVENTS = 100;
const KEY_PATTERN = /^[a-zA-Z0-9_-]+$/;

let api;
let timer;
let stopStream;
let refreshing = false;
let refreshQueued;
const view = {
  containers: { offset: 0, sort: 'createdAt desc', keyPrefix: '', total: 0 },
  detail: undefined, // { key, offset, state, total }
  events: { items: [], lastId: undefined, mode: 'off' },
};

// ---------------------------------------------------------------------------------------------------------------
// Sign-in and session
// ---------------------------------------------------------------------------------------------------------------

function describe(error) {
  if (error instanceof ApiError) return error.message;
  return `The server cannot be reached (${error?.message ?? error}).`;
}

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const clientId = $('client-id').value.trim();
  const clientSecret = $('client-secret').value;
  const projectKey = $('project-key').value.trim();
  const problem = !clientId ? 'Enter the client id.' : !clientSecret ? 'Enter the client secret.' : !KEY_PATTERN.test(projectKey) ? 'Enter the project key (letters, digits, - and _).' : '';
  $('sign-in-error').textContent = problem;
  if (problem) return;
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const candidate = new Api(projectKey, () => signOut('Your session has ended (the token expired or was revoked): sign in again.'));
    await candidate.signIn(clientId, clientSecret);
    try {
      // The token must grant this project's containers (view or manage): otherwise nothing of it is shown.
      await candidate.get(['import-stats', 'containers'], { limit: 0 });
    } catch (error) {
      candidate.signOut();
      throw error instanceof ApiError && error.status === 403 ? new ApiError(403, undefined, `This client has no access to project '${projectKey}': ${error.message}`) : error;
    }
    $('client-secret').value = '';
    api = candidate;
    start();
  } catch (error) {
    $('sign-in-error').textContent = describe(error);
  } finally {
    button.disabled = false;
  }
});

$('sign-out').addEventListener('click', () => signOut());

function start() {
  $('sign-in-view').hidden = true;
  $('app-view').hidden = false;
  $('session').hidden = false;
  $('session-project').textContent = api.projectKey;
  $('containers-sort').selectedIndex = 0;
  $('operations-state').value = '';
  view.containers = { offset: 0, sort: $('containers-sort').value, keyPrefix: '', total: 0 };
  $('key-prefix').value = '';
  view.detail = undefined;
  $('detail-view').hidden = true;
  $('containers-view').hidden = false;
  void refresh();
  void startEvents();
  timer = setInterval(() => {
    if (!document.hidden) void refresh();
  }, REFRESH_MS);
  $('main').focus();
}

function signOut(message = '') {
  api?.signOut();
  api = undefined;
  clearInterval(timer);
  stopStream?.();
  stopStream = undefined;
  view.events = { items: [], lastId: undefined, mode: 'off' };
  for (const id of ['events-list', 'throughput', 'detail-status', 'detail-summary', 'file-imports']) clear($(id));
  clear($('containers-table').tBodies[0]);
  clear($('operations-table').tBodies[0]);
  view.detail = undefined;
  $('detail-title').textContent = 'Container';
  for (const id of ['containers-total', 'containers-page', 'operations-page', 'containers-error', 'detail-error', 'events-state']) $(id).textContent = '';
  $('app-view').hidden = true;
  $('session').hidden = true;
  $('sign-in-view').hidden = false;
  $('sign-in-error').textContent = message;
  $('client-id').focus();
}

// ---------------------------------------------------------------------------------------------------------------
// Refresh: one request per visible thing (the container page, the throughput, the open container)
// ---------------------------------------------------------------------------------------------------------------

/** Runs a refresh now, or once more after the running one (never two at a time). */
async function refresh() {
  if (!api) return;
  if (refreshing) {
    refreshQueued = true;
    return;
  }
  refreshing = true;
  try {
    await Promise.all([loadContainers(), loadThroughput(), view.detail ? loadDetail() : undefined]);
  } finally {
    refreshing = false;
    if (refreshQueued) {
      refreshQueued = false;
      void refresh();
    }
  }
}

let eventRefresh;
/** An event says something changed: refresh soon (at most once a second however many events arrive). */
function refreshSoon() {
  if (eventRefresh) return;
  eventRefresh = setTimeout(() => {
    eventRefresh = undefined;
    void refresh();
  }, 1000);
}

/** Re-renders without losing the keyboard focus: the focused control is found again by its data-focus id. */
function keepingFocus(render) {
  const focused = document.activeElement?.dataset?.focus;
  render();
  if (focused) document.querySelector(`[data-focus="${CSS.escape(focused)}"]`)?.focus();
}

async function loadThroughput() {
  try {
    const throughput = await api.get(['import-stats', 'throughput'], { window: 300 });
    const complete = throughput.buckets.slice(0, -1);
    const last = complete[complete.length - 1];
    const rate = last ? last.imported / throughput.bucketSeconds : 0;
    clear(
      $('throughput'),
      sparkline(throughput),
      h('span', { class: 'throughput-text', id: 'throughput-rate' }, `${formatRate(rate)} ops/s`, h('span', { class: 'muted' }, ` · ${formatCount(throughput.imported)} imported, ${plural(throughput.errors, 'error')} in 5 min`)),
    );
  } catch (error) {
    if (!api) return;
    clear($('throughput'), h('span', { class: 'muted' }, `Throughput unavailable: ${describe(error)}`));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Containers
// ---------------------------------------------------------------------------------------------------------------

let filterTimer;
$('key-prefix').addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => {
    const prefix = $('key-prefix').value.trim();
    if (prefix !== '' && !KEY_PATTERN.test(prefix)) {
      $('containers-error').textContent = 'A key prefix has only letters, digits, - and _.';
      return;
    }
    view.containers.keyPrefix = prefix;
    view.containers.offset = 0;
    void loadContainers();
  }, 300);
});
$('containers-controls').addEventListener('submit', (event) => event.preventDefault());
$('containers-sort').addEventListener('change', () => {
  view.containers.sort = $('containers-sort').value;
  view.containers.offset = 0;
  void loadContainers();
});
$('containers-prev').addEventListener('click', () => {
  view.containers.offset = Math.max(0, view.containers.offset - PAGE_SIZE);
  void loadContainers();
});
$('containers-next').addEventListener('click', () => {
  if (!lastPage(view.containers.offset, view.containers.total)) view.containers.offset += PAGE_SIZE;
  void loadContainers();
});

async function loadContainers() {
  const { offset, sort, keyPrefix } = view.containers;
  try {
    const page = await api.get(['import-stats', 'containers'], { limit: PAGE_SIZE, offset, sort, keyPrefix });
    if (!api || view.containers.offset !== offset || view.containers.keyPrefix !== keyPrefix || view.containers.sort !== sort) return; // a newer request is on its way
    view.containers.total = page.total;
    $('containers-error').textContent = '';
    keepingFocus(() => renderContainers(page));
  } catch (error) {
    if (api) $('containers-error').textContent = describe(error);
  }
}

function renderContainers(page) {
  const body = $('containers-table').tBodies[0];
  const rows = page.results.map((container) => {
    const { status } = container;
    return h(
      'tr',
      { dataset: { key: container.key, state: status.state } },
      h(
        'td',
        { 'data-label': 'Key' },
        h('button', { type: 'button', class: 'link', 'data-focus': `open:${container.key}`, onclick: () => openDetail(container.key) }, container.key),
        h('div', { class: 'muted small' }, container.resourceType ?? 'any resource type', ' · created ', formatTime(container.createdAt)),
      ),
      h('td', { 'data-label': 'State' }, stateBadge(status.state)),
      h('td', { 'data-label': 'Progress' }, progressBar(status)),
      h('td', { 'data-label': 'Actions' }, h('div', { class: 'actions' }, taskButtons(container.key, status.state))),
    );
  });
  clear(body, rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: 4, class: 'empty' }, view.containers.keyPrefix ? `No container key starts with '${view.containers.keyPrefix}'.` : 'This project has no import containers yet.')));
  const { offset, total } = view.containers;
  $('containers-total').textContent = `${formatCount(total)} container${total === 1 ? '' : 's'}`;
  $('containers-page').textContent = total === 0 ? '' : `${formatCount(offset + 1)}–${formatCount(offset + page.results.length)} of ${formatCount(total)}`;
  $('containers-prev').disabled = offset === 0;
  $('containers-next').disabled = lastPage(offset, total);
}

const TASKS = {
  pause: { label: 'Pause', text: (key) => `Pause container '${key}'? It keeps accepting import requests, but none of its operations is processed until it is resumed.`, css: 'secondary' },
  resume: { label: 'Resume', text: (key) => `Resume container '${key}'? Processing continues at once.`, css: 'secondary' },
  cancel: { label: 'Cancel', text: (key) => `Cancel container '${key}'? Every operation not yet imported ends canceled and the container accepts no new requests. This cannot be undone.`, css: 'danger' },
};

function taskButtons(key, state) {
  if (state === 'canceled') return h('span', { class: 'muted' }, 'canceled');
  // As the server allows them: cancel only while something is not final; resume only when paused.
  const tasks = state === 'paused' ? ['resume', 'cancel'] : state === 'finished' || state === 'finishedWithErrors' ? ['pause'] : ['pause', 'cancel'];
  return tasks.map((task) =>
    h('button', { type: 'button', class: `button small ${TASKS[task].css}`, 'data-focus': `${task}:${key}`, 'aria-label': `${TASKS[task].label} container ${key}`, onclick: () => runTask(key, task) }, TASKS[task].label),
  );
}

function confirmDialog(title, text, confirmLabel) {
  const dialog = $('confirm-dialog');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  $('confirm-no').focus();
  return new Promise((resolve) => dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true }));
}

async function runTask(key, task) {
  const returnFocus = document.activeElement?.dataset?.focus;
  const confirmed = await confirmDialog(`${TASKS[task].label} container`, TASKS[task].text(key), `${TASKS[task].label} container`);
  if (returnFocus) document.querySelector(`[data-focus="${CSS.escape(returnFocus)}"]`)?.focus();
  if (!confirmed || !api) return;
  const target = view.detail?.key === key ? $('detail-error') : $('containers-error');
  try {
    await api.post(['import-containers', key, 'tasks'], { task });
    target.textContent = '';
  } catch (error) {
    target.textContent = `${TASKS[task].label} failed: ${describe(error)}`;
  }
  await refresh();
}

// ---------------------------------------------------------------------------------------------------------------
// One container: status, summary chart, operations by state, file imports
// ---------------------------------------------------------------------------------------------------------------

function openDetail(key) {
  view.detail = { key, offset: 0, state: '', total: 0 };
  $('operations-state').value = '';
  $('detail-title').textContent = `Container ${key}`;
  $('detail-error').textContent = '';
  for (const id of ['detail-status', 'detail-summary', 'file-imports']) clear($(id));
  clear($('operations-table').tBodies[0]);
  $('containers-view').hidden = true;
  $('detail-view').hidden = false;
  $('detail-view').focus();
  void loadDetail();
}

$('detail-close').addEventListener('click', () => {
  const key = view.detail?.key;
  view.detail = undefined;
  $('detail-view').hidden = true;
  $('containers-view').hidden = false;
  void loadContainers().then(() => document.querySelector(`[data-focus="${CSS.escape(`open:${key}`)}"]`)?.focus());
});
$('operations-state').addEventListener('change', () => {
  if (!view.detail) return;
  view.detail.state = $('operations-state').value;
  view.detail.offset = 0;
  void loadOperations();
});
$('operations-prev').addEventListener('click', () => {
  if (!view.detail) return;
  view.detail.offset = Math.max(0, view.detail.offset - PAGE_SIZE);
  void loadOperations();
});
$('operations-next').addEventListener('click', () => {
  if (!view.detail || lastPage(view.detail.offset, view.detail.total)) return;
  view.detail.offset += PAGE_SIZE;
  void loadOperations();
});

async function loadDetail() {
  const key = view.detail?.key;
  if (!key) return;
  try {
    const [status, summary] = await Promise.all([api.get(['import-containers', key, 'status']), api.get(['import-containers', key, 'import-summaries'])]);
    if (view.detail?.key !== key) return;
    $('detail-error').textContent = '';
    keepingFocus(() => renderDetailStatus(key, status, summary));
  } catch (error) {
    if (api && view.detail?.key === key) $('detail-error').textContent = error instanceof ApiError && error.status === 404 ? `Container '${key}' no longer exists.` : describe(error);
    return;
  }
  await Promise.all([loadOperations(), loadFileImports()]);
}

function renderDetailStatus(key, status, summary) {
  const times = [
    ['Started', status.startedAt],
    ['Last processed', status.lastProcessedAt],
    ['Finished', status.finishedAt],
    ['Paused', status.pausedAt],
    ['Canceled', status.canceledAt],
  ].filter(([, value]) => value);
  clear(
    $('detail-status'),
    h('div', { class: 'status-line' }, stateBadge(status.state), h('span', { class: 'actions' }, taskButtons(key, status.state))),
    progressBar(status),
    times.length > 0 ? h('dl', { class: 'times' }, times.map(([label, value]) => [h('dt', {}, label), h('dd', {}, formatTime(value))])) : undefined,
  );
  clear($('detail-summary'), summaryDonut(summary));
}

async function loadOperations() {
  const detail = view.detail;
  if (!detail) return;
  const { key, offset, state } = detail;
  try {
    const page = await api.get(['import-containers', key, 'import-operations'], { limit: PAGE_SIZE, offset, state, debug: true, sort: 'createdAt desc' });
    if (view.detail !== detail || detail.offset !== offset || detail.state !== state) return;
    detail.total = page.total;
    keepingFocus(() => renderOperations(page, detail));
  } catch (error) {
    if (api && view.detail === detail) $('detail-error').textContent = describe(error);
  }
}

function problems(operation) {
  const items = [];
  for (const error of operation.errors ?? []) {
    items.push(h('li', { class: 'problem error-text' }, h('strong', {}, error.code ?? 'Error'), error.field ? ` (${error.field})` : '', ': ', error.message ?? ''));
  }
  for (const reference of operation.unresolvedReferences ?? []) {
    items.push(h('li', { class: 'problem' }, h('strong', {}, 'Unresolved'), `: ${reference.typeId} '${reference.key}'`));
  }
  if (items.length === 0) return h('span', { class: 'muted' }, '—');
  return h(
    'div',
    {},
    h('ul', { class: 'problems' }, items),
    operation.errors?.length ? h('details', { class: 'raw' }, h('summary', { 'data-focus': `raw:${operation.id}` }, 'Error details'), h('pre', {}, JSON.stringify(operation.errors, null, 2))) : undefined,
  );
}

function renderOperations(page, detail) {
  const rows = page.results.map((operation) =>
    h(
      'tr',
      { dataset: { operation: operation.id, state: operation.state } },
      h('td', { 'data-label': 'Resource key' }, h('code', {}, operation.resourceKey)),
      h('td', { 'data-label': 'State' }, operation.state),
      h('td', { 'data-label': 'Problems' }, problems(operation)),
      h('td', { 'data-label': 'Modified' }, formatTime(operation.lastModifiedAt)),
    ),
  );
  // Open "Error details" disclosures stay open across refreshes.
  const open = new Set([...$('operations-table').querySelectorAll('details[open]')].map((d) => d.closest('tr')?.dataset.operation));
  clear($('operations-table').tBodies[0], rows.length > 0 ? rows : h('tr', {}, h('td', { colspan: 4, class: 'empty' }, detail.state ? `No operation is ${detail.state}.` : 'No operations.')));
  for (const row of $('operations-table').tBodies[0].rows) if (open.has(row.dataset.operation)) row.querySelector('details')?.setAttribute('open', '');
  $('operations-page').textContent = page.total === 0 ? '' : `${formatCount(detail.offset + 1)}–${formatCount(detail.offset + page.results.length)} of ${formatCount(page.total)}`;
  $('operations-prev').disabled = detail.offset === 0;
  $('operations-next').disabled = lastPage(detail.offset, page.total);
}

async function loadFileImports() {
  const detail = view.detail;
  if (!detail) return;
  let page;
  try {
    page = await api.get(['import-containers', detail.key, 'file-imports'], { limit: 10, sort: 'createdAt desc' }).catch((error) => {
      // A server whose file imports sort by other fields: the default order will do.
      if (error instanceof ApiError && error.status === 400) return api.get(['import-containers', detail.key, 'file-imports'], { limit: 10 });
      throw error;
    });
  } catch (error) {
    if (view.detail !== detail) return;
    const text = error instanceof ApiError && error.status === 404 ? 'File imports are not available on this server.' : `File imports: ${describe(error)}`;
    clear($('file-imports'), h('p', { class: 'muted' }, text));
    return;
  }
  if (view.detail !== detail) return;
  keepingFocus(() => renderFileImports(page));
}

const FILE_COUNTS = ['rows', 'accepted', 'invalid', 'imported', 'failed', 'destroyed'];

function renderFileImports(page) {
  const open = new Set([...$('file-imports').querySelectorAll('details[open]')].map((d) => d.dataset.fileImport));
  if (page.results.length === 0) {
    clear($('file-imports'), h('p', { class: 'muted' }, 'No file imports into this container.'));
    return;
  }
  const items = page.results.map((job) => {
    const errors = job.errors ?? [];
    const errorsTotal = job.errorsTotal ?? errors.length;
    const log =
      errorsTotal > 0
        ? h(
            'details',
            { class: 'error-log', dataset: { fileImport: job.id }, open: open.has(job.id) },
            h('summary', { 'data-focus': `log:${job.id}` }, `Error log: ${formatCount(errorsTotal)} error${errorsTotal === 1 ? '' : 's'}${errorsTotal > errors.length ? ` (first ${formatCount(errors.length)} shown)` : ''}`),
            h(
              'table',
              { class: 'compact' },
              h('thead', {}, h('tr', {}, ['Row', 'Key', 'Field', 'Code', 'Message'].map((name) => h('th', { scope: 'col' }, name)))),
              h('tbody', {}, errors.map((e) => h('tr', {}, h('td', {}, e.row ?? ''), h('td', {}, e.key ?? ''), h('td', {}, e.field ?? ''), h('td', {}, e.code ?? ''), h('td', {}, e.message ?? '')))),
            ),
          )
        : undefined;
    return h(
      'li',
      { class: 'file-import', dataset: { fileImport: job.id } },
      h('div', { class: 'status-line' }, h('span', { class: 'badge badge-neutral' }, job.state), h('strong', {}, `${job.resourceType ?? ''} · ${job.format ?? ''}`), job.dryRun ? h('span', { class: 'muted' }, 'dry run') : undefined, h('span', { class: 'muted small' }, formatTime(job.createdAt), ' · ', h('code', {}, job.id))),
      h('dl', { class: 'counts' }, FILE_COUNTS.map((name) => [h('dt', {}, name), h('dd', {}, formatCount(job.counts?.[name] ?? 0))])),
      log,
    );
  });
  clear($('file-imports'), h('ul', { class: 'file-imports' }, items), page.total > page.results.length ? h('p', { class: 'muted' }, `The newest ${page.results.length} of ${formatCount(page.total)} file imports.`) : undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Events: the last events, then live over SSE (or every few seconds when the server has no stream)
// ---------------------------------------------------------------------------------------------------------------

function setEventsState(text) {
  $('events-state').textContent = text;
}

function addEvents(events) {
  const known = new Set(view.events.items.map((e) => e.sequenceNumber));
  const fresh = events.filter((e) => typeof e?.sequenceNumber === 'number' && !known.has(e.sequenceNumber));
  if (fresh.length === 0) return false;
  view.events.items = [...fresh, ...view.events.items].sort((a, b) => b.sequenceNumber - a.sequenceNumber).slice(0, MAX_EVENTS);
  const newest = view.events.items[0]?.sequenceNumber;
  if (newest !== undefined && (view.events.lastId === undefined || newest > Number(view.events.lastId))) view.events.lastId = String(newest);
  renderEvents();
  return true;
}

function renderEvents() {
  clear(
    $('events-list'),
    view.events.items.map((event) =>
      h(
        'li',
        { dataset: { sequence: event.sequenceNumber, type: event.type } },
        h('span', { class: 'event-type' }, event.type),
        ' ',
        h('span', {}, event.resource?.key ?? event.resource?.id ?? ''),
        h('div', { class: 'muted small' }, formatTime(event.createdAt), event.actor ? ` · by ${event.actor}` : ''),
      ),
    ),
  );
}

async function startEvents() {
  const session = api;
  try {
    const page = await session.get(['import-events'], { limit: 30 });
    if (api !== session) return;
    addEvents(page.results ?? []);
    if (view.events.items.length === 0) renderEvents();
  } catch (error) {
    if (api !== session) return;
    if (error instanceof ApiError && error.status === 404) {
      view.events.mode = 'unavailable';
      setEventsState('not available on this server');
      clear($('events-list'), h('li', { class: 'muted' }, 'This server records no events yet.'));
    } else setEventsState(describe(error));
    return;
  }
  stopStream = followEventStream({
    url: session.path('import-events', 'stream'),
    headers: () => session.headers(),
    lastEventId: view.events.lastId,
    onEvent: (message) => {
      try {
        if (addEvents([JSON.parse(message.data)])) refreshSoon();
      } catch {
        // not an event of ours
      }
    },
    onState: (state) => {
      if (api !== session) return;
      if (state === 'live') setEventsState('live');
      else if (state === 'connecting' || state === 'retrying') setEventsState(state === 'retrying' ? 'reconnecting…' : 'connecting…');
      else if (state === 'unauthorized') signOut('Your session has ended (the token expired or was revoked): sign in again.');
      else if (state === 'unavailable') pollEvents(session);
    },
  });
}

/** Without a stream: the newest events every REFRESH_MS. */
function pollEvents(session) {
  setEventsState(`updated every ${REFRESH_MS / 1000} s`);
  const poll = setInterval(async () => {
    if (api !== session) return clearInterval(poll);
    if (document.hidden) return;
    try {
      const page = await session.get(['import-events'], { limit: 30 });
      if (addEvents(page.results ?? [])) refreshSoon();
    } catch {
      // the next poll tries again
    }
  }, REFRESH_MS);
  stopStream = () => clearInterval(poll);
}
