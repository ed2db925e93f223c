import { DataSource, MigrationExecutor } from 'typeorm';
import { BerthConfig } from '../../config/src';
import { EmbeddedDatabase, EmbeddedLogLevel, startEmbeddedPostgres } from './embedded-postgres';
import { createDataSource, runMigrations } from './data-source';

export interface DatabaseTarget {
  url: string;
  embedded?: EmbeddedDatabase;
}

/** Log callback of the database bootstrap; level defaults to info. */
export type DatabaseLog = (message: string, level?: EmbeddedLogLevel) => void;

/** A start-up failure whose message already says what to do (printed as is, without a stack). */
export class StartupError extends Error {}

export interface OpenDatabaseOptions {
  poolSize?: number;
  /** Use the Postgres of a running server that owns the data directory instead of failing (the CLI). */
  share?: boolean;
  /** Apply pending migrations even when MIGRATIONS_RUN=false (the CLI's migrate). */
  forceMigrations?: boolean;
}

/** Where the database is, for messages: `embedded Postgres at <dir>` or `DATABASE_URL host:port/db` (never the password). */
export function describeDatabase(config: BerthConfig, target?: DatabaseTarget): string {
  if (!config.databaseUrl) {
    const owner = target?.embedded && !target.embedded.owned ? `, shared with the running Berth process ${target.embedded.ownerPid}` : '';
    return `embedded Postgres at ${config.dataDir}${owner}`;
  }
  try {
    const url = new URL(config.databaseUrl);
    return `DATABASE_URL ${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname}`;
  } catch {
    return 'DATABASE_URL (unparseable)';
  }
}

/** Where the database is: DATABASE_URL, or the embedded Postgres under the data directory. */
export async function resolveDatabase(config: BerthConfig, log?: DatabaseLog, share = false): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log, share });
  return { url: embedded.url, embedded };
}

export interface OpenDatabase {
  dataSource: DataSource;
  embedded: boolean;
  /** `embedded Postgres at …` / `DATABASE_URL host/db`. */
  description: string;
  /** Closes the pool, then stops the embedded Postgres if this process started it. */
  close(): Promise<void>;
}

/** Names of migrations not yet applied to this database. */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  try {
    return (await new MigrationExecutor(dataSource, runner).getPendingMigrations()).map((migration) => migration.name);
  } finally {
    await runner.release();
  }
}

/**
 * Connects (starting the embedded Postgres when DATABASE_URL is unset) and applies migrations unless
 * disabled; with MIGRATIONS_RUN=false and migrations pending it refuses to start (every request would fail).
 */
export async function openDatabase(config: BerthConfig, log: DatabaseLog, options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const target = await resolveDatabase(config, log, options.share);
  const stopEmbedded = async () => {
    if (target.embedded?.owned) await target.embedded.stop();
  };
  try {
    const dataSource = await createDataSource(target.url, options.poolSize ?? config.databasePoolSize, config.databaseConnectTimeoutMs);
    try {
      if (config.migrationsRun || options.forceMigrations) {
        const applied = await runMigrations(dataSource);
        if (applied > 0) log(`applied ${applied} migration(s)`);
      } else {
        const pending = await pendingMigrations(dataSource);
        if (pending.length > 0) {
          throw new StartupError(
            `MIGRATIONS_RUN=false and the database (${describeDatabase(config, target)}) has ${pending.length} pending migration(s) (${pending.slice(0, 3).join(', ')}${pending.length > 3 ? ', …' : ''}); ` +
              `apply them with: npm run cli -- migrate (in the image: node dist/apps/cli/src/main.js migrate), or unset MIGRATIONS_RUN`,
          );
        }
      }
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
    return {
      dataSource,
      embedded: Boolean(target.embedded),
      description: describeDatabase(config, target),
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
