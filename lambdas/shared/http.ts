// HTTP helpers for REST proxy handlers: JSON responses with CORS + security headers, typed errors (with their RFC
// 6750 challenge), route guards.

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { Identity } from './claims';
import { fromAuthorizerContext } from './claims';
import type { Observability } from './observability';
import { recordDenied } from './observability';
import type { ReasonCode } from './reasons';
import { bearerChallenge, REASON_MEANINGS } from './reasons';
import type { Route } from './routes';
import { policyRefusal, withStepUpAge } from './route-policy';
import { ROUTES, routeKey } from './routes';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** CORS headers for an allowlisted Origin; none for any other origin. */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return {};
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Credentials': 'true',
    Vary: 'Origin',
  };
}

export interface JsonResponseOptions {
  readonly headers?: Record<string, string>;
  readonly cookies?: readonly string[];
}

/** A JSON response; a 401 or 403 with a typed `error` also carries its `WWW-Authenticate: Bearer` challenge. */
export function json(
  statusCode: number,
  body: unknown,
  options: JsonResponseOptions = {},
): APIGatewayProxyResult {
  const error = (body as { error?: unknown } | null)?.error;
  const challenge: Record<string, string> =
    (statusCode === 401 || statusCode === 403) && typeof error === 'string'
      ? { 'WWW-Authenticate': bearerChallenge(error) }
      : {};
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, ...challenge, ...options.headers },
    ...(options.cookies?.length ? { multiValueHeaders: { 'Set-Cookie': [...options.cookies] } } : {}),
    body: JSON.stringify(body),
  };
}

/** Error codes beyond the auth reason codes (request shape, routing, upstream). */
export type ErrorCode = ReasonCode | `ERR_${string}`;

/** A typed error body: `{ error: <reason code>, message }`. */
export function errorResponse(
  statusCode: number,
  error: ErrorCode,
  message: string,
  options?: JsonResponseOptions,
): APIGatewayProxyResult {
  return json(statusCode, { error, message }, options);
}

/** Case-insensitive request header. */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === wanted);
  return entry?.[1] ?? undefined;
}

export function findRoute(event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'resource'>): Route | undefined {
  const key = `${event.httpMethod} ${event.resource}`;
  return ROUTES.find((route) => routeKey(route) === key);
}

export type Guarded =
  | { ok: true; identity: Identity }
  | {
      ok: false;
      reason: 'ERR_TOKEN_MISSING' | 'ERR_FORBIDDEN' | 'ERR_STEP_UP_REQUIRED';
      sub?: string;
      response: APIGatewayProxyResult;
    };

/** How the guard answers: response headers, and the stage's step-up age for routes that require one. */
export interface GuardOptions extends JsonResponseOptions {
  /** Replaces the route table's `maxAuthAgeSeconds` on routes that declare one. */
  readonly stepUpMaxAgeSeconds?: number;
  /** @default the wall clock */
  readonly nowSeconds?: number;
}

/**
 * The identity the authorizer verified, checked against the route's group and then its policy (scopes, step-up:
 * lambdas/shared/route-policy.ts, the check `$connect` runs too). The policy is checked here rather than in the REST
 * authorizer because API Gateway gives every authorizer denial one status (ACCESS_DENIED), so it could not answer
 * 403 `insufficient_scope` next to 401 `invalid_token`, and because a cached authorizer answer covers every route.
 * API Gateway never invokes an authorized route without an identity; a missing one is answered 401 (fail closed).
 */
export function guard(event: APIGatewayProxyEvent, route: Route, options: GuardOptions = {}): Guarded {
  const identity = fromAuthorizerContext(event.requestContext.authorizer);
  if (!identity) {
    return {
      ok: false,
      reason: 'ERR_TOKEN_MISSING',
      response: errorResponse(401, 'ERR_TOKEN_MISSING', REASON_MEANINGS.ERR_TOKEN_MISSING.message, options),
    };
  }
  if (route.group && !identity.groups.includes(route.group)) {
    const response = errorResponse(403, 'ERR_FORBIDDEN', `requires group ${route.group}`, options);
    return { ok: false, reason: 'ERR_FORBIDDEN', sub: identity.sub, response };
  }
  const policy =
    options.stepUpMaxAgeSeconds === undefined ? route : withStepUpAge(route, options.stepUpMaxAgeSeconds);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  const refusal = policyRefusal(policy, identity, now);
  if (refusal) {
    const response = errorResponse(refusal.status, refusal.reason, refusal.message, {
      ...options,
      headers: { ...options.headers, 'WWW-Authenticate': refusal.wwwAuthenticate },
    });
    return { ok: false, reason: refusal.reason, sub: identity.sub, response };
  }
  return { ok: true, identity };
}

/** Records a guard refusal like any other denial (one `auth_denied` line + metric) and returns its response. */
export function refuse(
  obs: Observability,
  event: APIGatewayProxyEvent,
  refused: Extract<Guarded, { ok: false }>,
): APIGatewayProxyResult {
  recordDenied(obs, {
    reason: refused.reason,
    route: `${event.httpMethod} ${event.resource}`,
    sourceIp: event.requestContext?.identity?.sourceIp,
    userAgent: event.requestContext?.identity?.userAgent ?? undefined,
    sub: refused.sub,
  });
  return refused.response;
}
