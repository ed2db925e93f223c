import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  ApiClientsService,
  AuthThrottleService,
  invalidClient,
  invalidRequest,
  invalidScope,
  Public,
  splitScopes,
  TokenService,
  tooManyAttempts,
  unsupportedGrantType,
} from '../../../../libs/auth/src';

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** OAuth 2.0 client credentials grant, as the commercetools auth service answers it. */
@ApiTags('OAuth')
@Controller('oauth')
export class OAuthController {
  constructor(
    private readonly clients: ApiClientsService,
    private readonly tokens: TokenService,
    private readonly throttle: AuthThrottleService,
  ) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  async token(@Req() request: Request): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    // Parameters may come in the form body or, as some clients send them, in the query string.
    const params = { ...(request.query as Record<string, unknown>), ...((request.body ?? {}) as Record<string, unknown>) };
    const credentials = basicCredentials(request.headers.authorization);
    const throttleKeys = [`ip:${request.ip ?? 'unknown'}`, ...(credentials ? [`client:${credentials.id}`] : [])];
    const wait = this.throttle.retryAfter(throttleKeys);
    if (wait > 0) throw tooManyAttempts(wait);
    if (!credentials) {
      this.throttle.recordFailure(throttleKeys);
      throw invalidClient();
    }
    const grantType = params.grant_type;
    if (grantType === undefined) throw invalidRequest("Missing required parameter 'grant_type'.");
    if (grantType !== 'client_credentials') throw unsupportedGrantType(grantType);
    if (params.scope !== undefined && typeof params.scope !== 'string') throw invalidRequest("Parameter 'scope' must be a string.");
    const clientScopes = await this.clients.authenticate(credentials.id, credentials.secret);
    if (!clientScopes) {
      this.throttle.recordFailure(throttleKeys);
      throw invalidClient();
    }
    const requested = splitScopes(params.scope as string | undefined);
    const notAllowed = requested.filter((scope) => !clientScopes.includes(scope));
    if (notAllowed.length > 0) throw invalidScope(`Invalid scope(s): ${notAllowed.join(' ')}`);
    return this.tokens.issue(credentials.id, requested.length > 0 ? requested : clientScopes);
  }
}
