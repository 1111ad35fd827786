// Table schemas read by the CDK constructs, the runtime adapters and the offline stack (one source of truth).

/** The deny-list: one item per revoked token, session or user watermark (ARCHITECTURE §3). */
export const RevocationTableSchema = {
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
} as const;

/** Partition keys of the deny-list; revocations key on claims, never on token bytes. */
export const revocationKey = {
  token: (jti: string) => `jti#${jti}`,
  session: (sessionId: string) => `session#${sessionId}`,
  user: (sub: string) => `user#${sub}`,
} as const;
