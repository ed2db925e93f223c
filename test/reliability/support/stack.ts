import { ReliabilityDatabase, startDatabase } from './database';
import { fetchToken } from './http';
import { ApiClient, ApiProcess, BerthProcess, cli, createClient, startApi } from './processes';

export const PROJECT = 'rel';
export const OTHER_PROJECT = 'rel-other';

/** One scenario's Berth: its own Postgres (migrated), an API process and a client managing the project. */
export interface Stack {
  db: ReliabilityDatabase;
  api: ApiProcess;
  client: ApiClient;
  token: string;
  /** Every process started for the scenario (stopped by `close`). */
  processes: BerthProcess[];
  close(): Promise<void>;
}

export async function startStack(apiEnv: Record<string, string> = {}): Promise<Stack> {
  const db = await startDatabase();
  try {
    cli(db.url, 'migrate');
    const client = createClient(db.url, `manage_project:${PROJECT}`);
    const api = await startApi(db.url, { env: apiEnv });
    const processes: BerthProcess[] = [api];
    const token = await fetchToken(api.base, client);
    return {
      db,
      api,
      client,
      token,
      processes,
      close: async () => {
        await Promise.all(processes.map((proc) => proc.kill('SIGKILL')));
        await db.destroy();
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
