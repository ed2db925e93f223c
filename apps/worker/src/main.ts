import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { describeError, describeStartupFailure, exitOnStartupFailure, installSafetyNet, leveledLog, useJsonLogsFromStart } from '../../../libs/common/src';
import { loadConfigOrExit } from '../../../libs/config/src';
import { isConnectionError, OpenDatabase, openDatabase } from '../../../libs/database/src';
import { startWorkerHttp } from './worker-http';
import { WorkerModule } from './worker.module';

/** A process that runs only background roles (WORKER_ROLES, default processor,reaper,webhooks); HTTP only for /health and /metrics (WORKER_HTTP_PORT). */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  useJsonLogsFromStart(config.logLevel);
  const logger = new Logger('BerthWorker');
  installSafetyNet(logger, (error) => `Berth worker stopped: ${describeStartupFailure(error, { portVariable: 'WORKER_HTTP_PORT' })}`);
  if (config.workerRoles.length === 0) {
    exitOnStartupFailure(new Error('WORKER_ROLES is none: a worker without roles has nothing to do (set WORKER_ROLES=processor,reaper,webhooks)'), { product: 'Berth worker' });
  }
  // A worker started while the database is unreachable waits for it (retrying with back-off) instead of
  // exiting: workers recover by themselves, as everything else does (SPEC 11). Other start-up errors end it.
  let database: OpenDatabase | undefined;
  for (let attempt = 1, delayMs = 500; !database; attempt++, delayMs = Math.min(delayMs * 2, 5000)) {
    try {
      database = await openDatabase(config, leveledLog(logger));
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      logger.warn(`database unreachable at start-up (attempt ${attempt}), retrying in ${delayMs} ms: ${error instanceof Error ? error.message : String(error)}`);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
  const db = database;
  let http: Server | undefined;
  try {
    const context = await NestFactory.createApplicationContext(WorkerModule.register(config, db.dataSource), { bufferLogs: true, abortOnError: false });
    context.useLogger(context.get(PinoNestLogger));
    await context.init();
    let stopping = false;
    // Shutdown order: health/metrics HTTP closed → processor stopped, unsettled claims released → pool closed → embedded Postgres stopped.
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: finishing the current batch`);
      let code = 0;
      try {
        if (http) {
          const server = http;
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
        await context.close();
      } catch (error) {
        code = 1;
        logger.error(`shutdown: ${describeError(error)}`);
      } finally {
        await db.close().catch(() => (code = 1));
        process.exit(code);
      }
    };
    // on, not once: a repeated signal (process group + npm forwarding it) must not cut the shutdown short.
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    if (config.workerHttpPort !== undefined) {
      const started = await startWorkerHttp(db.dataSource, config.workerHttpPort, config.host, config.workerRoles);
      http = started.server;
      logger.log(`worker health and metrics on http://localhost:${started.port}/health and /metrics`);
    }
    logger.log(`worker running roles: ${config.workerRoles.join(', ')} (${db.description})`);
  } catch (error) {
    http?.close();
    await db.close().catch(() => undefined);
    exitOnStartupFailure(error, { product: 'Berth worker', port: config.workerHttpPort, host: config.host, portVariable: 'WORKER_HTTP_PORT' });
  }
}

// Start-up failures (bad migrations, a taken data directory) end the process with one line on stderr;
// the safety net only covers the running worker.
main().catch((error: unknown) => exitOnStartupFailure(error, { product: 'Berth worker' }));
