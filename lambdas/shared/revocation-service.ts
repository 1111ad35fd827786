// The revocation service: every way a session ends (logout, logout-all, admin, refresh reuse, Cognito changes) writes here.

import type { Clock, RevocationKey, RevocationRecord, RevocationWriter } from './ports';

export interface RevocationServiceConfig {
  /** Refresh-token validity: how long a session (and a user watermark) must be remembered. */
  readonly refreshTokenValiditySeconds: number;
}

/**
 * Told about every revocation after it is stored (close WebSockets, log + metric, publish the event). Listeners
 * must not throw: the stored item is the revocation, whatever happens to its side effects.
 */
export interface RevocationListener {
  revoked(key: RevocationKey, record: RevocationRecord): Promise<void>;
}

export interface Actor {
  /** Who revoked: a user's sub, `admin:<sub>`, `system` (e.g. refresh reuse) or `iam:<principal ARN>`. */
  readonly actor: string;
  /** Why, e.g. `logout`, `logout-all`, `admin`, `refresh-reuse`, `cognito:AdminDisableUser`. */
  readonly reason: string;
}

export class RevocationService {
  constructor(
    private readonly writer: RevocationWriter,
    private readonly clock: Clock,
    private readonly config: RevocationServiceConfig,
    private readonly listeners: readonly RevocationListener[] = [],
  ) {}

  /** Revokes one access token until its own expiry. */
  async revokeToken(token: { jti: string; sub: string; exp: number }, by: Actor): Promise<RevocationRecord> {
    return this.store({ scope: 'token', jti: token.jti }, { sub: token.sub, expiresAt: token.exp }, by);
  }

  /** Revokes every token of one sign-in session (origin_jti) for as long as its refresh token could live. */
  async revokeSession(session: { sessionId: string; sub: string }, by: Actor): Promise<RevocationRecord> {
    const expiresAt = this.clock.nowSeconds() + this.config.refreshTokenValiditySeconds;
    return this.store(
      { scope: 'session', sessionId: session.sessionId },
      { sub: session.sub, expiresAt },
      by,
    );
  }

  /**
   * Revokes every token of a user issued up to and including the second `changedAt` (default: now), e.g. the time
   * Cognito recorded the change for an event that arrives later. Never later than now; the watermark never moves
   * back, so an older change that arrives after a newer one stores nothing and tells no listener.
   */
  async revokeUser(user: { sub: string }, by: Actor, changedAt?: number): Promise<RevocationRecord> {
    const now = this.clock.nowSeconds();
    // iat has one-second resolution: a token issued in this very second must not survive
    const notBefore = Math.min(changedAt ?? now, now) + 1;
    const expiresAt = notBefore + this.config.refreshTokenValiditySeconds;
    return this.store({ scope: 'user', sub: user.sub }, { sub: user.sub, expiresAt, notBefore }, by);
  }

  private async store(
    key: RevocationKey,
    fields: { sub: string; expiresAt: number; notBefore?: number },
    by: Actor,
  ): Promise<RevocationRecord> {
    const record: RevocationRecord = {
      scope: key.scope,
      revokedAt: this.clock.nowSeconds(),
      reason: by.reason,
      actor: by.actor,
      ...fields,
    };
    const outcome = await this.writer.put(key, record);
    if (outcome === 'superseded') return record; // an equal or later watermark already closed and announced it
    for (const listener of this.listeners) await listener.revoked(key, record);
    return record;
  }
}
