import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/api/src/create-app';
import { BerthConfig, loadConfig } from '../../libs/config/src';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  dataSource: DataSource;
  config: BerthConfig;
  /** Headers that authorise the test project (filled once OAuth exists). */
  auth: Record<string, string>;
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
  return {
    app,
    http,
    dataSource: database.dataSource,
    config,
    database,
    auth: {},
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
