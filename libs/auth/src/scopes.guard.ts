import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CtException } from '../../common/src';
import { PUBLIC_KEY, SCOPES_KEY } from './scopes.decorator';

/** Global guard: a route is reachable only when it is @Public() or declares its scopes. */
@Injectable()
export class ScopesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const scopes = this.reflector.getAllAndOverride<string[]>(SCOPES_KEY, targets);
    if (!scopes || scopes.length === 0) {
      throw new CtException(403, [{ code: 'insufficient_scope', message: 'This route declares no scope and is not reachable.' }], 'insufficient_scope');
    }
    return true;
  }
}
