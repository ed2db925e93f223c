import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from '../../../libs/config/src';
import { openDatabase } from '../../../libs/database/src';
import { WorkerModule } from './worker.module';

/** A process that runs only background roles (WORKER_ROLES, default processor,reaper); no HTTP. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new Logger('BerthWorker');
  if (config.workerRoles.length === 0) {
    logger.error('WORKER_ROLES is none: a worker without roles has nothing to do');
    process.exit(1);
  }
  const database = await openDatabase(config, (message) => logger.log(message));
  const context = await NestFactory.createApplicationContext(WorkerModule.register(config, database.dataSource), { logger: ['error', 'warn', 'log'] });
  await context.init();
  logger.log(`worker running roles: ${config.workerRoles.join(', ')}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: finishing the current batch`);
    try {
      await context.close();
    } finally {
      await database.close();
      process.exit(0);
    }
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

void main();
