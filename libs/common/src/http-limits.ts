import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { INPUT_LIMITS } from './input-limits';

/** A complete HTTP/1.1 error response in the commercetools ErrorResponse shape, for writing straight to a socket. */
export function rawErrorResponse(statusCode: number, reason: string, message: string): string {
  const body = JSON.stringify({ statusCode, message, errors: [{ code: 'InvalidInput', message }] });
  return `HTTP/1.1 ${statusCode} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/**
 * Bytes each connection received before the end of its first request line (deleted once it ended): the parser's
 * header overflow counts the request line too, so this tells an over-long URL (414) from over-long headers (431).
 */
const firstLineBytes = new WeakMap<Socket, number>();

function watchFirstLine(socket: Socket): void {
  firstLineBytes.set(socket, 0);
  const onData = (chunk: Buffer | string) => {
    const seen = firstLineBytes.get(socket);
    if (seen === undefined) return;
    const end = chunk.indexOf('\r\n');
    if (end >= 0) {
      firstLineBytes.delete(socket);
      socket.off('data', onData);
    } else firstLineBytes.set(socket, seen + chunk.length);
  };
  socket.on('data', onData);
}

/** What Node's parser rejected, as status, reason and message (HPE_* codes of llhttp). */
function describeClientError(error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket, limits: typeof INPUT_LIMITS): [number, string, string] {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': {
      // Node's parser saw the failing chunk before our data listener: add its part of the request line, if any.
      const before = firstLineBytes.get(socket);
      const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : undefined;
      const inPacket = packet ? (packet.indexOf('\r\n') >= 0 ? packet.indexOf('\r\n') : packet.length) : 0;
      if (before !== undefined && before + inPacket > limits.maxUrlLength) {
        return [414, 'URI Too Long', `The request URL exceeds the limit of ${limits.maxUrlLength} characters.`];
      }
      return [431, 'Request Header Fields Too Large', `The request headers exceed the limit of ${limits.maxHeaderBytes} bytes.`];
    }
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return [413, 'Payload Too Large', 'The chunk extensions of the request body are too large.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request Timeout', 'The request was not received in time.'];
    default:
      return [400, 'Bad Request', 'The request is not valid HTTP.'];
  }
}

/**
 * Makes the HTTP server answer what its parser rejects (over-long URLs and headers, malformed requests) with a
 * commercetools ErrorResponse instead of Node's bare status line, and raises the parser's header limit above ours
 * so that most over-long requests reach the application, which answers 414 / 431 itself (see create-app.ts).
 */
export function applyHttpServerLimits(server: Server, limits: typeof INPUT_LIMITS = INPUT_LIMITS): void {
  // Read by Node for each new connection (http.Server's `maxHeaderSize` option, settable after creation).
  (server as Server & { maxHeaderSize?: number }).maxHeaderSize = limits.parserMaxHeaderSize;
  server.on('connection', watchFirstLine);
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable || socket.bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const [status, reason, message] = describeClientError(error, socket, limits);
    socket.end(rawErrorResponse(status, reason, message));
  });
}
