import { CanActivate, ExecutionContext, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { insufficientScope, invalidToken } from './auth-errors';
import { PUBLIC_KEY, SCOPES_KEY } from './scopes.decorator';
import { scopesAllow } from './scopes';
import { declaredRoutes, grantingScopes, viewScopesOnWrites } from './route-scopes';
import { InvalidTokenError, TokenService, VerifiedToken } from './token.service';

export interface AuthenticatedRequest extends Request {
  principal?: VerifiedToken;
}

/**
 * Global guard, deny by default: a route is reachable only when it is @Public() or declares scopes
 * with @RequireScopes(); then the bearer token must be valid and grant one of them on the route's project.
 * A `view_*` scope never grants a write (any method but GET/HEAD), and the application refuses to start
 * when a write route declares one.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnApplicationBootstrap {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly modules: ModulesContainer,
  ) {}

  onApplicationBootstrap(): void {
    const mistakes = viewScopesOnWrites(declaredRoutes(this.modules));
    if (mistakes.length > 0) throw new Error(`Write routes must not declare view_* scopes: ${mistakes.join('; ')}`);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const required = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_KEY, targets);
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const projectKey = typeof request.params?.projectKey === 'string' ? request.params.projectKey : undefined;
    if (!required || required.length === 0 || !projectKey) {
      throw insufficientScope('This route is not available to any scope.');
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) throw invalidToken('Missing or malformed bearer token.');
    let principal: VerifiedToken;
    try {
      principal = await this.tokens.verify(match[1]);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw invalidToken(error.message);
      throw error;
    }
    const granting = grantingScopes(required, request.method);
    if (!scopesAllow(principal.scopes, granting, projectKey)) {
      const names = granting.length > 0 ? granting : ['manage_project'];
      throw insufficientScope(`Insufficient scope. One of the following scopes is missing: ${names.map((s) => `${s}:${projectKey}`).join(', ')}`);
    }
    request.principal = principal;
    return true;
  }
}
