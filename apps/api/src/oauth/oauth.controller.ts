import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBasicAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import {
  ApiClientsService,
  AuthThrottleService,
  invalidClient,
  invalidRequest,
  invalidScope,
  Public,
  scopeImplied,
  splitScopes,
  TokenService,
  tooManyAttempts,
  unsupportedGrantType,
} from '../../../../libs/auth/src';
import { ApiErrorResponses } from '../../../../libs/common/src';

/** Longest client id and secret considered at all (Berth's are 24 and 32 characters). */
const MAX_CREDENTIAL_LENGTH = 256;

function decodeComponent(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined; // malformed percent-encoding, e.g. `%` or `%zz`
  }
}

/**
 * `client_id:client_secret` of an HTTP Basic header (each form-urlencoded, RFC 6749 2.3.1); undefined when malformed:
 * bad base64 or percent-encoding, no colon, empty id, over-long values or control characters (a NUL byte would reach
 * Postgres as text it refuses).
 */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=._-]+)\s*$/i.exec(header) : null;
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const id = decodeComponent(decoded.slice(0, colon));
  const secret = decodeComponent(decoded.slice(colon + 1));
  if (id === undefined || secret === undefined || id === '') return undefined;
  const unusable = (value: string) => value.length > MAX_CREDENTIAL_LENGTH || /[\u0000-\u001f\u007f\ufffd]/.test(value);
  if (unusable(id) || unusable(secret)) return undefined;
  return { id, secret };
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
  @ApiOperation({
    summary: 'Obtain an access token (OAuth 2.0 client credentials grant)',
    description:
      'HTTP Basic `client_id:client_secret` and a form body `grant_type=client_credentials` with optional space-separated `scope` ' +
      '(each one of the client\'s scopes or implied by them; without it the token carries all of the client\'s scopes). ' +
      'Errors as OAuth 2.0: invalid_client 401, invalid_scope / unsupported_grant_type / invalid_request 400.',
  })
  @ApiBasicAuth('basic')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type'],
      properties: {
        grant_type: { type: 'string', enum: ['client_credentials'] },
        scope: { type: 'string', description: 'Space-separated scopes, e.g. `manage_project:demo` or `manage_import_containers:demo view_products:demo`' },
      },
    },
  })
  @ApiOkResponse({
    description: 'The token',
    schema: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer', description: 'Lifetime in seconds (default 172800)' },
        scope: { type: 'string', description: 'The granted scopes, space-separated' },
      },
    },
  })
  @ApiErrorResponses(400, 401, 413, 429, 503)
  async token(@Req() request: Request): Promise<{ access_token: string; token_type: 'Bearer'; expires_in: number; scope: string }> {
    // Parameters may come in the form body or, as some clients send them, in the query string.
    const params = { ...(request.query as Record<string, unknown>), ...((request.body ?? {}) as Record<string, unknown>) };
    const credentials = basicCredentials(request.headers.authorization);
    // The peer address, or with TRUST_PROXY the client address the trusted proxies report (X-Forwarded-For).
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    const wait = this.throttle.retryAfter(address, credentials?.id);
    if (wait > 0) throw tooManyAttempts(wait);
    if (!credentials) {
      this.throttle.recordFailure(address);
      throw invalidClient();
    }
    const grantType = params.grant_type;
    if (grantType === undefined) throw invalidRequest("Missing required parameter 'grant_type'.");
    if (grantType !== 'client_credentials') throw unsupportedGrantType(grantType);
    if (params.scope !== undefined && typeof params.scope !== 'string') throw invalidRequest("Parameter 'scope' must be a string.");
    const clientScopes = await this.clients.authenticate(credentials.id, credentials.secret);
    if (!clientScopes) {
      this.throttle.recordFailure(address, credentials.id);
      throw invalidClient();
    }
    this.throttle.recordSuccess(address, credentials.id);
    const requested = splitScopes(params.scope as string | undefined);
    const notAllowed = requested.filter((scope) => !scopeImplied(clientScopes, scope));
    if (notAllowed.length > 0) throw invalidScope(`Invalid scope(s): ${notAllowed.join(' ')}`);
    return this.tokens.issue(credentials.id, requested.length > 0 ? requested : clientScopes);
  }
}
