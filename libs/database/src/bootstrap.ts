import { BerthConfig } from '../../config/src';
import { EmbeddedDatabase, startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseTarget {
  url: string;
  embedded?: EmbeddedDatabase;
}

/** Resolves where the database is: DATABASE_URL, or the embedded Postgres under the data directory. */
export async function resolveDatabase(config: BerthConfig, log?: (message: string) => void): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  return { url: embedded.url, embedded };
}
