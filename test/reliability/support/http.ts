/** Plain HTTP against a Berth process, as an integrator's client sees it. */
export interface Answer {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** A value to send as JSON. */
  json?: unknown;
  /** A raw body (sent with Content-Type: application/json unless headers say otherwise). */
  raw?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** Sends one request; throws only when no answer arrives (connection refused, reset, timeout). */
export async function send(base: string, method: string, path: string, options: RequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) body = JSON.stringify(options.json);
  if (options.raw !== undefined) body = options.raw;
  if (body !== undefined && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) });
  const text = await res.text();
  let parsed: unknown = text === '' ? undefined : text;
  try {
    if (text !== '') parsed = JSON.parse(text) as unknown;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A client-credentials token. */
export async function fetchToken(base: string, client: { clientId: string; clientSecret: string }, scope?: string): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** Why `answer` is not a commercetools ErrorResponse `{statusCode, message, errors:[{code, message}]}`, or undefined when it is. */
export function errorResponseProblem(answer: Answer): string | undefined {
  const body = answer.body as { statusCode?: unknown; message?: unknown; errors?: unknown } | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `body is not a JSON object: ${answer.text.slice(0, 200)}`;
  if (body.statusCode !== answer.status) return `statusCode ${String(body.statusCode)} differs from HTTP status ${answer.status}`;
  if (typeof body.message !== 'string') return 'message is not a string';
  if (!Array.isArray(body.errors) || body.errors.length === 0) return 'errors is not a non-empty array';
  for (const error of body.errors as Array<{ code?: unknown; message?: unknown }>) {
    if (!error || typeof error.code !== 'string' || typeof error.message !== 'string') return `error entry without code/message: ${JSON.stringify(error).slice(0, 200)}`;
  }
  return undefined;
}

export const firstErrorCode = (answer: Answer): string | undefined => ((answer.body as { errors?: Array<{ code?: string }> } | undefined)?.errors ?? [])[0]?.code;

/** Operation ids of a 201 ImportResponse. */
export const operationIds = (answer: Answer): string[] => ((answer.body as { operationStatus?: Array<{ operationId: string }> }).operationStatus ?? []).map((status) => status.operationId);
