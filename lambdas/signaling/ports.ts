// Ports of the signaling core: the connections store and the @connections sender (adapters implement them).

import type { ServerFrame } from './frames';

/** One open WebSocket as stored at `$connect` and updated by `join`, `leave` and `reauth`. */
export interface Connection {
  readonly connectionId: string;
  readonly sub: string;
  readonly username: string;
  /** origin_jti of the token (absent for tokens without one, e.g. cognito-local's). */
  readonly sessionId?: string;
  readonly jti: string;
  /** `exp` of the current token, epoch seconds. */
  readonly tokenExp: number;
  /** `iat` of the current token, epoch seconds (user watermark revocations compare it). */
  readonly tokenIat: number;
  /** Epoch seconds. */
  readonly connectedAt: number;
  readonly room?: string;
}

/** The token fields `reauth` replaces. */
export type ConnectionToken = Pick<Connection, 'jti' | 'sessionId' | 'tokenExp' | 'tokenIat'>;

/** Connections table. Reads by index may lag a write by a moment (GSIs are eventually consistent). */
export interface ConnectionStore {
  put(connection: Connection): Promise<void>;
  get(connectionId: string): Promise<Connection | undefined>;
  /** Deletes and returns the row, if there was one. */
  delete(connectionId: string): Promise<Connection | undefined>;
  /** Sets (or with undefined, clears) the room; false when the connection no longer exists. */
  setRoom(connectionId: string, room: string | undefined): Promise<boolean>;
  /** Replaces the token fields after a `reauth`; false when the connection no longer exists. */
  updateToken(connectionId: string, token: ConnectionToken): Promise<boolean>;
  listRoom(room: string): Promise<readonly Connection[]>;
  listBySub(sub: string): Promise<readonly Connection[]>;
  listBySession(sessionId: string): Promise<readonly Connection[]>;
  /** Connections whose token expired at or before `nowSeconds`. */
  listExpired(nowSeconds: number): Promise<readonly Connection[]>;
}

/** Pushes frames to, and closes, open sockets. Both return false when the socket is already gone (410). */
export interface ConnectionSender {
  send(connectionId: string, frame: ServerFrame): Promise<boolean>;
  close(connectionId: string): Promise<boolean>;
}
