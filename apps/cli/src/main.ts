import 'reflect-metadata';
import { ApiClientsService, InvalidScopeError } from '../../../libs/auth/src';
import { ConfigError, loadConfig } from '../../../libs/config/src';
import { describeStartupFailure } from '../../../libs/common/src/logging';
import { openDatabase, OpenDatabase } from '../../../libs/database/src';
import { readSeedFile, SeedFileError, seedReferenced } from '../../../libs/catalog/src/referenced';
import { WakeWaitingOperationsListener } from '../../../libs/processing/src/resources-created.listener';
import { IMPORT_HELP, ImportUsageError, runImportCommand } from './import-command';

const RUN = process.env.BERTH_CLI_NAME ?? 'npm run --silent cli --';

const HELP: Record<string, string> = {
  'clients:create': `${RUN} clients:create --scope "<scope> [<scope>…]" [--name <name>] [--if-none]
    Creates an API client and prints {"clientId","clientSecret","scope"} once (the secret is not stored in clear).
    --if-none: only when no API client exists yet (first-client bootstrap; prints {"skipped":…} otherwise).`,
  'clients:list': `${RUN} clients:list
    Prints one JSON line per API client (without secrets).`,
  'clients:delete': `${RUN} clients:delete <clientId>
    Deletes an API client; its tokens stop working.`,
  migrate: `${RUN} migrate
    Applies pending database migrations (needed before starting with MIGRATIONS_RUN=false).`,
  seed: `${RUN} seed <file.json>
    Creates referenced-only resources (channels, tax categories, … see seeds/demo.json).`,
  import: IMPORT_HELP(RUN),
};

const USAGE = `Berth admin CLI

${Object.values(HELP).join('\n')}
${RUN} help | <command> --help

Uses DATABASE_URL, or the embedded Postgres of BERTH_DATA_DIR (default ./.berth); while a server runs on
that data directory, its Postgres is used. Results are printed to stdout as JSON; diagnostics go to stderr.`;

class UsageError extends Error {}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** Exit code of a command; `undefined` means success. */
type Command = (database: OpenDatabase, args: string[]) => Promise<number | void>;

const COMMANDS: Record<string, Command> = {
  'clients:create': async (database, args) => {
    const scope = option(args, '--scope');
    if (!scope) throw new UsageError('clients:create needs --scope "<scopes>", e.g. --scope "manage_project:demo"');
    const clients = new ApiClientsService(database.dataSource);
    if (args.includes('--if-none')) {
      // Concurrent bootstraps (several replicas, a restarted one-shot service) create at most one client.
      const created = await database.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth:bootstrap_client'))`);
        const existing = await new ApiClientsService(manager.connection).list();
        return existing.length > 0 ? { skipped: `${existing.length} API client(s) exist already` } : new ApiClientsService(manager.connection).create(scope, option(args, '--name') ?? 'bootstrap');
      });
      print(created);
      return;
    }
    print(await clients.create(scope, option(args, '--name')));
  },
  'clients:list': async (database) => {
    for (const client of await new ApiClientsService(database.dataSource).list()) print(client);
  },
  'clients:delete': async (database, args) => {
    const id = args[0];
    if (!id) throw new UsageError('clients:delete needs the client id');
    if (!(await new ApiClientsService(database.dataSource).delete(id))) throw new UsageError(`no client with id ${id}`);
    print({ deleted: id });
  },
  seed: async (database, args) => {
    const file = args[0];
    if (!file) throw new UsageError('seed needs a file, e.g. seed seeds/demo.json');
    const result = await seedReferenced(database.dataSource, readSeedFile(file), [new WakeWaitingOperationsListener(database.dataSource)]);
    print({ projectKey: result.projectKey, created: result.created, skipped: result.skipped, invalid: result.invalid.length });
    for (const invalid of result.invalid) process.stderr.write(`invalid ${invalid.resource}[${invalid.index}] (key ${JSON.stringify(invalid.key)}): ${JSON.stringify(invalid.errors)}\n`);
    return result.invalid.length > 0 ? 1 : 0;
  },
  migrate: async () => {
    // openDatabase already applied pending migrations.
    print({ migrated: true });
  },
};

async function main(argv: string[]): Promise<number> {
  const [commandName, ...args] = argv;
  if (!commandName || commandName === 'help' || commandName === '--help' || commandName === '-h') {
    const topic = commandName === 'help' && args[0] ? HELP[args[0]] : undefined;
    process.stdout.write(`${topic ?? USAGE}\n`);
    return 0;
  }
  // File imports go through the HTTP API of a running Berth, not the database.
  if (commandName === 'import') {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(`${HELP.import}\n`);
      return 0;
    }
    return runImportCommand(args);
  }
  const command = Object.hasOwn(COMMANDS, commandName) ? COMMANDS[commandName] : undefined;
  if (!command) {
    process.stderr.write(`unknown command '${commandName}'\n\n${USAGE}\n`);
    return 2;
  }
  // Help needs no database.
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP[commandName]}\n`);
    return 0;
  }
  const config = loadConfig(process.env);
  const database = await openDatabase(config, (message, level) => (level === 'debug' ? undefined : process.stderr.write(`${message}\n`)), {
    poolSize: 2,
    share: true,
    forceMigrations: true,
  });
  process.stderr.write(`using ${database.description}\n`);
  try {
    return (await command(database, args)) ?? 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ImportUsageError || error instanceof SeedFileError || error instanceof InvalidScopeError || error instanceof ConfigError;
    process.stderr.write(`error: ${known ? (error as Error).message : describeStartupFailure(error)}\n`);
    process.exit(known ? 2 : 1);
  },
);
