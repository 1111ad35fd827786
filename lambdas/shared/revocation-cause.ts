// Who ended a session, from a deny-list entry's `reason`: the words a denial adds so a user can tell an administrator's
// revoke, a change to their Cognito account and theft detection from their own sign-out.

/** Who or what wrote a revocation, as the person whose token it refuses should hear it. */
export type RevocationCause = 'user' | 'admin' | 'cognito-change' | 'refresh-reuse';

/** The cause behind a stored `reason` (`logout`, `admin`, `cognito:AdminDisableUser`, …); undefined when unknown. */
export function revocationCause(reason: string): RevocationCause | undefined {
  if (reason === 'admin') return 'admin';
  if (reason === 'refresh-reuse') return 'refresh-reuse';
  if (reason.startsWith('cognito:')) return 'cognito-change';
  if (['logout', 'logout-all', 'user-revoke', 'replaced-by-sign-in'].includes(reason)) return 'user';
  return undefined;
}

const SENTENCES: Readonly<Record<RevocationCause, string>> = {
  user: 'you ended it (a sign-out on this or another device, or a new sign-in in this browser)',
  admin: 'an administrator ended it',
  'cognito-change': 'your account was changed in Cognito (password, disabled, signed out there)',
  'refresh-reuse': 'an old refresh token was used again (possible theft), so the session was ended',
};

/** The clause a denial message adds, e.g. "an administrator ended it". */
export function causeSentence(cause: RevocationCause): string {
  return SENTENCES[cause];
}
