import { Client } from 'pg';
import { createDataSource, runMigrations, startEmbeddedPostgres, tmpDataDir } from '../../libs/database/src';
import { withDatabase } from './test-database';

export const TEMPLATE_DB = 'berth_test_template';

/** Starts one Postgres for the whole run (embedded unless DATABASE_URL is set) and a migrated template database. */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres({ dataDir: tmpDataDir('berth-test-'), ephemeral: true, log: () => undefined });
    (globalThis as Record<string, unknown>).__BERTH_TEST_PG__ = embedded;
    adminUrl = embedded.url;
  }
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const template = await createDataSource(withDatabase(adminUrl, TEMPLATE_DB), 1);
  await runMigrations(template);
  await template.destroy();
  process.env.BERTH_TEST_ADMIN_URL = adminUrl;
  process.env.BERTH_TEST_TEMPLATE_DB = TEMPLATE_DB;
}
