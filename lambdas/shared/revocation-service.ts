// The revocation service: every way a session ends (logout, logout-all, admin, refresh reuse, Cognito changes) writes here.

import { FOLD_MARGIN_SECONDS } from './deny-list-item';
import type { Clock, PutOutcome, RevocationKey, RevocationRecord, RevocationWriter } from './ports';

export interface RevocationServiceConfig {
  /**
   * Refresh-token validity: how long a user watermark must be remembered (refresh tokens and the managed-login cookie
   * can mint tokens of an older sign-in until then), and a session whose record may still mint tokens.
   */
  readonly refreshTokenValiditySeconds: number;
}

/**
 * Added to a session entry's lifetime beyond the last token its session could mint: the clocks of Cognito (which
 * dates `exp`), the writer and the readers may differ by this much.
 */
export const CLOCK_SKEW_SECONDS = 300;

/** The `reason` of a watermark raised because a user's item passed its size budget (metric `DenyListFolded`). */
export const FOLD_REASON = 'deny-list-full';

/** A revocation could not be stored on the deny-list: callers still end the session and answer a typed error. */
export class RevocationNotStoredError extends Error {
  constructor(cause: unknown) {
    super(`revocation not stored: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RevocationNotStoredError';
  }
}

/**
 * Told about every revocation after it is stored (close WebSockets, log + metric, publish the event). Listeners
 * must not throw: the stored item is the revocation, whatever happens to its side effects.
 */
export interface RevocationListener {
  revoked(key: RevocationKey, record: RevocationRecord): Promise<void>;
  /** Told when the write of a revocation failed (the caller then gets the error): count it, alarm. */
  notStored?(key: RevocationKey, record: RevocationRecord, error: unknown): Promise<void>;
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

  /**
   * Revokes every token of one sign-in session (origin_jti). With `tokensValidFor` (no token of the session can be
   * minted any more: its record is ended, only our auth function can refresh it) the entry lives as long as the
   * tokens already minted, plus clock skew; without it, as long as the session's refresh token could live.
   */
  async revokeSession(
    session: { sessionId: string; sub: string; tokensValidFor?: number },
    by: Actor,
  ): Promise<RevocationRecord> {
    const lifetime =
      session.tokensValidFor === undefined
        ? this.config.refreshTokenValiditySeconds
        : Math.min(session.tokensValidFor + CLOCK_SKEW_SECONDS, this.config.refreshTokenValiditySeconds);
    const expiresAt = this.clock.nowSeconds() + lifetime;
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
    let outcome: PutOutcome;
    try {
      outcome = await this.writer.put(key, record);
    } catch (error) {
      for (const listener of this.listeners)
        await listener.notStored?.(key, record, error).catch(() => undefined);
      throw error;
    }
    if (outcome === 'superseded') return record; // an equal or later watermark already closed and announced it
    for (const listener of this.listeners) await listener.revoked(key, record);
    if (outcome === 'over-budget' && key.scope !== 'user') {
      // If the fold fails, the entry above still stands and the next write folds.
      await this.fold(record.sub).catch(() => undefined);
    }
    return record;
  }

  /**
   * Revoke more, never less: a user watermark dated FOLD_MARGIN_SECONDS ahead covers every token of the user issued
   * up to now or in the next minute, so the store may drop every entry written before now (whatever the writers'
   * clocks) and the item is small again. Only a user who revoked more than the budget holds within one entry
   * lifetime gets here: all of that user's sessions end and sign-ins of the next minute are refused.
   */
  private async fold(sub: string): Promise<void> {
    const now = this.clock.nowSeconds();
    const notBefore = now + FOLD_MARGIN_SECONDS + 1;
    const by = { actor: 'system', reason: FOLD_REASON };
    const expiresAt = notBefore + this.config.refreshTokenValiditySeconds;
    await this.store({ scope: 'user', sub }, { sub, expiresAt, notBefore }, by);
  }
}
