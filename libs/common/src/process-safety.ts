import type { Logger } from '@nestjs/common';
import { maskSecrets } from './logging';

/** Error codes after which a process cannot usefully go on (no port, no memory): exit and let the supervisor restart it. */
const FATAL_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOMEM', 'ERR_WORKER_OUT_OF_MEMORY']);

/** The error's name, code and message (stack for errors), with any credentials in a postgres URL masked. */
export function describeError(error: unknown): string {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const text = error instanceof Error ? `${error.name}${code ? ` [${String(code)}]` : ''}: ${error.stack ?? error.message}` : String(error);
  return maskSecrets(text);
}

/**
 * The process-level safety net of the API and the worker (SPEC 11: no input ends the process).
 * - unhandledRejection: a promise nobody awaited failed (typically a database call during an outage);
 *   the request or batch it belonged to has already answered or will be retried, so log and go on.
 * - uncaughtException: log; keep running, because all durable state lives in Postgres and every change
 *   is transactional (an exception cannot leave anything half-applied), while exiting would turn one stray
 *   error (e.g. a socket error event) into an outage of every request on this process. Exit only when it
 *   is clearly fatal: the process cannot listen or allocate (FATAL_CODES); `stoppedLine` is then the one
 *   line written to stderr.
 */
export function installSafetyNet(logger: Logger, stoppedLine: (error: Error) => string): void {
  process.on('unhandledRejection', (reason) => {
    logger.error(`unhandled promise rejection (continuing): ${describeError(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && FATAL_CODES.has(code)) {
      logger.fatal(`fatal uncaught exception, exiting: ${describeError(error)}`);
      process.stderr.write(`${stoppedLine(error)}\n`);
      process.exit(1);
    }
    logger.error(`uncaught exception (continuing): ${describeError(error)}`);
  });
}
