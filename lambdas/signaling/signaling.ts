// The signaling core: every frame is checked (expiry, deny-list), parsed, decided; effects come back as data.

import type { Identity } from '../shared/claims';
import type { Clock, RevocationReader, TokenVerifier } from '../shared/ports';
import type { ReasonCode, RevocationScope } from '../shared/reasons';
import { revokingScope } from '../shared/revocation-rules';
import type { ClientFrame, FrameErrorCode, ServerFrame } from './frames';
import { parseFrame } from './frames';
import type { Connection, ConnectionStore } from './ports';

export interface SignalingDeps {
  readonly connections: ConnectionStore;
  readonly revocations: RevocationReader;
  /** Verifies `reauth` tokens: the same verifier as the authorizer. */
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
  /** Refuse `reauth` tokens without `origin_jti`, as the authorizer does. */
  readonly requireSessionId: boolean;
  /** Most connections in one room. @default 16 */
  readonly maxRoomSize?: number;
}

/** Why the server closed a socket (the `Cause` dimension of `SocketsClosed`). */
export type CloseCause = 'expired' | 'revoked' | 'store-unavailable' | 'unknown-connection';

/** One frame for one socket. */
export interface Outbound {
  readonly to: string;
  readonly frame: ServerFrame;
}

export interface Close {
  readonly connectionId: string;
  readonly cause: CloseCause;
}

/** An auth failure on an open socket, for the `auth_denied` line (never a token). */
export interface Denial {
  readonly reason: ReasonCode;
  readonly scope?: RevocationScope;
  readonly sub?: string;
  readonly jti?: string;
  readonly sessionId?: string;
}

/** What the adapter must do, in order: send `outbound`, then close `close`. */
export interface Effects {
  readonly outbound: readonly Outbound[];
  readonly close: readonly Close[];
  readonly denied?: Denial;
}

const NONE: Effects = { outbound: [], close: [] };
const DEFAULT_MAX_ROOM_SIZE = 16;

/** The row `$connect` stores for a connection the authorizer allowed. */
export function connectionOf(identity: Identity, connectionId: string, nowSeconds: number): Connection {
  return {
    connectionId,
    sub: identity.sub,
    username: identity.username,
    ...(identity.sessionId ? { sessionId: identity.sessionId } : {}),
    jti: identity.jti,
    tokenExp: identity.exp,
    tokenIat: identity.iat,
    connectedAt: nowSeconds,
  };
}

/** One client frame: the token must still be unexpired and unrevoked (else error frame + close), then the action. */
export async function onMessage(
  connectionId: string,
  body: string | undefined,
  deps: SignalingDeps,
): Promise<Effects> {
  let conn: Connection | undefined;
  try {
    conn = await deps.connections.get(connectionId);
  } catch {
    // fail closed: without the connection record nothing can be checked, so nothing is relayed
    const reason = 'ERR_STORE_UNAVAILABLE';
    return {
      ...closeWith(connectionId, reason, 'connection store unavailable', 'store-unavailable'),
      denied: { reason },
    };
  }
  if (!conn)
    return closeWith(
      connectionId,
      'ERR_UNKNOWN_CONNECTION',
      'connection is not registered',
      'unknown-connection',
    );
  const now = deps.clock.nowSeconds();
  if (conn.tokenExp <= now) return deny(conn, 'ERR_TOKEN_EXPIRED', 'expired');
  let scope: RevocationScope | undefined;
  try {
    const records = await deps.revocations.lookup({
      jti: conn.jti,
      originJti: conn.sessionId,
      sub: conn.sub,
    });
    scope = revokingScope({ iat: conn.tokenIat, sub: conn.sub }, records, now);
  } catch {
    return deny(conn, 'ERR_STORE_UNAVAILABLE', 'store-unavailable'); // fail closed
  }
  if (scope) return deny(conn, 'ERR_TOKEN_REVOKED', 'revoked', scope);

  const parsed = parseFrame(body);
  if (!parsed.ok) return reply(conn.connectionId, error(parsed.code, parsed.message));
  return act(conn, parsed.frame, deps);
}

async function act(conn: Connection, frame: ClientFrame, deps: SignalingDeps): Promise<Effects> {
  switch (frame.action) {
    case 'join':
      return join(conn, frame.room, deps);
    case 'signal': {
      if (!conn.room) return reply(conn.connectionId, error('ERR_NOT_IN_ROOM', 'join a room first'));
      const peer = frame.to === conn.connectionId ? undefined : await deps.connections.get(frame.to);
      if (!peer || peer.room !== conn.room) {
        return reply(conn.connectionId, error('ERR_PEER_NOT_IN_ROOM', 'no such peer in your room'));
      }
      // `from` is always the sender's own connection id: never taken from the client.
      const relayed: ServerFrame = {
        type: 'signal',
        from: conn.connectionId,
        kind: frame.kind,
        payload: frame.payload,
      };
      return { outbound: [{ to: peer.connectionId, frame: relayed }], close: [] };
    }
    case 'reauth':
      return reauth(conn, frame.token, deps);
    case 'leave': {
      if (!conn.room) return reply(conn.connectionId, error('ERR_NOT_IN_ROOM', 'not in a room'));
      const left = await leaveRoom(conn, deps.connections);
      if (!left) return unknownConnection(conn.connectionId);
      return merge(left, reply(conn.connectionId, { type: 'left', room: conn.room }));
    }
  }
}

async function join(conn: Connection, room: string, deps: SignalingDeps): Promise<Effects> {
  const peers = (await deps.connections.listRoom(room)).filter((p) => p.connectionId !== conn.connectionId);
  if (peers.length >= (deps.maxRoomSize ?? DEFAULT_MAX_ROOM_SIZE)) {
    return reply(conn.connectionId, error('ERR_ROOM_FULL', 'room is full'));
  }
  const rejoin = conn.room === room;
  const left = conn.room && !rejoin ? await leaveRoom(conn, deps.connections) : NONE;
  if (!left || !(await deps.connections.setRoom(conn.connectionId, room)))
    return unknownConnection(conn.connectionId);
  const self = { connectionId: conn.connectionId, username: conn.username };
  const joined: Outbound = {
    to: conn.connectionId,
    frame: { type: 'joined', room, self: conn.connectionId, peers: peers.map(peerOf) },
  };
  const announced: Outbound[] = rejoin
    ? []
    : peers.map((p) => ({ to: p.connectionId, frame: { type: 'peer-joined', room, peer: self } }));
  return merge(left, { outbound: [joined, ...announced], close: [] });
}

async function reauth(conn: Connection, token: string, deps: SignalingDeps): Promise<Effects> {
  const verified = await deps.verifier.verify(token);
  if (!verified.ok) return refuse(conn, verified.reason, 'token refused');
  const claims = verified.claims;
  if (claims.sub !== conn.sub) return refuse(conn, 'ERR_FORBIDDEN', 'token belongs to another user');
  if (deps.requireSessionId && !claims.originJti)
    return refuse(conn, 'ERR_TOKEN_CLAIMS', 'token has no origin_jti');
  let scope: RevocationScope | undefined;
  try {
    scope = revokingScope(claims, await deps.revocations.lookup(claims), deps.clock.nowSeconds());
  } catch {
    return refuse(conn, 'ERR_STORE_UNAVAILABLE', 'revocation store unavailable'); // fail closed
  }
  if (scope) return refuse(conn, 'ERR_TOKEN_REVOKED', 'token revoked', scope);
  const updated = await deps.connections.updateToken(conn.connectionId, {
    jti: claims.jti,
    ...(claims.originJti ? { sessionId: claims.originJti } : {}),
    tokenExp: claims.exp,
    tokenIat: claims.iat,
  });
  if (!updated) return unknownConnection(conn.connectionId);
  return reply(conn.connectionId, { type: 'reauthed', exp: claims.exp });
}

/** `$disconnect`: forget the connection and tell its room. */
export async function onDisconnect(connectionId: string, connections: ConnectionStore): Promise<Effects> {
  const conn = await connections.delete(connectionId);
  if (!conn?.room) return NONE;
  return peerLeft(conn.room, connectionId, await connections.listRoom(conn.room));
}

/** The periodic sweep: every socket whose token has expired gets an error frame and is closed. */
export async function sweep(connections: ConnectionStore, clock: Clock): Promise<Effects> {
  const expired = await connections.listExpired(clock.nowSeconds());
  return {
    outbound: expired.map((c) => ({
      to: c.connectionId,
      frame: error('ERR_TOKEN_EXPIRED', 'token expired'),
    })),
    close: expired.map((c) => ({ connectionId: c.connectionId, cause: 'expired' as const })),
  };
}

/** Revocation push: a `revoked` frame to each affected socket, then close it. */
export function revokedEffects(affected: readonly Connection[], scope: RevocationScope): Effects {
  return {
    outbound: affected.map((c) => ({
      to: c.connectionId,
      frame: { type: 'revoked', reason: 'ERR_TOKEN_REVOKED', scope },
    })),
    close: affected.map((c) => ({ connectionId: c.connectionId, cause: 'revoked' as const })),
  };
}

/** Clears the room and tells the remaining peers; undefined when the connection no longer exists. */
async function leaveRoom(conn: Connection, connections: ConnectionStore): Promise<Effects | undefined> {
  if (!conn.room) return NONE;
  if (!(await connections.setRoom(conn.connectionId, undefined))) return undefined;
  return peerLeft(conn.room, conn.connectionId, await connections.listRoom(conn.room));
}

function peerLeft(room: string, connectionId: string, members: readonly Connection[]): Effects {
  const others = members.filter((p) => p.connectionId !== connectionId); // an index may still list the leaver
  return {
    outbound: others.map((p) => ({
      to: p.connectionId,
      frame: { type: 'peer-left', room, peer: connectionId },
    })),
    close: [],
  };
}

function peerOf(conn: Connection) {
  return { connectionId: conn.connectionId, username: conn.username };
}

function error(reason: ReasonCode | FrameErrorCode, message: string): ServerFrame {
  return { type: 'error', reason, message };
}

function reply(to: string, frame: ServerFrame): Effects {
  return { outbound: [{ to, frame }], close: [] };
}

function merge(first: Effects, second: Effects): Effects {
  return { outbound: [...first.outbound, ...second.outbound], close: [...first.close, ...second.close] };
}

function closeWith(
  connectionId: string,
  reason: ReasonCode | FrameErrorCode,
  message: string,
  cause: CloseCause,
): Effects {
  return {
    outbound: [{ to: connectionId, frame: error(reason, message) }],
    close: [{ connectionId, cause }],
  };
}

function unknownConnection(connectionId: string): Effects {
  return closeWith(
    connectionId,
    'ERR_UNKNOWN_CONNECTION',
    'connection is not registered',
    'unknown-connection',
  );
}

function identityOfConnection(conn: Connection) {
  return { sub: conn.sub, jti: conn.jti, ...(conn.sessionId ? { sessionId: conn.sessionId } : {}) };
}

/** The token on this socket is no longer good: error frame with the reason, then close. */
function deny(conn: Connection, reason: ReasonCode, cause: CloseCause, scope?: RevocationScope): Effects {
  const message =
    reason === 'ERR_TOKEN_EXPIRED'
      ? 'token expired'
      : reason === 'ERR_TOKEN_REVOKED'
        ? 'token revoked'
        : 'refused';
  return {
    ...closeWith(conn.connectionId, reason, message, cause),
    denied: { reason, ...(scope ? { scope } : {}), ...identityOfConnection(conn) },
  };
}

/** A `reauth` that failed: error frame, the socket keeps its current (still valid) token. */
function refuse(conn: Connection, reason: ReasonCode, message: string, scope?: RevocationScope): Effects {
  return {
    ...reply(conn.connectionId, error(reason, message)),
    denied: { reason, ...(scope ? { scope } : {}), ...identityOfConnection(conn) },
  };
}
