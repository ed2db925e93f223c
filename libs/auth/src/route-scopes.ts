import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_KEY, SCOPES_KEY } from './scopes.decorator';

/** Methods that only read; every other method is a write and needs a `manage_*` scope. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

/** `view_*` scopes grant reads only, never a write, whatever a route declares. */
export const isViewScope = (name: string) => name.startsWith('view_');

/** The scopes that can grant a request with this method: without the `view_*` ones on writes. */
export const grantingScopes = (required: readonly string[], method: string): string[] =>
  READ_METHODS.has(method.toUpperCase()) ? [...required] : required.filter((name) => !isViewScope(name));

export interface DeclaredRoute {
  /** `Controller.handler`. */
  name: string;
  /** HTTP method, e.g. `POST` (`ALL` for @All). */
  method: string;
  scopes?: string[];
  isPublic: boolean;
}

/** Every route handler of the application's controllers with its declared scopes, from the Nest metadata. */
export function declaredRoutes(modules: ModulesContainer): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as { prototype: Record<string, unknown>; name: string } | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name];
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[(Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined) ?? RequestMethod.GET];
        const scopes = (Reflect.getMetadata(SCOPES_KEY, handler) ?? Reflect.getMetadata(SCOPES_KEY, controller)) as string[] | undefined;
        const isPublic = Boolean(Reflect.getMetadata(PUBLIC_KEY, handler) ?? Reflect.getMetadata(PUBLIC_KEY, controller));
        routes.push({ name: `${controller.name}.${name}`, method, scopes, isPublic });
      }
    }
  }
  return routes;
}

/** Write routes that declare a `view_*` scope (a declaration mistake: the guard would not honour it anyway). */
export function viewScopesOnWrites(routes: readonly DeclaredRoute[]): string[] {
  return routes
    .filter((route) => !READ_METHODS.has(route.method) && (route.scopes ?? []).some(isViewScope))
    .map((route) => `${route.method} ${route.name}: ${(route.scopes ?? []).filter(isViewScope).join(', ')}`);
}
