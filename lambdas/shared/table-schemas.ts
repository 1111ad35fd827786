// Table schemas read by the CDK constructs, the runtime adapters and the offline stack (one source of truth).

/**
 * The deny-list: one item per user holding its watermark and its live token and session revocations, so one
 * strongly consistent GetItem (1 read unit) checks a token (docs/performance.md). `expiresAt` (TTL) is the latest
 * expiry of what the item holds. With device binding it also holds the used DPoP proof ids (`revocationKey.proof`).
 */
export const RevocationTableSchema = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The deny-list layout version. Changing the stored layout bumps it, which reruns the deploy-time migration
 * (lib/constructs/revocation-store.ts) before any function of the new release reads the table.
 */
export const DENY_LIST_LAYOUT = '3';

/**
 * Partition keys of the deny-list: the user (`sub` claim); entries inside key on jti / origin_jti, never token bytes.
 * `proof`: one small item per DPoP proof a checker accepted (the key's thumbprint and the proof's own `jti`), written
 * once with a condition and never read, so a replayed proof is refused by every instance (docs/device-binding.md).
 */
export const revocationKey = {
  user: (sub: string) => `user#${sub}`,
  proof: (checker: ProofChecker, jkt: string, jti: string) => `${PROOF_KEY_PREFIX}${checker}#${jkt}#${jti}`,
} as const;

/** Every used-proof item's key starts so (the IAM grant to write them is limited to it). */
export const PROOF_KEY_PREFIX = 'proof#';

/**
 * Who checked a proof. The REST authorizer and then the auth function both check the proof of an authorized session
 * route (`/auth/logout`), so each remembers its own uses; every other proof has exactly one checker.
 */
export type ProofChecker = 'authorizer' | 'token-handler';

/** A table's keys as every consumer needs them; all key attributes are strings. */
export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute?: string;
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: string;
    readonly sortKey?: string;
  }[];
}

/** Index names of the connections table (GSIs are sparse: `sessionId` may be absent, room items have neither). */
export const ConnectionIndex = {
  bySub: 'bySub',
  bySession: 'bySession',
} as const;

/**
 * Open signaling WebSockets and rooms. One item per connection (key: the connection id), found by user and by
 * sign-in session for revocation push; one item per room (key: `room#<name>`, a string set `members`), read and
 * written by key only, so a join sees every earlier member (docs/rooms.md). `expiresAt` (TTL) drops rows whose
 * `$disconnect` never arrived.
 */
export const ConnectionTableSchema = {
  partitionKey: 'connectionId',
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    { indexName: ConnectionIndex.bySub, partitionKey: 'sub' },
    { indexName: ConnectionIndex.bySession, partitionKey: 'sessionId' },
  ],
} as const satisfies TableSchema;

/** Partition key of a room's member-set item; `#` never occurs in an API Gateway connection id. */
export const roomKey = (room: string) => `room#${room}`;

/** Partition key of a user's open-socket set (the per-user connection cap); holds no `sub`, so no index lists it. */
export const userSocketsKey = (sub: string) => `sockets#${sub}`;

/** Sign-in sessions: one item per session (refresh-token fingerprints, never tokens), listed per user via `bySub`. */
export const SessionTableSchema = {
  partitionKey: 'sessionId',
  ttlAttribute: 'expiresAt',
  globalSecondaryIndexes: [{ indexName: 'bySub', partitionKey: 'sub' }],
} as const satisfies TableSchema;

/** Every table of the app by logical name; the offline stack creates one table per entry. */
export const TABLE_SCHEMAS = {
  Revocations: RevocationTableSchema,
  Connections: ConnectionTableSchema,
  Sessions: SessionTableSchema,
} as const satisfies Record<string, TableSchema>;

export type TableName = keyof typeof TABLE_SCHEMAS;
