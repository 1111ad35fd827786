// The signaling core: every frame checks both ends (expiry, deny-list, room policy) from one read; effects as data.

import type { ProofCheck } from '../authorizer/authorize';
import { authorizeToken } from '../authorizer/authorize';
import type { Identity } from '../shared/claims';
import type { Clock, RevocationReader, TokenVerifier } from '../shared/ports';
import type { ReasonCode, RevocationScope } from '../shared/reasons';
import { revokingScope, tokenExpired } from '../shared/revocation-rules';
import { CONNECT_POLICY } from '../shared/websocket-routes';
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
  /** App clients exempt from CONNECT_POLICY's scopes, as at `$connect` (the verification client). @default none */
  readonly scopeExemptClientIds?: readonly string[];
  /** Device binding enforced: the proof check of a `reauth` token (dpop-binding.ts). */
  readonly reauthProof?: ReauthProofCheck;
  readonly limits?: SignalingLimits;
}

/** Device binding: the proof check of a `reauth` frame's token and proof, run by the authorize core. */
export type ReauthProofCheck = (token: string, proof: string | undefined) => ProofCheck;

/** Why the server closed a socket (the `Cause` dimension of `SocketsClosed`). */
export type CloseCause = 'expired' | 'revoked' | 'unknown-connection' | 'rate-limited';

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
  /** The server failed on this frame (a store fault, a bug): the sender got an error frame; log and count it. */
  readonly failed?: Failure;
}

/** A server-side failure on one frame, for the `ws_failure` line and the `SignalingFailures` metric. */
export interface Failure {
  readonly reason: 'ERR_STORE_UNAVAILABLE' | 'ERR_INTERNAL';
  /** The error's name (e.g. `ValidationException`), never its data. */
  readonly errorName: string;
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
  try {
    const ends = await deps.checked.get(recipient ? [connectionId, recipient] : [connectionId]);
    const self = ends.get(connectionId);
    if (!self) return unknownConnection(connectionId);
    const problem = tokenProblem(self, now);
    if (problem) return deny(self.connection, problem.reason, problem.cause, problem.scope);
    if (!parsed.ok) return reply(connectionId, error(parsed.code, parsed.message));
    return await act(self.connection, parsed.frame, ends, deps, now);
  } catch (fault) {
    // Fail closed: nothing unchecked is relayed. The fault is the server's, not the sender's: its socket stays open
    // and in its room (closing it would announce `peer-left` for a live socket); it is told and may retry.
    return frameFailed(connectionId, 'ERR_STORE_UNAVAILABLE', fault);
  }
}

/**
 * The answer to a frame the server failed on: one typed error frame to the sender, and the failure for the log and
 * the `SignalingFailures{Reason}` metric. The adapter uses it too, with `ERR_INTERNAL`, for anything the core threw.
 */
export function frameFailed(connectionId: string, reason: Failure['reason'], fault: unknown): Effects {
  const message =
    reason === 'ERR_STORE_UNAVAILABLE'
      ? 'the connection store is unavailable: nothing was relayed; retry'
      : 'the server failed on this frame; retry';
  return {
    ...reply(connectionId, error(reason, message)),
    failed: { reason, errorName: fault instanceof Error ? fault.name : typeof fault },
  };
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
  // Announced on a repeated join too: a client retrying a join that failed half-way heals the room this way.
  const announced: Outbound[] = peers.map((p) => ({
    to: p.connectionId,
    frame: { type: 'peer-joined', room, peer: self },
  }));
  return [left, { outbound: [joined, ...announced], close: [] }, ...gone.map(withoutDenial)].reduce(merge);
}

/**
 * A fresh token for this socket, held to exactly what `$connect` asks (the same core, verifier, client ids and
 * CONNECT_POLICY scopes, the device proof when bound, the deny-list) and to the socket's user. Revoked tokens are refused in either mode.
 */
async function reauth(
  conn: Connection,
  token: string,
  deps: SignalingDeps,
  proof?: string,
): Promise<Effects> {
  const decision = await authorizeToken(
    token,
    {
      verifier: deps.verifier,
      revocations: deps.revocations,
      clock: deps.clock,
      requireSessionId: deps.requireSessionId,
      mode: 'enforce',
      scopeExemptClientIds: deps.scopeExemptClientIds ?? [],
    },
    CONNECT_POLICY,
    deps.reauthProof?.(token, proof),
  );
  if (decision.effect === 'Deny') {
    return refuse(conn, decision.reason, REFUSALS[decision.reason] ?? 'token refused', decision.scope);
  }
  const claims = decision.identity;
  if (claims.sub !== conn.sub) return refuse(conn, 'ERR_FORBIDDEN', 'token belongs to another user');
  const fresh = {
    jti: claims.jti,
    ...(claims.sessionId ? { sessionId: claims.sessionId } : {}),
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
  if (!conn) return NONE;
  const left = conn.room
    ? peerLeft(conn.room, connectionId, await connections.removeMember(conn.room, connectionId))
    : NONE;
  await connections.releaseUserSocket(conn.sub, connectionId);
  return left;
}

/**
 * The periodic sweep: every socket whose token expired or was revoked gets an error frame and is closed. Rows it
 * could not read this time are `skipped` (counted by the adapter), never a reason to abort the run.
 */
export async function sweep(
  checked: CheckedConnections,
  clock: Clock,
): Promise<{ readonly effects: Effects; readonly skipped: number }> {
  const now = clock.nowSeconds();
  const closing: Effects[] = [];
  const read = await checked.all();
  for (const row of read.checked) {
    const problem = tokenProblem(row, now);
    if (problem)
      closing.push(withoutDenial(deny(row.connection, problem.reason, problem.cause, problem.scope)));
  }
  return { effects: closing.reduce(merge, NONE), skipped: read.skipped };
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

/** Frames and closes in order; the first denial / refusal / failure is kept. */
function merge(first: Effects, second: Effects): Effects {
  const denied = first.denied ?? second.denied;
  const roomRefused = first.roomRefused ?? second.roomRefused;
  const failed = first.failed ?? second.failed;
  return {
    outbound: [...first.outbound, ...second.outbound],
    close: [...first.close, ...second.close],
    ...(denied ? { denied } : {}),
    ...(roomRefused ? { roomRefused } : {}),
    ...(failed ? { failed } : {}),
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

/** What a refused `reauth` is told, by reason. */
const REFUSALS: Partial<Record<ReasonCode, string>> = {
  ERR_TOKEN_CLAIMS: 'token refused: wrong issuer, client or claims (origin_jti required)',
  ERR_FORBIDDEN: `token lacks the scope ${CONNECT_POLICY.scopes?.join(' ')} that opening a socket needs`,
  ERR_TOKEN_REVOKED: 'token revoked',
  ERR_STORE_UNAVAILABLE: 'revocation store unavailable',
};

/** A `reauth` that failed: error frame, the socket keeps its current (still valid) token. */
function refuse(conn: Connection, reason: ReasonCode, message: string, scope?: RevocationScope): Effects {
  return {
    ...reply(conn.connectionId, error(reason, message)),
    denied: { reason, ...(scope ? { scope } : {}), ...identityOfConnection(conn) },
  };
}
