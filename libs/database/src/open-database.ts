import { DataSource } from 'typeorm';
import { BerthConfig } from '../../config/src';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { createDataSource, runMigrations } from './data-source';

export interface DatabaseTarget {
  url: string;
  embedded?: EmbeddedDatabase;
}

/** Where the database is: DATABASE_URL, or the embedded Postgres under the data directory (started or reused). */
export async function resolveDatabase(config: BerthConfig, log?: (message: string) => void): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  return { url: embedded.url, embedded };
}

export interface OpenDatabase {
  dataSource: DataSource;
  embedded: boolean;
  /** Closes the pool, then stops the embedded Postgres if this process started it. */
  close(): Promise<void>;
}

/** Connects (starting the embedded Postgres when DATABASE_URL is unset) and applies migrations unless disabled. */
export async function openDatabase(config: BerthConfig, log: (message: string) => void, poolSize = config.databasePoolSize): Promise<OpenDatabase> {
  const target = await resolveDatabase(config, log);
  const stopEmbedded = async () => {
    if (target.embedded?.owned) await target.embedded.stop();
  };
  try {
    const dataSource = await createDataSource(target.url, poolSize, config.databaseConnectTimeoutMs);
    if (config.migrationsRun || target.embedded) {
      const applied = await runMigrations(dataSource);
      if (applied > 0) log(`applied ${applied} migration(s)`);
    }
    return {
      dataSource,
      embedded: Boolean(target.embedded),
      close: async () => {
        try {
          if (dataSource.isInitialized) await dataSource.destroy();
        } finally {
          await stopEmbedded();
        }
      },
    };
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
}
