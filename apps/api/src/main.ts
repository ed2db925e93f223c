import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ensureDevClient } from '../../../libs/auth/src';
import { loadConfigOrExit } from '../../../libs/config/src';
import { openDatabase } from '../../../libs/database/src';
import { createApp } from './create-app';

function printDevClient(port: number, projectKey: string, clientId: string, clientSecret: string): void {
  const url = `http://localhost:${port}`;
  process.stdout.write(
    [
      '',
      `A development API client for project '${projectKey}' was created (shown only this once):`,
      `  client id:     ${clientId}`,
      `  client secret: ${clientSecret}`,
      `  scope:         manage_project:${projectKey}`,
      '',
      'Get a token and create an import container:',
      `  TOKEN=$(curl -s -u '${clientId}:${clientSecret}' -d grant_type=client_credentials ${url}/oauth/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"key":"my-container"}' ${url}/${projectKey}/import-containers`,
      '',
    ].join('\n') + '\n',
  );
}

/** Error codes after which the process cannot usefully go on (no port, no memory): exit and let the supervisor restart it. */
const FATAL_CODES = new Set(['EADDRINUSE', 'EADDRNOTAVAIL', 'EACCES', 'ENOMEM', 'ERR_WORKER_OUT_OF_MEMORY']);

/** The error's name, code and message (stack for errors), with any credentials in a postgres URL masked. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}${(error as { code?: unknown }).code ? ` [${String((error as { code?: unknown }).code)}]` : ''}: ${error.stack ?? error.message}` : String(error);
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

/**
 * The process-level safety net (SPEC 11: no input ends the process).
 * - unhandledRejection: a promise nobody awaited failed (typically a database call during an outage);
 *   the request or batch it belonged to has already answered or will be retried, so log and go on.
 * - uncaughtException: log; keep running, because all durable state lives in Postgres and every change
 *   is transactional (an exception cannot leave anything half-applied), while exiting would turn one stray
 *   error (e.g. a socket error event) into an outage of every request on this process. Exit only when it
 *   is clearly fatal: the process cannot listen or allocate (FATAL_CODES).
 */
function installSafetyNet(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.error(`unhandled promise rejection (continuing): ${describeError(reason)}`);
  });
  process.on('uncaughtException', (error) => {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && FATAL_CODES.has(code)) {
      logger.fatal(`fatal uncaught exception, exiting: ${describeError(error)}`);
      process.exit(1);
    }
    logger.error(`uncaught exception (continuing): ${describeError(error)}`);
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new Logger('Berth');
  installSafetyNet(logger);
  const started = Date.now();
  let database;
  try {
    database = await openDatabase(config, (message) => logger.log(message));
  } catch (error) {
    logger.error(`database start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const db = database;
  try {
    const app = await createApp(config, db.dataSource);
    let shuttingDown = false;
    const shutdown = async (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.log(`${signal} received: finishing in-flight work and shutting down`);
      try {
        await app.close();
      } finally {
        await db.close();
        process.exit(0);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    await app.listen(config.port, config.host);
    const devClient = db.embedded ? await ensureDevClient(db.dataSource, config.devClientProject) : undefined;
    logger.log(`Berth listening on http://localhost:${config.port} (${db.embedded ? 'embedded Postgres' : 'DATABASE_URL'}), ready in ${Date.now() - started} ms`);
    logger.log(`API docs: http://localhost:${config.port}/docs   health: /health   clients: npm run --silent cli -- clients:create --scope "manage_project:<key>"`);
    if (devClient) printDevClient(config.port, config.devClientProject, devClient.clientId, devClient.clientSecret);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    await db.close();
    process.exit(1);
  }
}

void main();
