// Pure rules of a user's deny-list item: parsing every stored layout, its size, and which entries a write may drop.

import type { AccessClaims } from './claims';
import type { RevocationRecord } from './ports';

/**
 * The size a user's item may reach before the next write folds it (raises the user watermark, which covers the
 * entries it then drops). A strongly consistent read costs one unit per 4 KB, so staying under this keeps every
 * check at 1 read unit and the item two orders of magnitude below DynamoDB's 400 KB item limit
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-items).
 */
export const ITEM_BUDGET_BYTES = 3072;

/**
 * An entry is dropped by a later write only once it expired this long before that write's clock, so a reader whose
 * clock lags the writer's still sees every entry it would apply (the rules ignore expired entries anyway).
 */
export const PRUNE_GRACE_SECONDS = 300;

/**
 * A watermark makes an entry redundant only when the entry was written this long before it: the tokens an entry
 * revokes were issued before it was written (a session's record is ended before its entry), by a clock (Cognito's)
 * that may run a little ahead of the writer's. Entries closer to the watermark stay until they expire; a fold dates
 * its watermark this far ahead so that it covers every entry written before it.
 */
export const FOLD_MARGIN_SECONDS = 60;

/** The stored fields of one entry; scope and sub come from where it sits in the item. */
export interface StoredEntry {
  readonly revokedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly reason: string;
  readonly actor: string;
}

/** The maps of a user item that hold per-token and per-session entries. */
export type EntryMap = 'tokens' | 'sessions';

/** A user's deny-list item as read: the watermark and the token and session entries. */
export interface UserItem {
  readonly sub: string;
  readonly user?: StoredEntry;
  readonly tokens: Readonly<Record<string, StoredEntry>>;
  readonly sessions: Readonly<Record<string, StoredEntry>>;
}

/**
 * Reads a stored user item of any layout this project has written: the watermark-only item of the one-item-per-entry
 * layout (top-level `scope: 'user'`, `notBefore`), the versioned one-item-per-user layout, and both at once (a
 * legacy watermark item that later writes added entries to). Throws on data it does not understand (fail closed).
 */
export function toUserItem(item: Record<string, unknown>): UserItem {
  if (typeof item.sub !== 'string') throw new Error('unreadable revocation item');
  const legacy = item.scope === 'user' ? toEntry(item) : undefined;
  const current = item.user === undefined ? undefined : toEntry(item.user);
  const user = later(legacy, current);
  return {
    sub: item.sub,
    ...(user ? { user } : {}),
    tokens: toEntries(item.tokens),
    sessions: toEntries(item.sessions),
  };
}

/** A stored item from the one-item-per-entry layout (`jti#<jti>` / `session#<id>`), as the record it holds. */
export function legacyRecord(item: Record<string, unknown>): RevocationRecord {
  const scope = item.scope;
  if ((scope !== 'token' && scope !== 'session') || typeof item.sub !== 'string' || !item.sub) {
    throw new Error('unreadable revocation item');
  }
  return { scope, sub: item.sub, ...toEntry(item) };
}

/**
 * The entries of a user item that may revoke this token: its jti's, its session's and the user watermark. Throws on
 * data it does not understand, or on another user's item (fail closed: never guess).
 */
export function recordsFor(
  item: Record<string, unknown> | undefined,
  claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>,
): RevocationRecord[] {
  if (!item) return [];
  const user = toUserItem(item);
  if (user.sub !== claims.sub) throw new Error('unreadable revocation item');
  const records: RevocationRecord[] = [];
  const token = own(user.tokens, claims.jti);
  if (token) records.push({ scope: 'token', sub: user.sub, ...token });
  const session = claims.originJti ? own(user.sessions, claims.originJti) : undefined;
  if (session) records.push({ scope: 'session', sub: user.sub, ...session });
  if (user.user) records.push({ scope: 'user', sub: user.sub, ...user.user });
  return records;
}

/** The entries a tidy-up may remove, by map: expired well before `now`, or covered by the user watermark. */
export function droppable(item: UserItem, now: number): { map: EntryMap; id: string; entry: StoredEntry }[] {
  const notBefore = item.user?.notBefore;
  const drop = (entry: StoredEntry) =>
    entry.expiresAt < now - PRUNE_GRACE_SECONDS ||
    (notBefore !== undefined && entry.revokedAt < notBefore - FOLD_MARGIN_SECONDS);
  return (['tokens', 'sessions'] as const).flatMap((map) =>
    Object.entries(item[map])
      .filter(([, entry]) => drop(entry))
      .map(([id, entry]) => ({ map, id, entry })),
  );
}

/**
 * The size DynamoDB bills for an item: attribute names plus values, numbers about one byte per two digits, maps
 * three bytes plus one per element (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 * An estimate that errs high.
 */
export function itemSizeBytes(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

function valueSize(value: unknown): number {
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + valueSize(v) + 1, 0);
  if (value instanceof Set)
    return [...(value as Set<unknown>)].reduce((sum: number, v) => sum + valueSize(v), 0);
  return 3 + Object.entries(value).reduce((sum, [k, v]) => sum + utf8(k) + valueSize(v) + 1, 0);
}

function utf8(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function later(a: StoredEntry | undefined, b: StoredEntry | undefined): StoredEntry | undefined {
  if (!a || !b) return a ?? b;
  return (a.notBefore ?? 0) >= (b.notBefore ?? 0) ? a : b;
}

/** Own property only: an id like `__proto__` or `constructor` must never find something it did not store. */
function own(entries: Readonly<Record<string, StoredEntry>>, id: string): StoredEntry | undefined {
  return Object.prototype.hasOwnProperty.call(entries, id) ? entries[id] : undefined;
}

function toEntries(value: unknown): Record<string, StoredEntry> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error('unreadable revocation item');
  }
  return Object.fromEntries(Object.entries(value).map(([id, entry]) => [id, toEntry(entry)]));
}

function toEntry(value: unknown): StoredEntry {
  const entry = value as Record<string, unknown> | null;
  if (typeof entry !== 'object' || entry === null || typeof entry.expiresAt !== 'number') {
    throw new Error('unreadable revocation item');
  }
  return {
    revokedAt: Number(entry.revokedAt),
    expiresAt: entry.expiresAt,
    ...(typeof entry.notBefore === 'number' ? { notBefore: entry.notBefore } : {}),
    reason: text(entry.reason),
    actor: text(entry.actor),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
