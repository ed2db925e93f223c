import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/api/src/create-app';
import { BerthConfig, loadConfig } from '../../libs/config/src';
import { createTestDatabase, TestDatabase } from './test-database';
import { ApiClientsService } from '../../libs/auth/src';

/** Projects the shared test client may manage. */
export const TEST_PROJECTS = ['proj-a', 'proj-b', 'test'];

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  config: BerthConfig;
  /** Authorization header of a client holding manage_project on every project the tests use. */
  auth: Record<string, string>;
  /** Creates a client with these scopes and returns it with a token for all of them. */
  client(scope: string): Promise<{ clientId: string; clientSecret: string; token: string; header: Record<string, string> }>;
  database: TestDatabase;
  close(): Promise<void>;
}

/** The real application on its own cloned database, listening on an ephemeral port (real HTTP). */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ WORKER_ROLES: 'none', LOG_LEVEL: 'silent', ...env, DATABASE_URL: database.url });
  const app = await createApp(config, database.dataSource, { logger: false });
  await app.listen(0, '127.0.0.1');
  const http = request(app.getHttpServer());
  const clients = app.get(ApiClientsService);
  const client = async (scope: string) => {
    const created = await clients.create(scope);
    const res = await http.post('/oauth/token').auth(created.clientId, created.clientSecret).type('form').send({ grant_type: 'client_credentials' });
    if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
    const token = res.body.access_token as string;
    return { ...created, token, header: { Authorization: `Bearer ${token}` } };
  };
  const admin = await client(TEST_PROJECTS.map((project) => `manage_project:${project}`).join(' '));
  return {
    client,
    app,
    http,
    dataSource: database.dataSource,
    config,
    database,
    auth: admin.header,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
