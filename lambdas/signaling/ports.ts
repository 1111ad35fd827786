// Ports of the signaling core: the connections store, the both-ends reader and the @connections sender.

import type { RevocationRecord } from '../shared/ports';
import type { ServerFrame } from './frames';

/** One open WebSocket as stored at `$connect` and updated by `join`, `leave` and `reauth`. */
export interface Connection {
  readonly connectionId: string;
  readonly sub: string;
  readonly username: string;
  /** What peers may be shown (the user's email when the directory has one), decided by the room policy. */
  readonly displayName?: string;
  /** `cognito:groups` of the current token: the room policy reads them on join and on every relay. */
  readonly groups: readonly string[];
  /** origin_jti of the token (absent for tokens without one, e.g. cognito-local's). */
  readonly sessionId?: string;
  readonly jti: string;
  /** `exp` of the current token, epoch seconds. */
  readonly tokenExp: number;
  /** `iat` of the current token, epoch seconds (user watermark revocations compare it). */
  readonly tokenIat: number;
  /** `auth_time` of the current token, epoch seconds (user watermark revocations compare it too). */
  readonly authTime?: number;
  /** Epoch seconds. */
  readonly connectedAt: number;
  /** The one room this connection is in (a join elsewhere leaves it first). */
  readonly room?: string;
}

/** The token fields `reauth` replaces. */
export type ConnectionToken = Pick<
  Connection,
  'jti' | 'sessionId' | 'tokenExp' | 'tokenIat' | 'authTime' | 'groups'
>;

/** A connection row with the deny-list entries that may apply to its current token, read together. */
export interface CheckedConnection {
  readonly connection: Connection;
  readonly revocations: readonly RevocationRecord[];
}

/** A room's member set after an atomic add, or `full` when the add was refused by the size limit. */
export type RoomAdd = { readonly members: readonly string[] } | 'full';

/** Connections table: one row per socket, one member-set item per room. */
export interface ConnectionStore {
  put(connection: Connection): Promise<void>;
  /** Deletes and returns the row, if there was one. */
  delete(connectionId: string): Promise<Connection | undefined>;
  /** Sets (or with undefined, clears) the connection's room; false when the connection no longer exists. */
  setRoom(connectionId: string, room: string | undefined): Promise<boolean>;
  /** Replaces the token fields after a `reauth`; false when the connection no longer exists. */
  updateToken(connectionId: string, token: ConnectionToken): Promise<boolean>;
  /**
   * Adds the connection to the room's member set in one conditional write that also enforces the size limit, and
   * returns the whole set as written (strongly consistent: of two concurrent joins the later sees the earlier).
   */
  addMember(room: string, connectionId: string, maxMembers: number): Promise<RoomAdd>;
  /** Removes the connection from the room's member set; returns the members that remain. */
  removeMember(room: string, connectionId: string): Promise<readonly string[]>;
  /**
   * Counts the socket against its user's cap in one conditional write (a set of connection ids, so concurrent
   * connects of one user can never pass `max` together); false when the user already has `max` sockets open.
   */
  claimUserSocket(sub: string, connectionId: string, max: number): Promise<boolean>;
  /** Gives the socket's place back (at `$disconnect`, or when a 410 shows it gone). */
  releaseUserSocket(sub: string, connectionId: string): Promise<void>;
  /** By index (eventually consistent): revocation push only, never for decisions. */
  listBySub(sub: string): Promise<readonly Connection[]>;
  listBySession(sessionId: string): Promise<readonly Connection[]>;
}

/**
 * Reads connection rows together with the deny-list entries of their current tokens, strongly consistent. One
 * DynamoDB round trip (one BatchGetItem across both tables) when the reader already knows the tokens' keys;
 * otherwise the rows first, then the entries.
 */
export interface CheckedConnections {
  /** Ids that do not exist are absent from the result. */
  get(connectionIds: readonly string[]): Promise<ReadonlyMap<string, CheckedConnection>>;
  /** Every open connection (the sweep), except those that could not be read this time. */
  all(): Promise<SweepRead>;
}

/** What the sweep could read: the checked connections, and how many it had to skip (unreadable or unprocessed). */
export interface SweepRead {
  readonly checked: readonly CheckedConnection[];
  readonly skipped: number;
}

/** Pushes frames to, and closes, open sockets. Both return false when the socket is already gone (410). */
export interface ConnectionSender {
  send(connectionId: string, frame: ServerFrame): Promise<boolean>;
  close(connectionId: string): Promise<boolean>;
}
