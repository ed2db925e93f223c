// The dashboard's only way to the server: the OAuth token endpoint and the project routes, with the bearer token
// held in this module's memory (never in storage, never in a URL).

/** An API answer that is not 2xx, with the ErrorResponse's message when there is one. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    const detail = body && typeof body === 'object' ? (body.errors?.[0]?.message ?? body.message ?? body.error_description) : undefined;
    super(detail || fallback || `The server answered ${status}.`);
    this.status = status;
    this.body = body;
    this.code = body?.errors?.[0]?.code ?? body?.error;
  }
}

async function readBody(response) {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Query string from an object: arrays repeat the name (sort=a&sort=b); undefined, null and '' are left out. */
export function queryString(query = {}) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) if (item !== undefined && item !== null && item !== '') params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export class Api {
  #token = undefined;
  #expiresAt = 0;

  constructor(projectKey, onUnauthorized = () => undefined) {
    this.projectKey = projectKey;
    this.onUnauthorized = onUnauthorized;
  }

  /** client_credentials with HTTP Basic (RFC 6749 section 4.4); the secret is used for this request only. */
  async signIn(clientId, clientSecret) {
    const response = await fetch('/oauth/token', {
      method: 'POST',
      headers: { Authorization: `Basic ${btoa(`${clientId}:${clientSecret}`)}`, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: 'grant_type=client_credentials',
      credentials: 'omit',
      cache: 'no-store',
    });
    const body = await readBody(response);
    if (!response.ok || typeof body?.access_token !== 'string') throw new ApiError(response.status, body, 'The client id or secret is not valid.');
    this.#token = body.access_token;
    this.#expiresAt = Date.now() + Number(body.expires_in ?? 0) * 1000;
    this.scope = String(body.scope ?? '');
    return this;
  }

  signOut() {
    this.#token = undefined;
    this.#expiresAt = 0;
  }

  get signedIn() {
    return this.#token !== undefined;
  }

  get expiresAt() {
    return this.#expiresAt;
  }

  /** Headers of an authenticated request (also used by the event stream). */
  headers(extra = {}) {
    return { Authorization: `Bearer ${this.#token}`, Accept: 'application/json', ...extra };
  }

  /** Path under the project, each segment encoded. */
  path(...segments) {
    return `/${[this.projectKey, ...segments].map((segment) => encodeURIComponent(segment)).join('/')}`;
  }

  async request(method, segments, { query, body, signal } = {}) {
    if (!this.#token) throw new ApiError(401, undefined, 'Not signed in.');
    const response = await fetch(this.path(...segments) + queryString(query), {
      method,
      headers: this.headers(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      signal,
    });
    const parsed = await readBody(response);
    if (response.status === 401) this.onUnauthorized(new ApiError(401, parsed));
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed;
  }

  get(segments, query, options = {}) {
    return this.request('GET', segments, { ...options, query });
  }

  post(segments, body, options = {}) {
    return this.request('POST', segments, { ...options, body });
  }
}
