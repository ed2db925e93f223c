import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '../../../libs/config/src';
import { createDataSource, resolveDatabase, runMigrations } from '../../../libs/database/src';
import { createApp } from './create-app';

async function main(): Promise<void> {
  const logger = new Logger('Berth');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const started = Date.now();
  const database = await resolveDatabase(config, (message) => logger.log(message));
  const stopDatabase = async () => {
    if (database.embedded?.owned) await database.embedded.stop();
  };
  try {
    const dataSource = await createDataSource(database.url, config.databasePoolSize);
    if (config.migrationsRun) {
      const applied = await runMigrations(dataSource);
      if (applied > 0) logger.log(`applied ${applied} migration(s)`);
    }
    const app = await createApp(config, dataSource);
    let shuttingDown = false;
    const shutdown = async (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.log(`${signal} received: shutting down`);
      try {
        await app.close();
        await dataSource.destroy();
      } finally {
        await stopDatabase();
        process.exit(0);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    await app.listen(config.port, config.host);
    const url = `http://localhost:${config.port}`;
    logger.log(`Berth listening on ${url} (${database.embedded ? 'embedded Postgres' : 'DATABASE_URL'}), ready in ${Date.now() - started} ms`);
    logger.log(`API docs: ${url}/docs   health: ${url}/health`);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    await stopDatabase();
    process.exit(1);
  }
}

void main();
