import type { IncomingMessage, ServerResponse } from 'node:http';
import { CtException } from './errors';
import { INPUT_LIMITS } from './input-limits';

const RAW_JSON = Symbol('berth.rawJson');

/** Bodies above this size are scanned for their nesting before parsing; smaller ones parse fast at any depth. */
const DEPTH_SCAN_BYTES = 64 * 1024;

/**
 * body-parser's `verify` hook for JSON bodies: refuses a large body nested too deep, and keeps the bytes of a UTF-8
 * body (after any Content-Encoding is undone), exactly what was parsed into `req.body`. Import requests store their
 * resources from this text instead of serialising the parsed body again.
 */
export function verifyJsonBody(req: IncomingMessage, _res: ServerResponse, buffer: Buffer, encoding: string): void {
  // A large body nested far too deep is refused before JSON.parse builds it (1 MiB of `[` took it about 250 ms).
  if (buffer.length > DEPTH_SCAN_BYTES && nestingExceeds(buffer, INPUT_LIMITS.maxJsonDepth)) {
    const message = `The JSON body is nested deeper than the limit of ${INPUT_LIMITS.maxJsonDepth} levels.`;
    throw new CtException(400, [{ code: 'InvalidJsonInput', message }], message);
  }
  if (encoding === 'utf-8') (req as unknown as Record<symbol, Buffer>)[RAW_JSON] = buffer;
}

/**
 * Whether the JSON text opens more than `limit` objects/arrays inside each other (outside strings), counted as
 * checkInput counts depth (the root is level 1). One pass over the bytes; malformed JSON is the parser's to report.
 */
export function nestingExceeds(buffer: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < buffer.length; i++) {
    const c = buffer[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** The text the request's JSON body was parsed from (without a byte-order mark, as the parser read it), or undefined. */
export function rawJsonOf(req: IncomingMessage): string | undefined {
  const buffer = (req as unknown as Record<symbol, Buffer | undefined>)[RAW_JSON];
  if (!buffer) return undefined;
  const start = buffer.length >= 3 && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  return buffer.toString('utf8', start);
}
