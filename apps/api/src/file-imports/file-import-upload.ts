import type { Request } from 'express';
import { AuthenticatedRequest, insufficientScope, scopesAllow } from '../../../../libs/auth/src';
import { FileUpload, resourceTypeInfo } from '../../../../libs/import/src';
import type { ImportResourceType } from '../../../../libs/import/src/validation/import-request.validator';

/** The request body as a file upload: the unread stream, its Content-Type and (when given) Content-Length. */
export function fileUploadOf(request: Request): FileUpload {
  const length = request.headers['content-length'];
  return { body: request, contentType: request.headers['content-type'], contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined };
}

/**
 * Importing a file needs, besides manage_import_containers on the route, the manage scope of the resource type
 * (as the Import API's request scopes): checked once the resource type is known (query, settings part or inline body).
 */
export function resourceTypeAuthorizer(request: AuthenticatedRequest, projectKey: string): (resourceType: ImportResourceType) => void {
  const principal = request.principal;
  return (resourceType) => {
    const scopes = resourceTypeInfo(resourceType)?.scopes ?? [];
    if (!principal || !scopesAllow(principal.scopes, scopes, projectKey)) {
      throw insufficientScope(`Insufficient scope. Importing ${resourceType} resources needs one of: ${scopes.map((s) => `${s}:${projectKey}`).join(', ')}`);
    }
  };
}
