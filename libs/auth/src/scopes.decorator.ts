import { SetMetadata } from '@nestjs/common';

export const SCOPES_KEY = 'berth:scopes';
export const PUBLIC_KEY = 'berth:public';

/**
 * Declares the scopes that grant access to a route: any one of them, qualified by the route's
 * `projectKey` (`manage_import_containers:{projectKey}`). `manage_project:{projectKey}` grants all.
 */
export const RequireScopes = (...scopes: string[]) => SetMetadata(SCOPES_KEY, scopes);

/** Marks a route as reachable without a token (health, token endpoint, API docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
