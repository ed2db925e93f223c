import 'reflect-metadata';
import { ApiClientsService, InvalidScopeError } from '../../../libs/auth/src';
import { ConfigError, loadConfig } from '../../../libs/config/src';
import { openDatabase, OpenDatabase } from '../../../libs/database/src';
import { readSeedFile, SeedFileError, seedReferenced } from '../../../libs/catalog/src/referenced';

const USAGE = `Berth admin CLI

  npm run --silent cli -- clients:create --scope "<scope> [<scope>…]" [--name <name>]
  npm run --silent cli -- clients:list
  npm run --silent cli -- clients:delete <clientId>
  npm run --silent cli -- migrate
  npm run --silent cli -- seed <file.json>   (channels, tax categories, … see seeds/demo.json)

Uses DATABASE_URL, or the embedded Postgres of ./.berth (reused while npm start runs).
Results are printed to stdout as JSON; diagnostics go to stderr.`;

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
    print(await new ApiClientsService(database.dataSource).create(scope, option(args, '--name')));
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
    const result = await seedReferenced(database.dataSource, readSeedFile(file));
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
  const command = commandName ? COMMANDS[commandName] : undefined;
  if (!command) {
    process.stderr.write(`${USAGE}\n`);
    return commandName && commandName !== 'help' && commandName !== '--help' ? 2 : 0;
  }
  const config = loadConfig({ ...process.env, MIGRATIONS_RUN: 'true' });
  const database = await openDatabase(config, (message) => process.stderr.write(`${message}\n`), 2);
  try {
    return (await command(database, args)) ?? 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof SeedFileError || error instanceof InvalidScopeError || error instanceof ConfigError;
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(known ? 2 : 1);
  },
);
