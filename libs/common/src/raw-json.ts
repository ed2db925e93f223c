import type { IncomingMessage, ServerResponse } from 'node:http';

const RAW_JSON = Symbol('berth.rawJson');

/**
 * body-parser's `verify` hook for JSON bodies: keeps the bytes of a UTF-8 body (after any Content-Encoding is
 * undone), exactly what was parsed into `req.body`. Import requests store their resources from this text instead of
 * serialising the parsed body again.
 */
export function keepRawJson(req: IncomingMessage, _res: ServerResponse, buffer: Buffer, encoding: string): void {
  if (encoding === 'utf-8') (req as unknown as Record<symbol, Buffer>)[RAW_JSON] = buffer;
}

/** The text the request's JSON body was parsed from (without a byte-order mark, as the parser read it), or undefined. */
export function rawJsonOf(req: IncomingMessage): string | undefined {
  const buffer = (req as unknown as Record<symbol, Buffer | undefined>)[RAW_JSON];
  if (!buffer) return undefined;
  const start = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
}
