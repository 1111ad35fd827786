// Refresh-token families of the Cognito twin: one per sign-in, rotated with a grace period, ended by revocation.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'cognito-local/lib/services/context';
import type { DataStore } from 'cognito-local/lib/services/dataStore/dataStore';

/** One sign-in session: every refresh token rotated from the first one shares it (and its `origin_jti`). */
export interface RefreshFamily {
  /** The `origin_jti` of every access and ID token of this session. */
  readonly originJti: string;
  readonly clientId: string;
  readonly userPoolId: string;
  /** cognito-local's `Username` of the user (with email sign-in: the sub). */
  readonly username: string;
  /** Scopes granted at sign-in; refreshed access tokens carry the same. */
  readonly scope: string;
  /** Epoch seconds of the sign-in: every token of the family carries it as `auth_time` (absent in older data). */
  readonly authTime?: number;
  /** Epoch seconds: the first refresh token's expiry; rotated tokens keep it. */
  readonly expiresAt: number;
  /** SHA-256 of the refresh token that works now. */
  readonly current: string;
  /** Rotated-away tokens (SHA-256) and when they were rotated away. */
  readonly rotated: readonly { readonly hash: string; readonly rotatedAt: number }[];
  readonly revoked: boolean;
}

/** What a presented refresh token is worth. */
export type Presented =
  | { readonly ok: true; readonly family: RefreshFamily }
  | { readonly ok: false; readonly why: 'unknown' | 'revoked' | 'expired' | 'rotated' };

/** Only the SHA-256 of a refresh token is stored, never the token. */
const hash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** An opaque refresh token (real Cognito's are JWE; clients must not parse either). */
const newRefreshToken = (): string => randomBytes(48).toString('base64url');

/** Families persisted in cognito-local's JSON data store, so sessions survive a restart of the twin. */
export class RefreshFamilies {
  constructor(
    private readonly store: DataStore,
    private readonly ctx: Context,
  ) {}

  /** Starts a family at sign-in; returns its first refresh token. */
  async start(
    family: Omit<RefreshFamily, 'originJti' | 'current' | 'rotated' | 'revoked'>,
  ): Promise<{ family: RefreshFamily; refreshToken: string }> {
    const refreshToken = newRefreshToken();
    const started: RefreshFamily = {
      ...family,
      originJti: randomUUID(),
      current: hash(refreshToken),
      rotated: [],
      revoked: false,
    };
    await this.save(started, [started.current]);
    return { family: started, refreshToken };
  }

  /**
   * The family a refresh token belongs to, if the token may still refresh: the current one, or a rotated-away
   * one within `graceSeconds` of its rotation (RetryGracePeriodSeconds, API_RefreshTokenRotationType).
   */
  async present(
    refreshToken: string,
    clientId: string,
    now: number,
    graceSeconds: number,
  ): Promise<Presented> {
    const presented = hash(refreshToken);
    const family = await this.byToken(presented);
    if (!family || family.clientId !== clientId) return { ok: false, why: 'unknown' };
    if (family.revoked) return { ok: false, why: 'revoked' };
    if (family.expiresAt <= now) return { ok: false, why: 'expired' };
    if (presented === family.current) return { ok: true, family };
    const rotated = family.rotated.find((entry) => entry.hash === presented);
    return rotated && now - rotated.rotatedAt <= graceSeconds
      ? { ok: true, family }
      : { ok: false, why: 'rotated' };
  }

  /** Rotation: a new current token; the old current one starts its grace period now. */
  async rotate(family: RefreshFamily, now: number): Promise<string> {
    const refreshToken = newRefreshToken();
    const fresh = await this.byId(family.originJti);
    if (!fresh) throw new Error('refresh family vanished');
    const next: RefreshFamily = {
      ...fresh,
      current: hash(refreshToken),
      rotated: [...fresh.rotated, { hash: fresh.current, rotatedAt: now }],
    };
    await this.save(next, [next.current]);
    return refreshToken;
  }

  /** Ends the family of any of its tokens (RevokeToken); false when the token belongs to no family of the client. */
  async revokeByToken(refreshToken: string, clientId: string): Promise<boolean> {
    const family = await this.byToken(hash(refreshToken));
    if (!family || family.clientId !== clientId) return false;
    await this.save({ ...family, revoked: true }, []);
    return true;
  }

  /** Ends every family of a user (AdminUserGlobalSignOut); returns how many were still open. */
  async revokeUser(userPoolId: string, username: string): Promise<number> {
    const families = Object.values(
      (await this.store.get<Record<string, RefreshFamily>>(this.ctx, 'Families')) ?? {},
    );
    const open = families.filter(
      (family) => family.userPoolId === userPoolId && family.username === username && !family.revoked,
    );
    for (const family of open) await this.save({ ...family, revoked: true }, []);
    return open.length;
  }

  private async byToken(tokenHash: string): Promise<RefreshFamily | undefined> {
    const originJti = await this.store.get<string>(this.ctx, ['Tokens', tokenHash]);
    return originJti ? this.byId(originJti) : undefined;
  }

  private async byId(originJti: string): Promise<RefreshFamily | undefined> {
    return (await this.store.get<RefreshFamily>(this.ctx, ['Families', originJti])) ?? undefined;
  }

  private async save(family: RefreshFamily, newTokens: readonly string[]): Promise<void> {
    for (const tokenHash of newTokens)
      await this.store.set(this.ctx, ['Tokens', tokenHash], family.originJti);
    await this.store.set(this.ctx, ['Families', family.originJti], family);
  }
}
