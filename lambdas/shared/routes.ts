// The REST route table: read by the RestApi construct, the route handlers and the offline gateway shim.

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** Which Lambda function serves a route. */
export type RouteFunction = 'api' | 'auth' | 'admin';

export interface Route {
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` marks a path parameter. */
  readonly path: string;
  readonly fn: RouteFunction;
  /** `public` routes skip the authorizer; every other route is authorized. */
  readonly auth: 'public' | 'authorized';
  /** Cognito group the caller must belong to (checked by the handler: 403 ERR_FORBIDDEN). */
  readonly group?: string;
}

export const ADMIN_GROUP = 'admins';

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
  { method: 'GET', path: '/admin/users', fn: 'admin', auth: 'authorized', group: ADMIN_GROUP },
  { method: 'GET', path: '/admin/users/{sub}/sessions', fn: 'admin', auth: 'authorized', group: ADMIN_GROUP },
  { method: 'POST', path: '/admin/users/{sub}/revoke', fn: 'admin', auth: 'authorized', group: ADMIN_GROUP },
  {
    method: 'POST',
    path: '/admin/sessions/{sessionId}/revoke',
    fn: 'admin',
    auth: 'authorized',
    group: ADMIN_GROUP,
  },
];

/** Key that handlers dispatch on: API Gateway's `${httpMethod} ${resource}`. */
export function routeKey(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
