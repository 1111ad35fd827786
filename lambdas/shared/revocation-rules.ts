// Pure rule: which stored deny-list entry, if any, revokes a given token right now.

import type { AccessClaims } from './claims';
import type { RevocationRecord } from './ports';
import type { RevocationScope } from './reasons';

/** Returns the scope of the first entry that revokes the token, or undefined. Expired entries never apply. */
export function revokingScope(
  claims: Pick<AccessClaims, 'iat' | 'sub'>,
  records: readonly RevocationRecord[],
  nowSeconds: number,
): RevocationScope | undefined {
  for (const record of records) {
    if (record.expiresAt <= nowSeconds) continue; // TTL deletion is lazy: an expired entry is gone
    if (record.scope !== 'user') return record.scope;
    if (record.sub === claims.sub && record.notBefore !== undefined && claims.iat < record.notBefore) {
      return 'user';
    }
  }
  return undefined;
}
