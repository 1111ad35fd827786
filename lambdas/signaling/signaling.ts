// The signaling core: every frame checks both ends (expiry, deny-list, room policy) from one read; effects as data.

import type { AccessClaims, Identity } from '../shared/claims';
import type { Clock, RevocationReader, TokenVerifier } from '../shared/ports';
import type { ReasonCode, RevocationScope } from '../shared/reasons';
import { revokingScope, tokenExpired } from '../shared/revocation-rules';
import type { ClientFrame, FrameErrorCode, Peer, ServerFrame } from './frames';
import { parseFrame } from './frames';
import type { RateVerdict } from './rate-limiter';
import type { CheckedConnection, CheckedConnections, Connection, ConnectionStore } from './ports';
import type { RoomPolicy } from './room-policy';

/** Limits that keep one client from using the whole stage (docs/rooms.md, "Limits"). */
export interface SignalingLimits {
  /** Most connections in one room; also the fan-out budget: no client frame yields more frames than this. */
  readonly maxRoomSize: number;
}

export const DEFAULT_LIMITS: SignalingLimits = { maxRoomSize: 8 };

export interface SignalingDeps {
  readonly connections: ConnectionStore;
  /** Rows plus deny-list entries of both ends, in one round trip. */
  readonly checked: CheckedConnections;
  readonly revocations: RevocationReader;
  /** Verifies `reauth` tokens: the same verifier as the authorizer. */
  readonly verifier: TokenVerifier;
  readonly clock: Clock;
  readonly policy: RoomPolicy;
  /** One token per client frame; see rate-limiter.ts. */
  readonly rateLimit: (connectionId: string, nowSeconds: number) => RateVerdict;
  /** Refuse `reauth` tokens without `origin_jti`, as the authorizer does. */
  readonly requireSessionId: boolean;
  /** Device binding enforced: why a `reauth` token's proof is refused, or undefined (dpop-binding.ts). */
  readonly reauthProof?: ReauthProofCheck;
  readonly limits?: SignalingLimits;
}

/** Device binding: why a `reauth` token's proof is refused (undefined: accepted). */
export type ReauthProofCheck = (
  claims: AccessClaims,
  token: string,
  proof: string | undefined,
) => Promise<ReasonCode | undefined>;

/** Why the server closed a socket (the `Cause` dimension of `SocketsClosed`). */
export type CloseCause = 'expired' | 'revoked' | 'store-unavailable' | 'unknown-connection' | 'rate-limited';

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
  /** A refused room join or relay, for the log (who and which room; never a token). */
  readonly roomRefused?: { readonly sub: string; readonly room: string };
}

const NONE: Effects = { outbound: [], close: [] };

/** The row `$connect` stores for a connection the authorizer allowed. */
export function connectionOf(
  identity: Identity,
  connectionId: string,
  nowSeconds: number,
  displayName?: string,
): Connection {
  return {
    connectionId,
    sub: identity.sub,
    username: identity.username,
    ...(displayName ? { displayName } : {}),
    groups: identity.groups,
    ...(identity.sessionId ? { sessionId: identity.sessionId } : {}),
    jti: identity.jti,
    tokenExp: identity.exp,
    tokenIat: identity.iat,
    ...(identity.authTime !== undefined ? { authTime: identity.authTime } : {}),
    connectedAt: nowSeconds,
  };
}

/** Why a stored token is no longer good, or undefined while it is. */
export function tokenProblem(
  checked: CheckedConnection,
  nowSeconds: number,
): { readonly reason: ReasonCode; readonly cause: CloseCause; readonly scope?: RevocationScope } | undefined {
  const { connection: c, revocations } = checked;
  if (tokenExpired(c.tokenExp, nowSeconds)) return { reason: 'ERR_TOKEN_EXPIRED', cause: 'expired' };
  const claims = {
    iat: c.tokenIat,
    sub: c.sub,
    ...(c.authTime !== undefined ? { authTime: c.authTime } : {}),
  };
  const scope = revokingScope(claims, revocations, nowSeconds);
  return scope ? { reason: 'ERR_TOKEN_REVOKED', cause: 'revoked', scope } : undefined;
}

/**
 * One client frame: rate limit, then one read of this connection (and, for `signal`, the recipient) with their
 * deny-list entries; an expired or revoked sender gets an error frame and is closed; then the action.
 */
export async function onMessage(
  connectionId: string,
  body: string | undefined,
  deps: SignalingDeps,
): Promise<Effects> {
  const now = deps.clock.nowSeconds();
  const verdict = deps.rateLimit(connectionId, now);
  if (verdict === 'close') {
    return closeWith(connectionId, 'ERR_RATE_LIMITED', 'too many frames', 'rate-limited');
  }
  if (verdict === 'throttled') {
    return reply(connectionId, error('ERR_RATE_LIMITED', 'too many frames: slow down or be disconnected'));
  }
  const parsed = parseFrame(body);
  const recipient = parsed.ok && parsed.frame.action === 'signal' ? parsed.frame.to : undefined;
  let ends: ReadonlyMap<string, CheckedConnection>;
  try {
    ends = await deps.checked.get(recipient ? [connectionId, recipient] : [connectionId]);
  } catch {
    // fail closed: without the records nothing can be checked, so nothing is relayed
    const reason = 'ERR_STORE_UNAVAILABLE';
    return {
      ...closeWith(connectionId, reason, 'connection store unavailable', 'store-unavailable'),
      denied: { reason },
    };
  }
  const self = ends.get(connectionId);
  if (!self) return unknownConnection(connectionId);
  const problem = tokenProblem(self, now);
  if (problem) return deny(self.connection, problem.reason, problem.cause, problem.scope);
  if (!parsed.ok) return reply(connectionId, error(parsed.code, parsed.message));
  return act(self.connection, parsed.frame, ends, deps, now);
}

async function act(
  conn: Connection,
  frame: ClientFrame,
  ends: ReadonlyMap<string, CheckedConnection>,
  deps: SignalingDeps,
  now: number,
): Promise<Effects> {
  switch (frame.action) {
    case 'join':
      return join(conn, frame.room, deps, now);
    case 'signal':
      return relay(conn, frame, frame.to === conn.connectionId ? undefined : ends.get(frame.to), deps, now);
    case 'reauth':
      return reauth(conn, frame.token, deps, frame.proof);
    case 'leave': {
      if (!conn.room) return reply(conn.connectionId, error('ERR_NOT_IN_ROOM', 'not in a room'));
      const left = await leaveRoom(conn, deps.connections);
      if (!left) return unknownConnection(conn.connectionId);
      return merge(left, reply(conn.connectionId, { type: 'left', room: conn.room }));
    }
  }
}

/** Both ends are in the same room, both still admitted by the policy, the recipient's token still good. */
function relay(
  conn: Connection,
  frame: Extract<ClientFrame, { action: 'signal' }>,
  peer: CheckedConnection | undefined,
  deps: SignalingDeps,
  now: number,
): Effects {
  const room = conn.room;
  if (!room) return reply(conn.connectionId, error('ERR_NOT_IN_ROOM', 'join a room first'));
  if (!deps.policy.mayJoin(room, conn)) return roomForbidden(conn, room);
  const notHere = reply(conn.connectionId, error('ERR_PEER_NOT_IN_ROOM', 'no such peer in your room'));
  if (!peer || peer.connection.room !== room || !deps.policy.mayJoin(room, peer.connection)) return notHere;
  const problem = tokenProblem(peer, now);
  // The recipient's token is no longer good: it never receives the frame; it is told why and closed.
  if (problem) return merge(notHere, deny(peer.connection, problem.reason, problem.cause, problem.scope));
  // `from` is always the sender's own connection id: never taken from the client.
  const relayed: ServerFrame = {
    type: 'signal',
    from: conn.connectionId,
    kind: frame.kind,
    payload: frame.payload,
  };
  return { outbound: [{ to: peer.connection.connectionId, frame: relayed }], close: [] };
}

/**
 * Race-free join: the policy decides first; then the connection's row names the room, then one conditional write
 * adds it to the room's member set and returns the whole set. Of two concurrent joins the later write sees the
 * earlier member and announces itself to it, so both always learn of each other; the size limit holds because the
 * condition is checked in that same write.
 */
async function join(conn: Connection, room: string, deps: SignalingDeps, now: number): Promise<Effects> {
  if (!deps.policy.mayJoin(room, conn)) return roomForbidden(conn, room);
  const rejoin = conn.room === room;
  const left = conn.room && !rejoin ? await leaveRoom(conn, deps.connections) : NONE;
  if (!left || !(await deps.connections.setRoom(conn.connectionId, room)))
    return unknownConnection(conn.connectionId);
  const maxRoomSize = (deps.limits ?? DEFAULT_LIMITS).maxRoomSize;
  const added = await deps.connections.addMember(room, conn.connectionId, maxRoomSize);
  if (added === 'full') {
    await deps.connections.setRoom(conn.connectionId, undefined);
    return merge(left, reply(conn.connectionId, error('ERR_ROOM_FULL', 'room is full')));
  }
  const others = added.members.filter((id) => id !== conn.connectionId);
  const rows = others.length > 0 ? await deps.checked.get(others) : new Map<string, CheckedConnection>();
  const peers: Connection[] = [];
  const gone: Effects[] = [];
  for (const id of others) {
    const row = rows.get(id);
    if (!row || row.connection.room !== room) continue; // left or joined elsewhere meanwhile
    const problem = tokenProblem(row, now);
    if (problem) gone.push(deny(row.connection, problem.reason, problem.cause, problem.scope));
    else if (deps.policy.mayJoin(room, row.connection)) peers.push(row.connection);
  }
  const joined: Outbound = {
    to: conn.connectionId,
    frame: { type: 'joined', room, self: conn.connectionId, peers: peers.map((p) => peerOf(room, p, deps)) },
  };
  const self = peerOf(room, conn, deps);
  const announced: Outbound[] = rejoin
    ? []
    : peers.map((p) => ({ to: p.connectionId, frame: { type: 'peer-joined', room, peer: self } }));
  return [left, { outbound: [joined, ...announced], close: [] }, ...gone.map(withoutDenial)].reduce(merge);
}

async function reauth(
  conn: Connection,
  token: string,
  deps: SignalingDeps,
  proof?: string,
): Promise<Effects> {
  const verified = await deps.verifier.verify(token);
  if (!verified.ok) return refuse(conn, verified.reason, 'token refused');
  const claims = verified.claims;
  if (claims.sub !== conn.sub) return refuse(conn, 'ERR_FORBIDDEN', 'token belongs to another user');
  const unproven = deps.reauthProof ? await deps.reauthProof(claims, token, proof) : undefined;
  if (unproven) return refuse(conn, unproven, 'device proof refused');
  if (deps.requireSessionId && !claims.originJti)
    return refuse(conn, 'ERR_TOKEN_CLAIMS', 'token has no origin_jti');
  let scope: RevocationScope | undefined;
  try {
    scope = revokingScope(claims, await deps.revocations.lookup(claims), deps.clock.nowSeconds());
  } catch {
    return refuse(conn, 'ERR_STORE_UNAVAILABLE', 'revocation store unavailable'); // fail closed
  }
  if (scope) return refuse(conn, 'ERR_TOKEN_REVOKED', 'token revoked', scope);
  const fresh = {
    jti: claims.jti,
    ...(claims.originJti ? { sessionId: claims.originJti } : {}),
    tokenExp: claims.exp,
    tokenIat: claims.iat,
    ...(claims.authTime !== undefined ? { authTime: claims.authTime } : {}),
    groups: claims.groups,
  };
  if (!(await deps.connections.updateToken(conn.connectionId, fresh)))
    return unknownConnection(conn.connectionId);
  const reauthed = reply(conn.connectionId, { type: 'reauthed', exp: claims.exp });
  const updated = { ...conn, ...fresh };
  // The new token no longer admits this socket to its room (e.g. the group was removed): it leaves the room.
  if (conn.room && !deps.policy.mayJoin(conn.room, updated)) {
    const left = await leaveRoom(conn, deps.connections);
    return [reauthed, left ?? NONE, roomForbidden(conn, conn.room)].reduce(merge);
  }
  return reauthed;
}

/** `$disconnect`: forget the connection and tell its room. */
export async function onDisconnect(connectionId: string, connections: ConnectionStore): Promise<Effects> {
  const conn = await connections.delete(connectionId);
  if (!conn?.room) return NONE;
  return peerLeft(conn.room, connectionId, await connections.removeMember(conn.room, connectionId));
}

/** The periodic sweep: every socket whose token expired or was revoked gets an error frame and is closed. */
export async function sweep(checked: CheckedConnections, clock: Clock): Promise<Effects> {
  const now = clock.nowSeconds();
  const closing: Effects[] = [];
  for (const row of await checked.all()) {
    const problem = tokenProblem(row, now);
    if (problem)
      closing.push(withoutDenial(deny(row.connection, problem.reason, problem.cause, problem.scope)));
  }
  return closing.reduce(merge, NONE);
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

/** Clears the row's room, then the membership, and tells the remaining peers; undefined when the row is gone. */
async function leaveRoom(conn: Connection, connections: ConnectionStore): Promise<Effects | undefined> {
  if (!conn.room) return NONE;
  if (!(await connections.setRoom(conn.connectionId, undefined))) return undefined;
  return peerLeft(conn.room, conn.connectionId, await connections.removeMember(conn.room, conn.connectionId));
}

function peerLeft(room: string, connectionId: string, members: readonly string[]): Effects {
  return {
    outbound: members
      .filter((id) => id !== connectionId)
      .map((id) => ({ to: id, frame: { type: 'peer-left', room, peer: connectionId } })),
    close: [],
  };
}

function peerOf(room: string, conn: Connection, deps: SignalingDeps): Peer {
  return { connectionId: conn.connectionId, ...deps.policy.describe(room, conn) };
}

function roomForbidden(conn: Connection, room: string): Effects {
  return {
    ...reply(conn.connectionId, error('ERR_ROOM_FORBIDDEN', 'this room does not admit you')),
    roomRefused: { sub: conn.sub, room },
  };
}

function error(reason: ReasonCode | FrameErrorCode, message: string): ServerFrame {
  return { type: 'error', reason, message };
}

function reply(to: string, frame: ServerFrame): Effects {
  return { outbound: [{ to, frame }], close: [] };
}

/** Frames and closes in order; the first denial / refusal is kept. */
function merge(first: Effects, second: Effects): Effects {
  const denied = first.denied ?? second.denied;
  const roomRefused = first.roomRefused ?? second.roomRefused;
  return {
    outbound: [...first.outbound, ...second.outbound],
    close: [...first.close, ...second.close],
    ...(denied ? { denied } : {}),
    ...(roomRefused ? { roomRefused } : {}),
  };
}

function withoutDenial(effects: Effects): Effects {
  return { outbound: effects.outbound, close: effects.close };
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
