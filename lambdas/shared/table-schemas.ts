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

/** Every table of the app by logical name; the offline stack creates one table per entry. */
export const TABLE_SCHEMAS = {
  Revocations: RevocationTableSchema,
} as const satisfies Record<string, TableSchema>;

export type TableName = keyof typeof TABLE_SCHEMAS;
