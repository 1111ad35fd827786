// Events out: one `… Revoked` event per stored revocation (CAEP-aligned detail), and the listener that publishes it.

import type { RevocationKey, RevocationRecord } from './ports';
import type { RevocationScope } from './reasons';
import type { RevocationListener } from './revocation-service';

/** EventBridge `source` of every event we publish. */
export const REVOCATION_EVENT_SOURCE = 'cognito-guard';

/** EventBridge `detail-type` per revocation scope (ARCHITECTURE §6). */
export const RevocationDetailType = {
  token: 'Token Revoked',
  session: 'Session Revoked',
  user: 'User Revoked',
} as const satisfies Record<RevocationScope, string>;

export type RevocationDetailTypeName = (typeof RevocationDetailType)[RevocationScope];

/** OpenID CAEP `initiating_entity` (CAEP 1.0 §3.1 session-revoked): who caused the revocation. */
export type InitiatingEntity = 'admin' | 'user' | 'policy' | 'system';

/** A subject identifier in the Shared Signals shape (RFC 9493 `iss_sub` / SSF `jwt_id`, `opaque`, `complex`). */
export type SubjectIdentifier =
  | { readonly format: 'iss_sub'; readonly iss: string; readonly sub: string }
  | { readonly format: 'jwt_id'; readonly iss: string; readonly jti: string }
  | { readonly format: 'opaque'; readonly id: string }
  | {
      readonly format: 'complex';
      readonly user: SubjectIdentifier;
      readonly session?: SubjectIdentifier;
      readonly token?: SubjectIdentifier;
    };

/** The `detail` of a `Token Revoked` / `Session Revoked` / `User Revoked` event (docs/events.md). */
export interface RevocationEventDetail {
  readonly version: '1';
  readonly scope: RevocationScope;
  readonly sub: string;
  /** Token scope: the revoked access token's `jti`. */
  readonly jti?: string;
  /** Session scope: the sign-in session (`origin_jti`). */
  readonly sessionId?: string;
  /** User scope: tokens issued (iat / auth_time) before this epoch second are revoked. */
  readonly notBefore?: number;
  /** Why, e.g. `logout`, `logout-all`, `admin`, `refresh-reuse`, `cognito:AdminDisableUser`. */
  readonly reason: string;
  /** Who: a user's sub, `admin:<sub>`, `system`, or `iam:<principal ARN>` (events in). */
  readonly actor: string;
  /** Epoch seconds the revocation was stored. */
  readonly revokedAt: number;
  /** Epoch seconds until which the revocation holds (after that every affected token has expired anyway). */
  readonly expiresAt: number;
  /** The same facts as an OpenID CAEP `session-revoked` event body, for a Shared Signals transmitter. */
  readonly caep: {
    readonly subject: SubjectIdentifier;
    readonly initiating_entity: InitiatingEntity;
    readonly reason_admin: { readonly en: string };
    readonly event_timestamp: number;
  };
}

/** One event as PutEvents takes it and as EventBridge delivers it (`detail-type`, `source`, `time`, `detail`). */
export interface RevocationEvent {
  readonly source: typeof REVOCATION_EVENT_SOURCE;
  readonly detailType: RevocationDetailTypeName;
  /** Epoch seconds (the envelope's ISO `time`). */
  readonly time: number;
  readonly detail: RevocationEventDetail;
}

/** Builds the event for one stored revocation; `issuer` is the user pool's token issuer (subject identifiers). */
export function revocationEvent(
  key: RevocationKey,
  record: RevocationRecord,
  issuer: string,
): RevocationEvent {
  const user: SubjectIdentifier = { format: 'iss_sub', iss: issuer, sub: record.sub };
  const subject: SubjectIdentifier =
    key.scope === 'token'
      ? { format: 'complex', user, token: { format: 'jwt_id', iss: issuer, jti: key.jti } }
      : key.scope === 'session'
        ? { format: 'complex', user, session: { format: 'opaque', id: key.sessionId } }
        : user;
  return {
    source: REVOCATION_EVENT_SOURCE,
    detailType: RevocationDetailType[key.scope],
    time: record.revokedAt,
    detail: {
      version: '1',
      scope: key.scope,
      sub: record.sub,
      ...(key.scope === 'token' ? { jti: key.jti } : {}),
      ...(key.scope === 'session' ? { sessionId: key.sessionId } : {}),
      ...(record.notBefore !== undefined ? { notBefore: record.notBefore } : {}),
      reason: record.reason,
      actor: record.actor,
      revokedAt: record.revokedAt,
      expiresAt: record.expiresAt,
      caep: {
        subject,
        initiating_entity: initiatingEntity(record),
        reason_admin: { en: record.reason },
        event_timestamp: record.revokedAt,
      },
    },
  };
}

/** Maps our actor conventions onto CAEP's four initiating entities. */
export function initiatingEntity(record: Pick<RevocationRecord, 'actor' | 'reason'>): InitiatingEntity {
  if (record.actor.startsWith('admin:') || record.actor.startsWith('iam:')) return 'admin';
  if (record.actor === 'system') return record.reason === 'refresh-reuse' ? 'policy' : 'system';
  return 'user';
}

/** Port: delivers one event (EventBridge PutEvents in AWS, a JSON-lines file offline). Throws when it could not. */
export interface RevocationPublisher {
  publish(event: RevocationEvent): Promise<void>;
}

/** Told when an event could not be published after every attempt (log + metric; the revocation itself stands). */
export interface PublishFailureReporter {
  publishFailed(event: RevocationEvent, error: unknown, attempts: number): void;
}

export interface RevocationEventsOptions {
  /** The user pool's issuer, e.g. `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC`. */
  readonly issuer: string;
  /** Tries per event, the first included. @default 3 */
  readonly attempts?: number;
  /** Wait before try n+1 is `backoffMs * 2^(n-1)`. @default 50 */
  readonly backoffMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The RevocationListener that publishes every stored revocation. It never throws: the table write is the source of
 * truth, so a failed publish is retried a few times, then reported (logged and counted) and dropped.
 */
export class RevocationEventPublishing implements RevocationListener {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly publisher: RevocationPublisher,
    private readonly reporter: PublishFailureReporter,
    private readonly options: RevocationEventsOptions,
  ) {
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.backoffMs ?? 50;
    this.sleep = options.sleep ?? sleepFor;
  }

  async revoked(key: RevocationKey, record: RevocationRecord): Promise<void> {
    const event = revocationEvent(key, record, this.options.issuer);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await this.publisher.publish(event);
        return;
      } catch (error) {
        lastError = error;
        if (attempt < this.attempts) await this.sleep(this.backoffMs * 2 ** (attempt - 1));
      }
    }
    try {
      this.reporter.publishFailed(event, lastError, this.attempts);
    } catch {
      // a broken reporter must not break the revocation either
    }
  }
}
