import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger as NestLogger } from '@nestjs/common';
import { Logger, Params, PinoLogger } from 'nestjs-pino';

/** Structured JSON logs (pino) with a request id per request; credentials never reach the log. */
export function loggerParams(level: string): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w.-]{1,128}$/.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}

/**
 * Makes Nest's static Logger (used before and outside the Nest application) write the same pino JSON as the
 * application, so a process logs JSON from its first line. Call first thing in an entry point.
 */
export function useJsonLogsFromStart(level: string): void {
  NestLogger.overrideLogger(new Logger(new PinoLogger(loggerParams(level)), {}));
}

/** The error's message (or text) with any password in a postgres URL masked. */
export function maskSecrets(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

/** One line naming why start-up failed, for the common causes a user can fix; otherwise the error's message. */
export function describeStartupFailure(error: unknown, context: { port?: number; host?: string; portVariable?: string } = {}): string {
  const err = error as { code?: unknown; syscall?: unknown; port?: unknown; address?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const port = typeof err?.port === 'number' ? err.port : context.port;
  const variable = context.portVariable ?? 'PORT';
  if (code === 'EADDRINUSE') return `port ${port} is already in use (set ${variable})`;
  if (code === 'EACCES' && err?.syscall === 'listen') return `no permission to listen on port ${port} (set ${variable} to a port above 1023)`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${String(err?.address ?? context.host)}: no such local address (set HOST)`;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN') return maskSecrets(`cannot reach the database (${code}): ${message}; check DATABASE_URL`);
  if (code === '28P01') return 'the database rejected the password in DATABASE_URL';
  if (code === '3D000') return maskSecrets(`${message} (check the database name in DATABASE_URL)`);
  return maskSecrets(message || String(error));
}

/** Prints `<product> could not start: <cause>` to stderr (synchronously, whatever the logger buffers) and exits 1. */
export function exitOnStartupFailure(error: unknown, context: { product?: string; port?: number; host?: string; portVariable?: string } = {}): never {
  process.stderr.write(`${context.product ?? 'Berth'} could not start: ${describeStartupFailure(error, context)}\n`);
  process.exit(1);
}

/** A `(message, level)` callback (the database bootstrap's) writing to a Nest logger at that level; level defaults to info. */
export function leveledLog(logger: NestLogger): (message: string, level?: 'error' | 'warn' | 'info' | 'debug') => void {
  return (message, level = 'info') => {
    if (level === 'error') logger.error(message);
    else if (level === 'warn') logger.warn(message);
    else if (level === 'debug') logger.debug(message);
    else logger.log(message);
  };
}
