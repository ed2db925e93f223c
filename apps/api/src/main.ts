import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ensureDevClient } from '../../../libs/auth/src';
import { describeError, describeStartupFailure, exitOnStartupFailure, installSafetyNet, leveledLog, useJsonLogsFromStart } from '../../../libs/common/src';
import { loadConfigOrExit } from '../../../libs/config/src';
import { OpenDatabase, openDatabase } from '../../../libs/database/src';
import { EventStreamsService } from '../../../libs/events/src';
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
      `Or open the dashboard at ${url}/dashboard and sign in with this client id and secret and the project key '${projectKey}'.`,
      '',
    ].join('\n') + '\n',
  );
}

/** Stops accepting connections and waits for in-flight requests (idle keep-alive connections are closed); after `timeoutMs` the rest is cut. */
function drainHttp(server: Server, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), timeoutMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  // JSON logs from the first line (the Nest application takes the same pino logger over once it exists).
  useJsonLogsFromStart(config.logLevel);
  const logger = new Logger('Berth');
  installSafetyNet(logger, (error) => `Berth stopped: ${describeStartupFailure(error)}`);
  const started = Date.now();
  let db: OpenDatabase;
  try {
    db = await openDatabase(config, leveledLog(logger));
  } catch (error) {
    exitOnStartupFailure(error);
  }
  let app: NestExpressApplication | undefined;
  let port = config.port;
  try {
    app = await createApp(config, db.dataSource);
    const application = app;
    let shuttingDown = false;
    // Shutdown order: HTTP drained (no request is cut off mid-way) → processor stopped, unsettled claims
    // released (app.close() runs the shutdown hooks) → pool closed → embedded Postgres stopped (db.close()).
    // The embedded Postgres runs in its own process group, so a terminal's Ctrl-C does not stop it first.
    const shutdown = async (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.log(`${signal} received: finishing in-flight requests and batches, then shutting down`);
      let code = 0;
      try {
        // Open event streams never end by themselves: end them first, or the drain would wait for its timeout.
        application.get(EventStreamsService).closeAll();
        await drainHttp(application.getHttpServer() as Server, 15_000);
        await application.close();
      } catch (error) {
        code = 1;
        logger.error(`shutdown: ${describeError(error)}`);
      } finally {
        await db.close().catch((error: unknown) => {
          code = 1;
          logger.error(`shutdown: stopping the database failed: ${describeError(error)}`);
        });
        logger.log('stopped');
        process.exit(code);
      }
    };
    // on, not once: the same signal often arrives twice (the terminal's process group, and npm forwarding it);
    // a repeat must not kill the process before it has stopped Postgres.
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGINT', () => void shutdown('SIGINT'));
    await app.listen(config.port, config.host);
    port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
    const devClient = db.embedded ? await ensureDevClient(db.dataSource, config.devClientProject) : undefined;
    logger.log(`Berth listening on http://localhost:${port} (${db.description}), ready in ${Date.now() - started} ms`);
    logger.log(`API docs: http://localhost:${port}/docs   dashboard: /dashboard   health: /health   clients: npm run --silent cli -- clients:create --scope "manage_project:<key>"`);
    if (devClient) printDevClient(port, config.devClientProject, devClient.clientId, devClient.clientSecret);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    exitOnStartupFailure(error, { port: config.port, host: config.host });
  }
}

void main();
