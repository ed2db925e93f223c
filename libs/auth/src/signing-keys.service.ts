import { Injectable } from '@nestjs/common';
import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike } from 'jose';
import { DataSource } from 'typeorm';
import { randomToken } from './secrets';

export const TOKEN_ALGORITHM = 'ES256';

interface SigningKeyRow {
  kid: string;
  algorithm: string;
  private_jwk: JWK;
  public_jwk: JWK;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
}

/**
 * Token signing keys live in Postgres, so every API replica signs and verifies alike. The first
 * process to start generates one; the key id (`kid`) in each token lets keys rotate.
 */
@Injectable()
export class SigningKeysService {
  private active?: Promise<SigningKey>;
  private readonly publicKeys = new Map<string, Promise<KeyLike | Uint8Array | undefined>>();

  constructor(private readonly dataSource: DataSource) {}

  activeKey(): Promise<SigningKey> {
    this.active ??= this.loadOrCreateActive().catch((error: unknown) => {
      this.active = undefined;
      throw error;
    });
    return this.active;
  }

  /** Public key for a kid; unknown kids are looked up once in the database (a rotated-in key). */
  publicKey(kid: string): Promise<KeyLike | Uint8Array | undefined> {
    let key = this.publicKeys.get(kid);
    if (!key) {
      key = this.loadPublic(kid);
      this.publicKeys.set(kid, key);
      // Forget misses after a while so a key inserted later is found.
      void key.then((found) => {
        if (!found) setTimeout(() => this.publicKeys.delete(kid), 5000).unref();
      });
    }
    return key;
  }

  private async loadPublic(kid: string): Promise<KeyLike | Uint8Array | undefined> {
    const rows = (await this.dataSource.query(`SELECT kid, algorithm, public_jwk FROM signing_keys WHERE kid = $1`, [kid])) as SigningKeyRow[];
    return rows[0] ? importJWK(rows[0].public_jwk, rows[0].algorithm) : undefined;
  }

  private async loadOrCreateActive(): Promise<SigningKey> {
    const row = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('berth:signing_keys'))`);
      const existing = (await manager.query(`SELECT * FROM signing_keys WHERE active ORDER BY created_at DESC LIMIT 1`)) as SigningKeyRow[];
      if (existing[0]) return existing[0];
      const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALGORITHM, { extractable: true });
      const kid = randomToken(12);
      const created = (await manager.query(
        `INSERT INTO signing_keys (kid, algorithm, private_jwk, public_jwk) VALUES ($1, $2, $3, $4) RETURNING *`,
        [kid, TOKEN_ALGORITHM, JSON.stringify(await exportJWK(privateKey)), JSON.stringify(await exportJWK(publicKey))],
      )) as SigningKeyRow[];
      return created[0];
    });
    return { kid: row.kid, privateKey: await importJWK(row.private_jwk, row.algorithm) };
  }
}
