/**
 * Connection-level database failures: the database is unreachable, restarting, refusing connections or
 * dropped the connection. They say nothing about the request, so the API answers 503 (with Retry-After)
 * and the processor retries without counting an attempt.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** SQLSTATEs: class 08 (connection exception) is matched by prefix. */
const SQLSTATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down, in recovery)
  '53300', // too_many_connections
]);
/** Messages of pg / pg-pool / TypeORM without a code. */
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|connection error and is not queryable|Client was closed and is not queryable|Cannot use a pool after calling end|Connection is not established with Postgres/i;

interface Candidate {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
  errors?: unknown;
}

export function isConnectionError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const candidate = error as Candidate & { status?: unknown; statusCode?: unknown };
  // HTTP-level errors (body parsers: an aborted request carries ECONNABORTED/ECONNRESET) are about the client.
  if (typeof candidate.status === 'number' || typeof candidate.statusCode === 'number') return false;
  const code = typeof candidate.code === 'string' ? candidate.code : undefined;
  if (code !== undefined && (NETWORK_CODES.has(code) || SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (typeof candidate.message === 'string' && MESSAGES.test(candidate.message)) return true;
  // TypeORM's QueryFailedError wraps the driver's error; Node wraps errors in `cause` and AggregateError.
  if (isConnectionError(candidate.driverError, depth + 1) || isConnectionError(candidate.cause, depth + 1)) return true;
  return Array.isArray(candidate.errors) && candidate.errors.some((inner) => isConnectionError(inner, depth + 1));
}

/** Seconds clients are told to wait (Retry-After) while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
