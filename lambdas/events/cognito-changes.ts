// Events in: applies one CloudTrail-recorded Cognito change as a user revocation through the revocation service.

import type { RevocationService } from '../shared/revocation-service';
import type { CognitoChange, IgnoredBecause } from './cognito-trail';
import { cognitoChange } from './cognito-trail';

export interface CognitoChangeDeps {
  readonly userPoolId: string;
  /** The one write path: watermark, socket closing, `User Revoked` event. */
  readonly revocations: RevocationService;
}

export type ChangeOutcome =
  | { readonly kind: 'revoked'; readonly change: CognitoChange; readonly notBefore?: number }
  | { readonly kind: 'ignored'; readonly because: Exclude<IgnoredBecause, 'no-sub'>; readonly call?: string };

/** Thrown for a revoking call that names no user we can revoke: it must reach the dead-letter queue, not vanish. */
export class UnattributableChangeError extends Error {
  constructor(readonly call: string | undefined) {
    super(`${call ?? 'a Cognito call'} carries no additionalEventData.sub: cannot revoke`);
    this.name = 'UnattributableChangeError';
  }
}

/**
 * Revokes every token of the changed user issued up to the moment Cognito recorded the change (not the moment the
 * event arrived: a user who signs in again right after must keep the new session). Store failures throw (retry).
 */
export async function applyCognitoChange(event: unknown, deps: CognitoChangeDeps): Promise<ChangeOutcome> {
  const mapped = cognitoChange(event, deps.userPoolId);
  if (mapped.kind === 'ignore') {
    if (mapped.because === 'no-sub') throw new UnattributableChangeError(mapped.call);
    return { kind: 'ignored', because: mapped.because, ...(mapped.call ? { call: mapped.call } : {}) };
  }
  const { change } = mapped;
  const record = await deps.revocations.revokeUser(
    { sub: change.sub },
    { actor: change.actor, reason: change.reason },
    change.changedAt,
  );
  return {
    kind: 'revoked',
    change,
    ...(record.notBefore !== undefined ? { notBefore: record.notBefore } : {}),
  };
}
