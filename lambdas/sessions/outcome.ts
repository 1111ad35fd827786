// What a session core answers: status, body, the Set-Cookie lines (sealed values), what to log (never a token).

import { ERR_REVOCATION_NOT_STORED } from '../shared/reasons';
import type { ReasonCode, RevocationScope } from '../shared/reasons';

/** Error codes of the session routes beyond the shared reason codes. */
export const SessionErrorCode = {
  badRequest: 'ERR_BAD_REQUEST',
  notFound: 'ERR_NOT_FOUND',
  conflict: 'ERR_CONFLICT',
  upstream: 'ERR_UPSTREAM',
  revocationNotStored: ERR_REVOCATION_NOT_STORED,
} as const;

export type SessionErrorCode = (typeof SessionErrorCode)[keyof typeof SessionErrorCode];

/** An authentication failure for the one `auth_denied` line; `token` is only fingerprinted. */
export interface Denial {
  readonly reason: ReasonCode;
  readonly scope?: RevocationScope;
  readonly sub?: string;
  readonly sessionId?: string;
  readonly token?: string;
}

/** An info line for operators: what happened to which session. */
export interface SessionEvent {
  readonly event: string;
  readonly sub?: string;
  readonly sessionId?: string;
  readonly [field: string]: string | number | boolean | undefined;
}

export interface Outcome {
  readonly status: number;
  readonly body: unknown;
  /** `Set-Cookie` lines, values already sealed (see cookie.ts). */
  readonly cookies?: readonly string[];
  readonly denial?: Denial;
  readonly event?: SessionEvent;
  /** A rotated-away refresh token came back: the metric and the alarm. */
  readonly reuseDetected?: boolean;
}

/** A JSON success. */
export function ok(body: unknown, extra: Omit<Outcome, 'status' | 'body'> = {}): Outcome {
  return { status: 200, body, ...extra };
}

/** A typed error body `{ error, message }`. */
export function fail(
  status: number,
  error: ReasonCode | SessionErrorCode,
  message: string,
  extra: Omit<Outcome, 'status' | 'body'> = {},
): Outcome {
  return { status, body: { error, message }, ...extra };
}
