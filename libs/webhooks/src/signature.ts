import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature of a webhook delivery. */
export const SIGNATURE_HEADER = 'Berth-Signature';

/** `v1` = hex HMAC-SHA256 of `<t>.<raw body>` keyed with the subscription's secret. */
export function signatureV1(secret: string, timestampSeconds: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`).digest('hex');
}

/** The `Berth-Signature` header value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signatureHeader(secret: string, timestampSeconds: number, rawBody: string): string {
  return `t=${timestampSeconds},v1=${signatureV1(secret, timestampSeconds, rawBody)}`;
}

/**
 * What a receiver does (documented in docs/WEBHOOKS.md): parse the header, recompute `v1` over the raw body,
 * compare in constant time, and refuse timestamps older than `toleranceSeconds` (replays).
 */
export function verifySignature(secret: string, rawBody: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = new Map<string, string[]>();
  for (const part of header.split(',')) {
    const [name, ...rest] = part.trim().split('=');
    if (!name || rest.length === 0) continue;
    parts.set(name, [...(parts.get(name) ?? []), rest.join('=')]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signatureV1(secret, t, rawBody), 'hex');
  return (parts.get('v1') ?? []).some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
