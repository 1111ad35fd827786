// A sign-in the deny-list already refuses: a managed-login cookie can mint tokens of a sign-in older than a user
// watermark (revoke-all), so /auth/session reads the deny-list before it records a session.

import type { AccessClaims } from '../shared/claims';
import type { Clock, RevocationReader } from '../shared/ports';
import { revokingScope } from '../shared/revocation-rules';
import { clearedCookie, LOGIN_COOKIE } from './cookie';
import type { Outcome } from './outcome';
import { fail } from './outcome';
import type { IdentityProvider, TokenSet } from './ports';

export interface RevokedSignInDeps {
  readonly denyList: RevocationReader;
  readonly idp: IdentityProvider;
  readonly clock: Clock;
}

/**
 * The refusal of a sign-in whose new tokens a deny-list entry already revokes (a user watermark after `auth_time`,
 * whatever `iat` says), or undefined. Cognito's refresh token of that sign-in is revoked too, best effort: no session
 * is recorded either way. A store outage throws (fail closed: no session).
 */
export async function revokedSignIn(
  claims: AccessClaims,
  tokens: TokenSet,
  deps: RevokedSignInDeps,
): Promise<Outcome | undefined> {
  const records = await deps.denyList.lookup(claims);
  const scope = revokingScope(claims, records, deps.clock.nowSeconds());
  if (!scope) return undefined;
  if (tokens.refreshToken) await deps.idp.revokeRefreshToken(tokens.refreshToken).catch(() => undefined);
  return fail(
    401,
    'ERR_TOKEN_REVOKED',
    'this sign-in continues a revoked session: sign in with your password',
    {
      cookies: [clearedCookie(LOGIN_COOKIE)],
      denial: {
        reason: 'ERR_TOKEN_REVOKED',
        scope,
        sub: claims.sub,
        ...(claims.originJti ? { sessionId: claims.originJti } : {}),
        token: tokens.accessToken,
      },
    },
  );
}
