/**
 * `import <file>`: uploads a file to a running Berth over HTTP (a file import, SPEC section 8) with an API client's
 * credentials, shows a live progress bar until the job and its operations are final, then a summary table.
 * Exit code 0 when every row was imported, 1 when rows were invalid or failed (or the job failed), 2 for usage errors.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { randomUUID } from 'node:crypto';

export const IMPORT_HELP = (run: string) => `${run} import <file> --project <projectKey> --container <key> --type <resourceType>
       [--mapping <mapping.json>] [--format csv|json|ndjson|xml] [--delimiter <c>] [--no-header] [--encoding utf-8|utf-16le|latin1]
       [--error-policy skipFailedRows|rejectAll] [--dry-run] [--url <base URL>] [--client-id <id> --client-secret <secret>]
    Uploads the file as a file import through the HTTP API (BERTH_URL, default http://localhost:8080; credentials
    from BERTH_CLIENT_ID / BERTH_CLIENT_SECRET or the flags; the container is created when missing) and shows a
    progress bar (rows sent, accepted, imported, errors) until the job and its operations finish, then a summary.
    Exit code 0 when every row was imported, 1 otherwise.`;

export class ImportUsageError extends Error {}

interface FileImportView {
  id: string;
  state: string;
  reference?: string;
  counts: { rows: number; accepted: number; invalid: number; imported: number; failed: number; destroyed: number };
  errors: Array<{ row: number; key?: string; field?: string; code: string; message: string }>;
  errorsTotal: number;
}

const FORMAT_BY_EXTENSION: Record<string, string> = { '.csv': 'csv', '.json': 'json', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.xml': 'xml' };
const CONTENT_TYPES: Record<string, string> = { csv: 'text/csv', json: 'application/json', ndjson: 'application/x-ndjson', xml: 'application/xml' };
const FINAL = new Set(['completed', 'failed', 'canceled', 'awaitingConfirm']);

function flag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new ImportUsageError(`${name} needs a value`);
  return value;
}

function required(args: string[], name: string): string {
  const value = flag(args, name);
  if (value === undefined) throw new ImportUsageError(`import needs ${name}`);
  return value;
}

/** Renders the progress: a bar over the rows settled (or the bytes sent while uploading) and the counts. */
export function progressLine(phase: string, fraction: number, view: Pick<FileImportView, 'counts' | 'errorsTotal'> | undefined, sentBytes: number): string {
  const width = 24;
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  const counts = view?.counts;
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${phase.padEnd(9)} ` +
    `sent ${formatBytes(sentBytes)} · rows ${counts?.rows ?? 0} · accepted ${counts?.accepted ?? 0} · imported ${counts?.imported ?? 0} · failed ${counts?.failed ?? 0} · errors ${view?.errorsTotal ?? 0}`
  );
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The summary table printed at the end. */
export function summaryTable(view: FileImportView): string {
  const rows: Array<[string, string | number]> = [
    ['file import', view.id],
    ['state', view.state],
    ['rows', view.counts.rows],
    ['accepted', view.counts.accepted],
    ['invalid', view.counts.invalid],
    ['imported', view.counts.imported],
    ['failed', view.counts.failed],
    ['destroyed', view.counts.destroyed],
    ['errors', view.errorsTotal],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const valueWidth = Math.max(...rows.map(([, value]) => String(value).length));
  const line = `+${'-'.repeat(width + 2)}+${'-'.repeat(valueWidth + 2)}+`;
  const body = rows.map(([name, value]) => `| ${name.padEnd(width)} | ${String(value).padStart(valueWidth)} |`);
  const errors = view.errors.slice(0, 10).map((error) => `  row ${error.row}${error.key ? ` (${error.key})` : ''}${error.field ? ` ${error.field}` : ''}: ${error.message}`);
  return [line, ...body, line, ...(errors.length > 0 ? ['first errors:', ...errors] : [])].join('\n');
}

export async function runImportCommand(args: string[], out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } } = process): Promise<number> {
  const file = args[0];
  if (!file || file.startsWith('--')) throw new ImportUsageError('import needs a file, e.g. import examples/products.csv --project demo --container c1 --type product-draft');
  const project = required(args, '--project');
  const container = required(args, '--container');
  const resourceType = required(args, '--type');
  const base = (flag(args, '--url') ?? process.env.BERTH_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
  const clientId = flag(args, '--client-id') ?? process.env.BERTH_CLIENT_ID;
  const clientSecret = flag(args, '--client-secret') ?? process.env.BERTH_CLIENT_SECRET;
  if (!clientId || !clientSecret) throw new ImportUsageError('import needs API client credentials: --client-id and --client-secret (or BERTH_CLIENT_ID / BERTH_CLIENT_SECRET)');
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new ImportUsageError(`cannot read ${file}`);
  }
  const format = flag(args, '--format') ?? FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
  if (!format || !CONTENT_TYPES[format]) throw new ImportUsageError(`cannot tell the format of ${file}: give --format csv|json|ndjson|xml`);
  const reference = `cli-${randomUUID()}`;
  const query = new URLSearchParams({ resourceType, format, reference, referenceOrigin: 'berth-cli' });
  const mappingFile = flag(args, '--mapping');
  if (mappingFile) {
    try {
      query.set('mapping', JSON.stringify(JSON.parse(readFileSync(mappingFile, 'utf8'))));
    } catch {
      throw new ImportUsageError(`${mappingFile} is not a readable JSON mapping`);
    }
  }
  for (const [name, option] of [
    ['--delimiter', 'delimiter'],
    ['--encoding', 'encoding'],
    ['--error-policy', 'errorPolicy'],
  ] as const) {
    const value = flag(args, name);
    if (value !== undefined) query.set(option, value);
  }
  if (args.includes('--no-header')) query.set('header', 'false');
  if (args.includes('--dry-run')) query.set('dryRun', 'true');

  // Token (client credentials), then the container (created when missing).
  const tokenResponse = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  if (tokenResponse.status !== 200) throw new ImportUsageError(`the token request failed (${tokenResponse.status}): check the client credentials`);
  const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
  const auth = { Authorization: `Bearer ${token}` };
  const containerUrl = `${base}/${encodeURIComponent(project)}/import-containers/${encodeURIComponent(container)}`;
  const existing = await fetch(containerUrl, { headers: auth });
  if (existing.status === 404) {
    const created = await fetch(`${base}/${encodeURIComponent(project)}/import-containers`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ key: container }) });
    if (created.status !== 201) throw new ImportUsageError(`cannot create the container ${container}: ${created.status} ${await created.text()}`);
    out.stderr.write(`created import container ${container}\n`);
  } else if (existing.status !== 200) {
    throw new ImportUsageError(`cannot read the container ${container}: ${existing.status} ${await existing.text()}`);
  }

  const tty = Boolean(out.stderr.isTTY);
  let lastLine = '';
  const show = (line: string) => {
    if (line === lastLine) return;
    lastLine = line;
    out.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };

  // Upload, streamed from disk; while it runs, the job is found by its reference and its staging shown.
  let sent = 0;
  let latest: FileImportView | undefined;
  const uploadUrl = new URL(`${containerUrl}/file-imports?${query.toString()}`);
  const uploaded = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const transport = uploadUrl.protocol === 'https:' ? https : http;
    const request = transport.request(uploadUrl, { method: 'POST', headers: { ...auth, 'Content-Type': CONTENT_TYPES[format], 'Content-Length': String(size) } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    const stream = createReadStream(file);
    stream.on('data', (chunk) => (sent += chunk.length));
    stream.pipe(request);
  });
  let answered = false;
  void uploaded.finally(() => (answered = true)).catch(() => undefined);
  while (!answered) {
    const list = await fetch(`${containerUrl}/file-imports?sort=createdAt+desc&limit=20`, { headers: auth }).catch(() => undefined);
    if (list?.status === 200) {
      const found = ((await list.json()) as { results: FileImportView[] }).results.find((job) => job.reference === reference);
      if (found) latest = found;
    }
    show(progressLine('uploading', size > 0 ? sent / size : 1, latest, sent));
    await Promise.race([uploaded.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 200))]);
  }
  const answer = await uploaded;
  if (answer.status !== 200 && answer.status !== 202) {
    if (tty) out.stderr.write('\n');
    out.stderr.write(`the upload was refused (${answer.status}): ${answer.body}\n`);
    return 1;
  }
  let view = JSON.parse(answer.body) as FileImportView;
  const settledFraction = (v: FileImportView) => (v.counts.rows === 0 ? 1 : (v.counts.imported + v.counts.failed + v.counts.invalid) / v.counts.rows);
  for (;;) {
    show(progressLine(view.state, FINAL.has(view.state) ? 1 : settledFraction(view), view, sent));
    if (FINAL.has(view.state)) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
    const polled = await fetch(`${containerUrl}/file-imports/${view.id}`, { headers: auth });
    if (polled.status === 200) view = (await polled.json()) as FileImportView;
  }
  if (tty) out.stderr.write('\n');
  out.stdout.write(`${summaryTable(view)}\n`);
  const clean = (view.state === 'completed' || view.state === 'awaitingConfirm') && view.counts.invalid === 0 && view.counts.failed === 0;
  return clean ? 0 : 1;
}
