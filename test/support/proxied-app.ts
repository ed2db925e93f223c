import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../apps/api/src/create-app';
import { ApiClientsService } from '../../libs/auth/src';
import { BerthConfig, loadConfig } from '../../libs/config/src';
import { createDataSource } from '../../libs/database/src';
import { startTcpProxy, TcpProxy } from './tcp-proxy';
import { TEST_PROJECTS } from './test-app';
import { createTestDatabase, TestDatabase } from './test-database';

export interface ProxiedTestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  config: BerthConfig;
  /** The app's own connection pool, through the proxy. */
  appDataSource: DataSource;
  /** A direct connection to the same database, for assertions while the proxy is cut. */
  dataSource: DataSource;
  database: TestDatabase;
  proxy: TcpProxy;
  auth: Record<string, string>;
  close(): Promise<void>;
}

/** The real application on its own cloned database, reaching Postgres only through a TCP proxy that tests can cut. */
export async function createProxiedTestApp(env: Record<string, string> = {}): Promise<ProxiedTestApp> {
  const database = await createTestDatabase();
  const direct = new URL(database.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const url = proxy.url(database.url);
  const config = loadConfig({ WORKER_ROLES: 'none', LOG_LEVEL: 'silent', ...env, DATABASE_URL: url });
  const appDataSource = await createDataSource(url, config.databasePoolSize, config.databaseConnectTimeoutMs);
  const app = await createApp(config, appDataSource, { logger: false });
  await app.listen(0, '127.0.0.1');
  const http = request(app.getHttpServer());
  const created = await app.get(ApiClientsService).create(TEST_PROJECTS.map((project) => `manage_project:${project}`).join(' '));
  const res = await http.post('/oauth/token').auth(created.clientId, created.clientSecret).type('form').send({ grant_type: 'client_credentials' });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${JSON.stringify(res.body)}`);
  return {
    app,
    http,
    config,
    appDataSource,
    dataSource: database.dataSource,
    database,
    proxy,
    auth: { Authorization: `Bearer ${res.body.access_token as string}` },
    close: async () => {
      await proxy.restore();
      await app.close();
      if (appDataSource.isInitialized) await appDataSource.destroy();
      await proxy.close();
      await database.drop();
    },
  };
}

/** Polls `condition` until it holds or `timeoutMs` passes; returns the time it took. */
export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, stepMs = 100): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await condition().catch(() => false)) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
