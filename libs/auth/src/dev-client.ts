import { DataSource } from 'typeorm';
import { ApiClientsService, CreatedApiClient } from './api-clients.service';

/**
 * On the first start of a one-machine installation, create a development client for one project.
 * Recorded in berth_meta so it happens once, even if that client is deleted later.
 */
export async function ensureDevClient(dataSource: DataSource, projectKey: string): Promise<CreatedApiClient | undefined> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth:dev_client'))`);
    const done = (await manager.query(`SELECT 1 FROM berth_meta WHERE key = 'dev_client'`)) as unknown[];
    if (done.length > 0) return undefined;
    const created = await new ApiClientsService(manager.connection).create(`manage_project:${projectKey}`, 'dev client');
    await manager.query(`INSERT INTO berth_meta (key, value) VALUES ('dev_client', $1)`, [JSON.stringify({ clientId: created.clientId, projectKey })]);
    return created;
  });
}
