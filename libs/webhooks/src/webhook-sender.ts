import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { UrlAllowlist } from './url-allowlist';

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** The outcome of one attempt: `ok` for a 2xx answer within the timeout. */
export interface WebhookResult {
  ok: boolean;
  statusCode?: number;
  error?: string;
}

const MAX_ERROR_LENGTH = 500;

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses addresses the allowlist does not allow (CIDR/IP entries, checked at connect time). */
function checkedLookup(allowlist: UrlAllowlist) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const denied = addresses.find((entry) => !allowlist.allowsAddress(entry.address));
      if (denied || addresses.length === 0) {
        const refusal = Object.assign(new Error(`${hostname} resolves to ${denied?.address ?? 'no address'}, which WEBHOOK_URL_ALLOWLIST does not allow`), { code: 'EWEBHOOKDENIED' });
        return callback(refusal, []);
      }
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * POSTs one delivery with node:http(s): no redirects followed (a 3xx is a failure, so a redirect cannot lead past
 * the allowlist), no connection reuse, the whole exchange bounded by `timeoutMs` (AbortController), the response
 * body discarded. Never throws.
 */
export async function sendWebhook(request: WebhookRequest, allowlist: UrlAllowlist): Promise<WebhookResult> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return { ok: false, error: 'The subscription URL is not a valid URL.' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: `The protocol ${url.protocol} is not supported.` };
  const verdict = allowlist.verdict(url);
  if (verdict === 'denied') return { ok: false, error: 'The URL is not allowed by WEBHOOK_URL_ALLOWLIST.' };
  const transport = url.protocol === 'https:' ? https : http;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    return await new Promise<WebhookResult>((resolve) => {
      const req = transport.request(
        url,
        {
          method: 'POST',
          agent: false,
          signal: controller.signal,
          headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)), Connection: 'close' },
          ...(verdict === 'check-address' ? { lookup: checkedLookup(allowlist) as unknown as typeof dnsLookup } : {}),
        },
        (res) => {
          const statusCode = res.statusCode ?? 0;
          // The answer counts once its status line is in; the body is never read (a receiver streaming an
          // endless body must not hold the connection), so the connection is closed right away.
          res.on('error', () => undefined);
          res.destroy();
          if (statusCode >= 200 && statusCode < 300) resolve({ ok: true, statusCode });
          else resolve({ ok: false, statusCode, error: `The receiver answered HTTP ${statusCode}${statusCode >= 300 && statusCode < 400 ? ' (redirects are not followed)' : ''}.` });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const message = controller.signal.aborted ? `No answer within ${request.timeoutMs} ms.` : `${error.code ? `${error.code}: ` : ''}${error.message}`;
        resolve({ ok: false, error: message.slice(0, MAX_ERROR_LENGTH) });
      });
      req.end(request.body);
    });
  } finally {
    clearTimeout(timer);
  }
}
