import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/** How long taking a connection from the pool may wait for Postgres before failing (a 503 then). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

const poolLogger = new Logger('DatabasePool');

/**
 * pg emits 'error' on the pool when an idle client's connection breaks (Postgres restarted, network cut);
 * unhandled, that event would end the process. The broken client is discarded and the pool opens new
 * connections on demand, so logging is all there is to do. Only the message is logged (never the URL).
 */
function onPoolError(error: Error): void {
  poolLogger.warn(`idle database connection failed (the pool replaces it): ${error.message}`);
}

export function dataSourceOptions(url: string, poolSize = 10, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'berth_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    poolErrorHandler: onPoolError,
    // Fail fast while Postgres is unreachable instead of queueing requests; keepAlive notices dead
    // connections that broke without a TCP reset.
    extra: { max: poolSize, application_name: 'berth', connectionTimeoutMillis: connectTimeoutMs, keepAlive: true, keepAliveInitialDelayMillis: 10_000 },
  };
}

export async function createDataSource(url: string, poolSize = 10, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, poolSize, connectTimeoutMs));
  await dataSource.initialize();
  return dataSource;
}

/** Applies pending migrations; an advisory lock keeps concurrently starting processes from racing. */
export async function runMigrations(dataSource: DataSource): Promise<number> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query(`SELECT pg_advisory_lock(hashtext('berth:migrations'))`);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    const applied = await executor.executePendingMigrations();
    return applied.length;
  } finally {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('berth:migrations'))`).catch(() => undefined);
    await runner.release();
  }
}
