// Pure core of events in: which Cognito API call (a CloudTrail event on EventBridge) revokes which user, by whom.

/** EventBridge `source` and `detail-type` of CloudTrail-recorded user-pool API calls. */
export const COGNITO_EVENT_SOURCE = 'aws.cognito-idp';
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const COGNITO_IDP_EVENT_SOURCE = 'cognito-idp.amazonaws.com';

/**
 * IAM-authorized admin calls after which no token issued before them may keep working; the request names the pool
 * (`requestParameters.userPoolId`). A removal from a group revokes the user's tokens (they carry `cognito:groups` as
 * issued); an addition revokes nothing (old tokens hold fewer rights).
 */
export const ADMIN_REVOKING_CALLS = [
  'AdminDisableUser',
  'AdminDeleteUser',
  'AdminUserGlobalSignOut',
  'AdminResetUserPassword',
  'AdminSetUserPassword',
  'AdminRemoveUserFromGroup',
] as const;

/**
 * Calls users make themselves, authorized by their own access token (ChangePassword, GlobalSignOut, DeleteUser) or by
 * a code mailed to them (ConfirmForgotPassword). New credentials, a sign-out everywhere or a deleted account end every
 * session of the user, the calling one included: the record names no session, only the user. Their requests name no
 * pool (docs/events.md).
 */
export const USER_REVOKING_CALLS = [
  'ChangePassword',
  'ConfirmForgotPassword',
  'GlobalSignOut',
  'DeleteUser',
] as const;

/** Every call that revokes its user. */
export const REVOKING_COGNITO_CALLS = [...ADMIN_REVOKING_CALLS, ...USER_REVOKING_CALLS] as const;

export type RevokingCognitoCall = (typeof REVOKING_COGNITO_CALLS)[number];

/** A Cognito change that revokes every token of `sub` issued up to `changedAt`. */
export interface CognitoChange {
  readonly call: RevokingCognitoCall;
  readonly sub: string;
  /**
   * Who made the call: `iam:<principal ARN>` as CloudTrail recorded it (console and CLI alike) for an admin call;
   * the user's own `sub` for their own call (as for logout).
   */
  readonly actor: string;
  /** `cognito:<call>`. */
  readonly reason: string;
  /** Epoch seconds of CloudTrail's `eventTime`; undefined when unreadable (then: now). */
  readonly changedAt?: number;
  /** CloudTrail `eventID`, for logs. */
  readonly eventId?: string;
}

/** Why an event changes nothing; `no-sub` is a revoking call we cannot attribute (an error, not a no-op). */
export type IgnoredBecause =
  'not-cloudtrail' | 'not-cognito' | 'not-revoking' | 'failed-call' | 'other-pool' | 'no-sub';

export type MappedEvent =
  | { readonly kind: 'revoke'; readonly change: CognitoChange }
  | { readonly kind: 'ignore'; readonly because: IgnoredBecause; readonly call?: string };

const SUB = /^[A-Za-z0-9-]{1,128}$/;

/**
 * Maps one EventBridge event to a revocation, or says why it changes nothing. Only successful calls count; the user
 * is the pool `sub` Cognito records in `additionalEventData.sub` (it records the sub, never the username). An admin
 * call must name our pool; a user's call names none, so it only must not name another one (a `sub` that is not ours
 * revokes nothing anyone holds).
 */
export function cognitoChange(event: unknown, userPoolId: string): MappedEvent {
  const envelope = record(event);
  if (envelope['detail-type'] !== CLOUDTRAIL_DETAIL_TYPE) return ignore('not-cloudtrail');
  const detail = record(envelope.detail);
  if (envelope.source !== COGNITO_EVENT_SOURCE || detail.eventSource !== COGNITO_IDP_EVENT_SOURCE) {
    return ignore('not-cognito');
  }
  const call = typeof detail.eventName === 'string' ? detail.eventName : '';
  if (!isRevokingCall(call)) return ignore('not-revoking', call);
  if (detail.errorCode !== undefined && detail.errorCode !== null && detail.errorCode !== '') {
    return ignore('failed-call', call);
  }
  const pool = recordedPool(detail);
  const admin = (ADMIN_REVOKING_CALLS as readonly string[]).includes(call);
  if (admin ? pool !== userPoolId : pool !== undefined && pool !== userPoolId)
    return ignore('other-pool', call);
  const sub = record(detail.additionalEventData).sub;
  if (typeof sub !== 'string' || !SUB.test(sub)) return ignore('no-sub', call);
  const changedAt = epochSeconds(detail.eventTime);
  return {
    kind: 'revoke',
    change: {
      call,
      sub,
      actor: admin ? actorOf(record(detail.userIdentity)) : sub,
      reason: `cognito:${call}`,
      ...(changedAt !== undefined ? { changedAt } : {}),
      ...(typeof detail.eventID === 'string' ? { eventId: detail.eventID } : {}),
    },
  };
}

/** `iam:<arn>` for IAM users and (assumed) roles; `aws:<service>` for a call an AWS service made. */
export function actorOf(identity: Record<string, unknown>): string {
  if (typeof identity.arn === 'string' && identity.arn) return `iam:${identity.arn}`;
  if (typeof identity.invokedBy === 'string' && identity.invokedBy) return `aws:${identity.invokedBy}`;
  if (typeof identity.principalId === 'string' && identity.principalId) return `iam:${identity.principalId}`;
  return 'iam:unknown';
}

/** The pool the record names: the admin request's parameter, or (managed-login records) additionalEventData. */
function recordedPool(detail: Record<string, unknown>): string | undefined {
  const pool = record(detail.requestParameters).userPoolId ?? record(detail.additionalEventData).userPoolId;
  return typeof pool === 'string' ? pool : undefined;
}

function isRevokingCall(name: string): name is RevokingCognitoCall {
  return (REVOKING_COGNITO_CALLS as readonly string[]).includes(name);
}

function epochSeconds(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function ignore(because: IgnoredBecause, call?: string): MappedEvent {
  return { kind: 'ignore', because, ...(call ? { call } : {}) };
}
