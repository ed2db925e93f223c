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

/** Berth's kids are `randomToken(12)`: 16 base64url characters. Anything else was not issued here. */
const KID_PATTERN = /^[A-Za-z0-9_-]{16}$/;
export const isKid = (kid: unknown): kid is string => typeof kid === 'string' && KID_PATTERN.test(kid);
const MAX_LOOKUPS = 1000;
const MISS_TTL_MS = 5000;

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
  /** Keys found in the database, by kid (few: one per rotation). */
  private readonly publicKeys = new Map<string, KeyLike | Uint8Array>();
  /** Lookups under way, and recent misses (kept a few seconds so a flood of one unknown kid costs one query). */
  private readonly lookups = new Map<string, Promise<KeyLike | Uint8Array | undefined>>();

  constructor(private readonly dataSource: DataSource) {}

  activeKey(): Promise<SigningKey> {
    this.active ??= this.loadOrCreateActive().catch((error: unknown) => {
      this.active = undefined;
      throw error;
    });
    return this.active;
  }

  /**
   * Public key for a kid; unknown kids are looked up in the database (a rotated-in key). A kid that cannot be one of
   * Berth's is undefined without a query; a failed lookup (database down) rejects to the caller and is not cached.
   */
  publicKey(kid: unknown): Promise<KeyLike | Uint8Array | undefined> {
    if (!isKid(kid)) return Promise.resolve(undefined);
    const known = this.publicKeys.get(kid);
    if (known) return Promise.resolve(known);
    const pending = this.lookups.get(kid);
    if (pending) return pending;
    const lookup = this.loadPublic(kid);
    // Bounded: beyond this many distinct kids in flight or recently missed, look up without remembering.
    if (this.lookups.size >= MAX_LOOKUPS) return lookup;
    this.lookups.set(kid, lookup);
    lookup.then(
      (found) => {
        if (found) {
          this.publicKeys.set(kid, found);
          this.lookups.delete(kid);
        } else {
          // Forget misses after a while so a key inserted later is found.
          setTimeout(() => this.lookups.delete(kid), MISS_TTL_MS).unref();
        }
      },
      () => this.lookups.delete(kid),
    );
    return lookup;
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
