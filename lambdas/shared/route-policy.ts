// Route policy (scopes, step-up) and the one check of it, used by the REST guard and the `$connect` authorizer.

import type { ReasonCode } from './reasons';
import { bearerChallenge } from './reasons';

/** What a route asks of the access token beyond being valid and unrevoked. */
export interface RoutePolicy {
  /** OAuth scopes the token's `scope` claim must all carry (else 403 `insufficient_scope`). */
  readonly scopes?: readonly string[];
  /**
   * The user must have authenticated (`auth_time`) at most this many seconds ago, else 401
   * `insufficient_user_authentication` with `max_age` (RFC 9470 §3). A token without `auth_time` never passes.
   */
  readonly maxAuthAgeSeconds?: number;
}

/** A route that requires a fresh sign-in gets this age unless the stage configures another. */
export const DEFAULT_STEP_UP_MAX_AGE_SECONDS = 15 * 60;

/** Why a valid token does not satisfy a policy: the status, the challenge and the body of the refusal. */
export interface PolicyRefusal {
  readonly status: 401 | 403;
  readonly reason: Extract<ReasonCode, 'ERR_FORBIDDEN' | 'ERR_STEP_UP_REQUIRED'>;
  readonly message: string;
  readonly wwwAuthenticate: string;
}

/** The token facts a policy reads. */
export interface PolicySubject {
  readonly scopes: readonly string[];
  readonly authTime?: number;
}

/** Undefined when `subject` satisfies `policy` at `nowSeconds`; scopes are checked first (a fresh sign-in won't add one). */
export function policyRefusal(
  policy: RoutePolicy,
  subject: PolicySubject,
  nowSeconds: number,
): PolicyRefusal | undefined {
  const missing = (policy.scopes ?? []).filter((scope) => !subject.scopes.includes(scope));
  if (missing.length > 0) {
    const scope = (policy.scopes ?? []).join(' ');
    return {
      status: 403,
      reason: 'ERR_FORBIDDEN',
      message: `requires scope ${scope}`,
      wwwAuthenticate: bearerChallenge('ERR_FORBIDDEN', 'insufficient_scope', { scope }),
    };
  }
  const maxAge = policy.maxAuthAgeSeconds;
  if (maxAge === undefined) return undefined;
  if (subject.authTime !== undefined && nowSeconds - subject.authTime <= maxAge) return undefined;
  return {
    status: 401,
    reason: 'ERR_STEP_UP_REQUIRED',
    message: `requires a sign-in within the last ${maxAge} seconds`,
    wwwAuthenticate: bearerChallenge('ERR_STEP_UP_REQUIRED', undefined, { max_age: String(maxAge) }),
  };
}

/** `policy` with its step-up age replaced by the stage's (routes without step-up stay without). */
export function withStepUpAge<T extends RoutePolicy>(policy: T, maxAuthAgeSeconds: number): T {
  return policy.maxAuthAgeSeconds === undefined ? policy : { ...policy, maxAuthAgeSeconds };
}
