import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ensureDevClient } from '../../../libs/auth/src';
import { loadConfigOrExit } from '../../../libs/config/src';
import { openDatabase } from '../../../libs/database/src';
import { createApp } from './create-app';

function printDevClient(port: number, projectKey: string, clientId: string, clientSecret: string): void {
  const url = `http://localhost:${port}`;
  process.stdout.write(
    [
      '',
      `A development API client for project '${projectKey}' was created (shown only this once):`,
      `  client id:     ${clientId}`,
      `  client secret: ${clientSecret}`,
      `  scope:         manage_project:${projectKey}`,
      '',
      'Get a token and create an import container:',
      `  TOKEN=$(curl -s -u '${clientId}:${clientSecret}' -d grant_type=client_credentials ${url}/oauth/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`,
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"key":"my-container"}' ${url}/${projectKey}/import-containers`,
      '',
    ].join('\n') + '\n',
  );
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = new Logger('Berth');
  const started = Date.now();
  let database;
  try {
    database = await openDatabase(config, (message) => logger.log(message));
  } catch (error) {
    logger.error(`database start failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const db = database;
  try {
    const app = await createApp(config, db.dataSource);
    let shuttingDown = false;
    const shutdown = async (signal: string) => {
      if (shuttingDown) return;
      shuttingDown = true;
      logger.log(`${signal} received: finishing in-flight work and shutting down`);
      try {
        await app.close();
      } finally {
        await db.close();
        process.exit(0);
      }
    };
    process.once('SIGTERM', () => void shutdown('SIGTERM'));
    process.once('SIGINT', () => void shutdown('SIGINT'));
    await app.listen(config.port, config.host);
    const devClient = db.embedded ? await ensureDevClient(db.dataSource, config.devClientProject) : undefined;
    logger.log(`Berth listening on http://localhost:${config.port} (${db.embedded ? 'embedded Postgres' : 'DATABASE_URL'}), ready in ${Date.now() - started} ms`);
    logger.log(`API docs: http://localhost:${config.port}/docs   health: /health   clients: npm run --silent cli -- clients:create --scope "manage_project:<key>"`);
    if (devClient) printDevClient(config.port, config.devClientProject, devClient.clientId, devClient.clientSecret);
  } catch (error) {
    logger.error(error instanceof Error ? error.message : String(error));
    await db.close();
    process.exit(1);
  }
}

void main();
