import { DataSource, DataSourceOptions, MigrationExecutor } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

export function dataSourceOptions(url: string, poolSize = 10): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'berth_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: poolSize, application_name: 'berth' },
  };
}

export async function createDataSource(url: string, poolSize = 10): Promise<DataSource> {
  const dataSource = new DataSource(dataSourceOptions(url, poolSize));
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
