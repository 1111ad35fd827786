// Pure rules: which stored deny-list entry, if any, revokes a given token right now, and when a token has expired.

import type { AccessClaims } from './claims';
import type { RevocationRecord } from './ports';
import type { RevocationScope } from './reasons';

/**
 * Returns the scope of the first entry that revokes the token, or undefined. An entry applies through the whole
 * second of its `expiresAt`: aws-jwt-verify accepts a token while `exp >= now` (fractional seconds), so an entry
 * that expires with the token must still apply at `nowSeconds === exp`. A user watermark revokes a token issued
 * before it (`iat`) and a token whose sign-in happened before it (`auth_time`), even if issued later: a managed-login
 * cookie can mint fresh tokens without a password (docs/rooms.md, "Revoke-all means re-authenticate").
 */
export function revokingScope(
  claims: Pick<AccessClaims, 'iat' | 'sub' | 'authTime'>,
  records: readonly RevocationRecord[],
  nowSeconds: number,
): RevocationScope | undefined {
  return revokingRecord(claims, records, nowSeconds)?.scope;
}

/** The entry behind revokingScope (its `reason` and `actor` say who ended the session), or undefined. */
export function revokingRecord(
  claims: Pick<AccessClaims, 'iat' | 'sub' | 'authTime'>,
  records: readonly RevocationRecord[],
  nowSeconds: number,
): RevocationRecord | undefined {
  for (const record of records) {
    if (record.expiresAt < nowSeconds) continue; // TTL deletion is lazy: an expired entry is gone
    if (record.scope !== 'user') return record;
    if (record.sub === claims.sub && record.notBefore !== undefined && before(claims, record.notBefore)) {
      return record;
    }
  }
  return undefined;
}

function before(claims: Pick<AccessClaims, 'iat' | 'authTime'>, notBefore: number): boolean {
  return claims.iat < notBefore || (claims.authTime !== undefined && claims.authTime < notBefore);
}

/**
 * A stored token's expiry, decided on the Clock's whole seconds: expired from the second of `exp` on. This errs
 * closed by under a second against aws-jwt-verify (which accepts until `exp` exactly), never open.
 */
export function tokenExpired(exp: number, nowSeconds: number): boolean {
  return exp <= nowSeconds;
}
