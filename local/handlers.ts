// The real Lambda handlers behind the shim, loaded on demand so they read the offline env at their "cold start".
/* eslint-disable @typescript-eslint/no-require-imports -- required only after the offline env is set */
import type * as AdminHandler from '../lambdas/admin/handler';
import type * as ApiHandler from '../lambdas/api/handler';
import type * as AuthHandler from '../lambdas/auth/handler';
import type * as AuthorizerHandler from '../lambdas/authorizer/handler';
import type * as CognitoEventsHandler from '../lambdas/events/handler';
import type { RouteFunction } from '../lambdas/shared/routes';

export type ProxyHandler = typeof ApiHandler.handler;
export type RequestAuthorizer = typeof AuthorizerHandler.handler;

/** One entry per function of the route table: a new `fn` there is a compile error here until it is wired. */
const ROUTE_FUNCTIONS: Record<RouteFunction, () => ProxyHandler> = {
  api: () => (require('../lambdas/api/handler') as typeof ApiHandler).handler,
  auth: () => (require('../lambdas/auth/handler') as typeof AuthHandler).handler,
  admin: () => (require('../lambdas/admin/handler') as typeof AdminHandler).handler,
};

export interface Handlers {
  readonly authorizer: RequestAuthorizer;
  /** Events in: the EventBridge target for CloudTrail-recorded Cognito changes. */
  readonly cognitoEvents: typeof CognitoEventsHandler.handler;
  readonly routes: Readonly<Record<RouteFunction, ProxyHandler>>;
}

/** Loads every handler; call after the offline env is set. */
export function loadHandlers(): Handlers {
  const authorizer = (require('../lambdas/authorizer/handler') as typeof AuthorizerHandler).handler;
  const routes = Object.fromEntries(Object.entries(ROUTE_FUNCTIONS).map(([fn, load]) => [fn, load()]));
  const cognitoEvents = (require('../lambdas/events/handler') as typeof CognitoEventsHandler).handler;
  return { authorizer, cognitoEvents, routes: routes as Record<RouteFunction, ProxyHandler> };
}
