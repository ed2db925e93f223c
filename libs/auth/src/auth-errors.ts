import { CtException } from '../../common/src';

function oauthError(statusCode: number, error: string, description: string, headers: Record<string, string> = {}): CtException {
  return new CtException(statusCode, [{ code: error, message: description }], description, { error, error_description: description }, headers);
}

export const invalidToken = (description: string) =>
  oauthError(401, 'invalid_token', description, { 'WWW-Authenticate': `Bearer realm="berth", error="invalid_token", error_description="${description}"` });

export const insufficientScope = (description: string) =>
  oauthError(403, 'insufficient_scope', description, { 'WWW-Authenticate': `Bearer realm="berth", error="insufficient_scope"` });

export const invalidClient = () =>
  oauthError(401, 'invalid_client', 'Please provide valid client credentials using HTTP Basic Authentication.', { 'WWW-Authenticate': 'Basic realm="berth"' });

export const invalidScope = (description: string) => oauthError(400, 'invalid_scope', description);
export const unsupportedGrantType = (grantType: unknown) =>
  oauthError(400, 'unsupported_grant_type', `Grant type '${typeof grantType === 'string' ? grantType : ''}' is not supported; use client_credentials.`);
export const invalidRequest = (description: string) => oauthError(400, 'invalid_request', description);
export const tooManyAttempts = (retryAfterSeconds: number) =>
  new CtException(
    429,
    [{ code: 'TooManyRequests', message: `Too many failed authentication attempts; retry in ${retryAfterSeconds} s.` }],
    'Too many failed authentication attempts.',
    { error: 'too_many_requests', error_description: 'Too many failed authentication attempts.' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
