import { Inject, Injectable } from '@nestjs/common';
import { decodeProtectedHeader, jwtVerify, ProtectedHeaderParameters, SignJWT } from 'jose';
import { BERTH_CONFIG, BerthConfig } from '../../config/src';
import { ApiClientsService } from './api-clients.service';
import { isKid, SigningKeysService, TOKEN_ALGORITHM } from './signing-keys.service';
import { randomToken } from './secrets';

export const TOKEN_ISSUER = 'berth';
const CLIENT_CHECK_TTL_MS = 2000;

export interface VerifiedToken {
  clientId: string;
  scopes: string[];
  /** When the token expires (ms since the epoch): long-lived responses such as the event stream end then. */
  expiresAt: number;
}

export class InvalidTokenError extends Error {}

/** Issues and verifies access tokens: signed JWTs, verified locally plus a short-lived "client still exists" cache. */
@Injectable()
export class TokenService {
  private readonly clientChecks = new Map<string, { exists: Promise<boolean>; at: number }>();
  /** Tokens whose signature was already verified, until their expiry: an ES256 verification per request is the API's costliest step. */
  private readonly verified = new Map<string, { principal: VerifiedToken; expiresAt: number }>();

  constructor(
    private readonly keys: SigningKeysService,
    private readonly clients: ApiClientsService,
    @Inject(BERTH_CONFIG) private readonly config: BerthConfig,
  ) {}

  async issue(clientId: string, scopes: string[]): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    const key = await this.keys.activeKey();
    const lifetime = this.config.tokenLifetimeSeconds;
    const accessToken = await new SignJWT({ scope: scopes.join(' ') })
      .setProtectedHeader({ alg: TOKEN_ALGORITHM, kid: key.kid, typ: 'JWT' })
      .setIssuer(TOKEN_ISSUER)
      .setSubject(clientId)
      .setJti(randomToken(12))
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`)
      .sign(key.privateKey);
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, scope: scopes.join(' ') };
  }

  async verify(token: string): Promise<VerifiedToken> {
    const cached = this.verified.get(token);
    if (cached && cached.expiresAt > Date.now()) {
      if (!(await this.clientExists(cached.principal.clientId))) throw new InvalidTokenError('The token was revoked.');
      return cached.principal;
    }
    const principal = await this.verifySignature(token);
    if (!(await this.clientExists(principal.clientId))) throw new InvalidTokenError('The token was revoked.');
    return principal;
  }

  private async verifySignature(token: string): Promise<VerifiedToken> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new InvalidTokenError('The token is malformed.');
    }
    if (header.alg !== TOKEN_ALGORITHM || !isKid(header.kid)) throw new InvalidTokenError('The token was not issued by this server.');
    // A database failure here rejects as what it is (the caller answers 503), not as an invalid token.
    const publicKey = await this.keys.publicKey(header.kid);
    if (!publicKey) throw new InvalidTokenError('The token was not issued by this server.');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, publicKey, { issuer: TOKEN_ISSUER, algorithms: [TOKEN_ALGORITHM] }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new InvalidTokenError(code === 'ERR_JWT_EXPIRED' ? 'The token has expired.' : 'The token is invalid.');
    }
    const clientId = payload.sub;
    if (!clientId || typeof payload.scope !== 'string' || typeof payload.exp !== 'number') throw new InvalidTokenError('The token is invalid.');
    const principal = { clientId, scopes: payload.scope.split(' ').filter(Boolean), expiresAt: payload.exp * 1000 };
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, { principal, expiresAt: payload.exp * 1000 });
    return principal;
  }

  /**
   * Cached for a couple of seconds: deleting a client revokes its tokens that quickly, without a query per request.
   * A failed check (database down) rejects to the caller and is dropped from the cache at once.
   */
  private clientExists(clientId: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.clientChecks.get(clientId);
    if (cached && now - cached.at < CLIENT_CHECK_TTL_MS) return cached.exists;
    const exists = this.clients.exists(clientId);
    const entry = { exists, at: now };
    this.clientChecks.set(clientId, entry);
    if (this.clientChecks.size > 10_000) {
      for (const [id, other] of this.clientChecks) if (now - other.at >= CLIENT_CHECK_TTL_MS) this.clientChecks.delete(id);
      if (this.clientChecks.size > 10_000) this.clientChecks.clear();
    }
    // Handled here (the caller awaits `exists` too); only this entry is dropped, not a newer one.
    exists.catch(() => {
      if (this.clientChecks.get(clientId) === entry) this.clientChecks.delete(clientId);
    });
    return exists;
  }
}
