// The REST route table: read by the RestApi construct, the route handlers and the offline gateway shim.

import { ADMIN_SCOPE } from './oauth-scopes';
import type { RoutePolicy } from './route-policy';
import { DEFAULT_STEP_UP_MAX_AGE_SECONDS } from './route-policy';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Which Lambda function serves a route. */
export type RouteFunction = 'api' | 'auth' | 'admin';

export interface Route extends RoutePolicy {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` marks a path parameter. */
  readonly path: string;
  readonly fn: RouteFunction;
  /** `public` routes skip the authorizer; every other route is authorized. */
  readonly auth: 'public' | 'authorized';
  /** Cognito group the caller must belong to (checked by the handler: 403 ERR_FORBIDDEN). */
  readonly group?: string;
  /** `required`: only device-bound tokens (DPoP), whatever the client; others may call with unbound ones. */
  readonly dpop?: 'required';
}

export const ADMIN_GROUP = 'admins';

/** Every admin route: the admins group and the admin scope; the revoke routes also need a recent sign-in. */
const ADMIN = {
  fn: 'admin',
  auth: 'authorized',
  group: ADMIN_GROUP,
  scopes: [ADMIN_SCOPE],
  dpop: 'required', // admins act from the page: a copied admin token is useless anywhere else
} as const;
const STEP_UP = { maxAuthAgeSeconds: DEFAULT_STEP_UP_MAX_AGE_SECONDS } as const;

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', fn: 'api', auth: 'public' },
  { method: 'GET', path: '/me', fn: 'api', auth: 'authorized' },
  { method: 'POST', path: '/auth/login', fn: 'auth', auth: 'public' },
  { method: 'POST', path: '/auth/session', fn: 'auth', auth: 'public' },
  { method: 'POST', path: '/auth/refresh', fn: 'auth', auth: 'public' },
  { method: 'POST', path: '/auth/logout', fn: 'auth', auth: 'authorized' },
  { method: 'POST', path: '/auth/logout-all', fn: 'auth', auth: 'authorized' },
  // The caller's own sessions (served by the auth function, which ends sessions the way logout does).
  { method: 'GET', path: '/me/sessions', fn: 'auth', auth: 'authorized' },
  { method: 'POST', path: '/me/sessions/{sessionId}/revoke', fn: 'auth', auth: 'authorized' },
  // ?email=<prefix>[&next=<cursor>]: find a user by email (one page of the pool's ListUsers).
  { method: 'GET', path: '/admin/users', ...ADMIN },
  { method: 'GET', path: '/admin/users/{sub}/sessions', ...ADMIN },
  { method: 'POST', path: '/admin/users/{sub}/revoke', ...ADMIN, ...STEP_UP },
  { method: 'POST', path: '/admin/sessions/{sessionId}/revoke', ...ADMIN, ...STEP_UP },
];

/** Key that handlers dispatch on: API Gateway's `${httpMethod} ${resource}`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
