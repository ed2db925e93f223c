import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventType, NewEvent, recordEvents } from '../../events/src';
import { decoy, hashSecret, randomToken, verifySecret } from './secrets';
import { parseScope, splitScopes } from './scopes';

export interface ApiClient {
  id: string;
  name: string;
  scope: string;
  createdAt: string;
  lastUsedAt?: string;
}

export interface CreatedApiClient {
  clientId: string;
  clientSecret: string;
  scope: string;
}

interface ApiClientRow {
  id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  created_at: Date;
  last_used_at: Date | null;
}

export class InvalidScopeError extends Error {}

const toApiClient = (row: ApiClientRow): ApiClient => ({
  id: row.id,
  name: row.name,
  scope: row.scopes.join(' '),
  createdAt: row.created_at.toISOString(),
  ...(row.last_used_at ? { lastUsedAt: row.last_used_at.toISOString() } : {}),
});

/**
 * ApiClientCreated / ApiClientDeleted, one per project the client's scopes name (installation-wide: project
 * `''`). Each event shows only that project's scopes, so no project learns about another's grants.
 */
function clientEvents(type: EventType, clientId: string, name: string, scopes: string[], actor?: string): NewEvent[] {
  const byProject = new Map<string, string[]>();
  for (const scope of scopes) {
    const projectKey = parseScope(scope)?.projectKey ?? '';
    byProject.set(projectKey, [...(byProject.get(projectKey) ?? []), scope]);
  }
  if (byProject.size === 0) byProject.set('', []);
  return [...byProject].map(([projectKey, projectScopes]) => ({
    projectKey,
    type,
    resource: { typeId: 'api-client', id: clientId },
    actor,
    data: { id: clientId, name, scope: projectScopes.join(' ') },
  }));
}

/** API clients: ids are public, secrets are shown once at creation and stored only as scrypt hashes. */
@Injectable()
export class ApiClientsService {
  constructor(private readonly dataSource: DataSource) {}

  /** `actor`: the API client making the change, if any (the CLI has none). */
  async create(scope: string, name?: string, actor?: string): Promise<CreatedApiClient> {
    const scopes = splitScopes(scope);
    if (scopes.length === 0) throw new InvalidScopeError('at least one scope is required, e.g. manage_project:demo');
    const invalid = scopes.filter((s) => !parseScope(s));
    if (invalid.length > 0) throw new InvalidScopeError(`unknown or malformed scope(s): ${invalid.join(', ')} (expected name:projectKey)`);
    const clientId = randomToken(18);
    const clientSecret = randomToken(24);
    const clientName = name ?? `client-${clientId.slice(0, 6)}`;
    const secretHash = await hashSecret(clientSecret);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO api_clients (id, name, secret_hash, scopes) VALUES ($1, $2, $3, $4)`, [clientId, clientName, secretHash, scopes]);
      await recordEvents(manager, clientEvents('ApiClientCreated', clientId, clientName, scopes, actor));
    });
    return { clientId, clientSecret, scope: scopes.join(' ') };
  }

  async list(): Promise<ApiClient[]> {
    const rows = (await this.dataSource.query(`SELECT * FROM api_clients ORDER BY created_at, id`)) as ApiClientRow[];
    return rows.map(toApiClient);
  }

  async delete(id: string, actor?: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(`DELETE FROM api_clients WHERE id = $1 RETURNING id, name, scopes`, [id])) as [Array<Pick<ApiClientRow, 'id' | 'name' | 'scopes'>>, number];
      if (rows.length === 0) return false;
      await recordEvents(manager, clientEvents('ApiClientDeleted', rows[0].id, rows[0].name, rows[0].scopes, actor));
      return true;
    });
  }

  async exists(id: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT 1 FROM api_clients WHERE id = $1`, [id])) as unknown[];
    return rows.length > 0;
  }

  /** The client's scopes when id and secret match; undefined otherwise (same work either way). */
  async authenticate(id: string, secret: string): Promise<string[] | undefined> {
    const rows = (await this.dataSource.query(`SELECT * FROM api_clients WHERE id = $1`, [id])) as ApiClientRow[];
    const row = rows[0];
    const matches = await verifySecret(secret, row ? row.secret_hash : await decoy());
    if (!row || !matches) return undefined;
    await this.dataSource.query(`UPDATE api_clients SET last_used_at = now() WHERE id = $1`, [id]);
    return row.scopes;
  }
}
