// Model-based test of the signaling handler over dynalite: random connect / join / signal / leave / disconnect /
// revoke / expire / sweep / store outage over 1–3 users with up to 4 sockets each, checked after every step.
import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import fc from 'fast-check';
import {
  DynamoCheckedConnections,
  DynamoConnectionStore,
} from '../../lambdas/adapters/dynamo-connection-store';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { toAuthorizerContext } from '../../lambdas/shared/claims';
import { SIGNALING_SCOPE } from '../../lambdas/shared/oauth-scopes';
import { createObservability } from '../../lambdas/shared/observability';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import type { EffectPorts } from '../../lambdas/signaling/effects';
import { performEffects } from '../../lambdas/signaling/effects';
import type { ServerFrame } from '../../lambdas/signaling/frames';
import type { ConnectionSender } from '../../lambdas/signaling/ports';
import { namedRoomPolicy } from '../../lambdas/signaling/room-policy';
import { sweep } from '../../lambdas/signaling/signaling';
import { SocketCloser } from '../../lambdas/signaling/socket-closer';
import type { WebSocketEvent } from '../../lambdas/signaling/websocket-adapter';
import { signalingHandler } from '../../lambdas/signaling/websocket-adapter';
import type { LocalDynamo } from '../../local/dynamo';
import { refuseDuplicateKeys } from '../helpers/dynamo-wrappers';
import { localDynamoClient, startTempDynamo } from '../helpers/temp-dynamo';

const MAX_ROOM_SIZE = 5;
const MAX_SOCKETS_PER_USER = 4;
const GROUP_ROOM = 'lobby';

let dynamo: LocalDynamo;
let documents: DynamoDBDocumentClient;
let duplicates: { readonly found: string[] };
/** While true every DynamoDB request fails, as in an outage. */
let outage = false;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  dynamo = await startTempDynamo('signaling-model-');
  const client = localDynamoClient(dynamo.endpoint);
  duplicates = refuseDuplicateKeys(client); // a repeated batch key fails the run even where dynalite would accept it
  client.middlewareStack.add(
    (next) => async (args) => {
      if (outage) throw Object.assign(new Error('store down'), { name: 'ServiceUnavailable' });
      return next(args);
    },
    { step: 'initialize', name: 'outage' },
  );
  documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
});

afterAll(async () => {
  documents?.destroy();
  await dynamo?.stop();
});

/** One socket as the model sees it. */
interface ModelSocket {
  readonly id: string;
  readonly user: number;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  open: boolean;
  room?: string;
  tokenRevoked: boolean;
  /** The peers this socket has been told of (joined, peer-joined, peer-left, left), from its frames alone. */
  known: Set<string>;
}

/** The real handler over dynalite, the sockets as API Gateway holds them, and the model. */
class World {
  now = Math.floor(Date.now() / 1000);
  readonly run = randomUUID().slice(0, 8);
  readonly subs: string[];
  readonly watermarks = new Map<number, number>();
  readonly sockets: ModelSocket[] = [];
  /** Frames each socket received during the current step. */
  inbox = new Map<string, ServerFrame[]>();
  /** Sockets the server closed during the current step. */
  closedByServer = new Set<string>();
  private readonly pendingDisconnects: string[] = [];
  readonly route: (event: WebSocketEvent) => Promise<APIGatewayProxyResult>;
  readonly ports: EffectPorts;
  readonly checked: DynamoCheckedConnections;
  readonly revocations: RevocationService;
  readonly pushing: RevocationService;

  constructor(users: number) {
    duplicates.found.length = 0; // each run answers for its own requests
    this.subs = Array.from({ length: users }, (_, i) => `${this.run}-user${i}`);
    const clock = { nowSeconds: () => this.now };
    const sender: ConnectionSender = {
      send: async (to, frame) => {
        if (!this.socket(to)?.open) return false; // 410 Gone, as API Gateway answers for a closed socket
        this.inbox.set(to, [...(this.inbox.get(to) ?? []), frame]);
        return true;
      },
      close: async (id) => {
        const socket = this.socket(id);
        if (!socket?.open) return false;
        socket.open = false;
        this.closedByServer.add(id);
        this.pendingDisconnects.push(id); // API Gateway then invokes `$disconnect`
        return true;
      },
    };
    const connections = new DynamoConnectionStore('Connections', documents);
    this.checked = new DynamoCheckedConnections('Connections', 'Revocations', documents);
    this.ports = { connections, sender, obs: createObservability('signaling-model') };
    const store = new DynamoRevocationStore('Revocations', documents);
    this.revocations = new RevocationService(store, clock, { refreshTokenValiditySeconds: 3600 });
    this.pushing = new RevocationService(store, clock, { refreshTokenValiditySeconds: 3600 }, [
      new SocketCloser(this.ports),
    ]);
    this.route = signalingHandler({
      deps: {
        connections,
        checked: this.checked,
        revocations: store,
        verifier: { verify: async () => ({ ok: false, reason: 'ERR_TOKEN_SIGNATURE' }) },
        clock,
        policy: namedRoomPolicy,
        rateLimit: () => 'ok',
        requireSessionId: true,
        limits: { maxRoomSize: MAX_ROOM_SIZE },
      },
      ports: this.ports,
      maxConnectionsPerUser: MAX_SOCKETS_PER_USER,
      displayName: async () => undefined,
      remember: (connection) => this.checked.remember(connection),
    });
  }

  socket(id: string): ModelSocket | undefined {
    return this.sockets.find((s) => s.id === id);
  }

  valid(s: ModelSocket): boolean {
    const watermark = this.watermarks.get(s.user);
    return s.open && !s.tokenRevoked && s.exp > this.now && !(watermark !== undefined && s.iat < watermark);
  }

  /** Why the server refuses this socket's token now, if it does. */
  problem(s: ModelSocket): 'ERR_TOKEN_EXPIRED' | 'ERR_TOKEN_REVOKED' | undefined {
    if (s.exp <= this.now) return 'ERR_TOKEN_EXPIRED';
    return this.valid(s) || !s.open ? undefined : 'ERR_TOKEN_REVOKED';
  }

  members(room: string): ModelSocket[] {
    return this.sockets.filter((s) => s.open && s.room === room);
  }

  /** Starts a step: clears what the sockets received. */
  begin(): void {
    this.inbox = new Map();
    this.closedByServer = new Set();
  }

  async invoke(id: string, eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT', extra: object = {}) {
    const routeKey = eventType === 'CONNECT' ? '$connect' : eventType === 'DISCONNECT' ? '$disconnect' : 'x';
    const result = await this.route({
      requestContext: { connectionId: id, eventType, routeKey },
      isBase64Encoded: false,
      ...extra,
    } as unknown as WebSocketEvent);
    await this.drain();
    return result;
  }

  /** `$disconnect` of every socket the server closed, as API Gateway sends it; peers are then told. */
  async drain(): Promise<void> {
    while (this.pendingDisconnects.length > 0) {
      const id = this.pendingDisconnects.shift()!;
      await this.route({
        requestContext: { connectionId: id, eventType: 'DISCONNECT', routeKey: '$disconnect' },
        isBase64Encoded: false,
      } as unknown as WebSocketEvent);
    }
  }

  /** Folds the step's frames into each socket's knowledge of its peers. */
  learn(): void {
    for (const [id, frames] of this.inbox) {
      const socket = this.socket(id)!;
      for (const frame of frames) {
        if (frame.type === 'joined') socket.known = new Set(frame.peers.map((p) => p.connectionId));
        if (frame.type === 'peer-joined') socket.known.add(frame.peer.connectionId);
        if (frame.type === 'peer-left') socket.known.delete(frame.peer);
        if (frame.type === 'left') socket.known = new Set();
      }
    }
  }

  /** Sockets the server closed are in no room any more (their `$disconnect` told the room). */
  forgetClosed(): void {
    for (const id of this.closedByServer) {
      const socket = this.socket(id)!;
      socket.room = undefined;
    }
  }

  /** Frames of one type a socket got in this step. */
  got(id: string, type: ServerFrame['type']): ServerFrame[] {
    return (this.inbox.get(id) ?? []).filter((f) => f.type === type);
  }

  /** The answer frames (not announcements) a socket got in this step. */
  answers(id: string): string[] {
    return (this.inbox.get(id) ?? [])
      .filter((f) => f.type === 'joined' || f.type === 'left' || f.type === 'error' || f.type === 'revoked')
      .map((f) => (f.type === 'error' ? `error:${f.reason}` : f.type));
  }

  /** After every step: members of a room know each other; nobody else is in a room; no duplicate key was sent. */
  checkInvariants(): void {
    expect(duplicates.found).toEqual([]);
    for (const s of this.sockets.filter((x) => x.open)) {
      const expected = s.room ? this.members(s.room).filter((m) => m.id !== s.id) : [];
      expect({ socket: s.id, knows: [...s.known].sort() }).toEqual({
        socket: s.id,
        knows: expected.map((m) => m.id).sort(),
      });
    }
  }

  /** The server closed exactly these sockets in this step (and only sockets whose token is no longer good). */
  expectClosed(ids: readonly string[]): void {
    expect([...this.closedByServer].sort()).toEqual([...ids].sort());
  }

  async teardown(): Promise<void> {
    for (const s of this.sockets.filter((x) => x.open)) {
      s.open = false;
      await this.invoke(s.id, 'DISCONNECT');
    }
  }
}

type Cmd = fc.AsyncCommand<Record<string, never>, World>;

/** Picks the n-th (modulo) open socket, or undefined when none is open. */
function pick(world: World, n: number): ModelSocket | undefined {
  const open = world.sockets.filter((s) => s.open);
  return open.length ? open[n % open.length] : undefined;
}

/** A client frame from a socket, as API Gateway delivers it (then the `$disconnect`s of what the server closed). */
async function send(world: World, from: ModelSocket, frame: object): Promise<void> {
  await world.invoke(from.id, 'MESSAGE', { body: JSON.stringify(frame) });
}

class Connect implements Cmd {
  constructor(
    readonly user: number,
    readonly lifetime: number,
  ) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const user = this.user % world.subs.length;
    world.begin();
    const id = `${world.run}c${world.sockets.length}`;
    const sub = world.subs[user];
    const socket: ModelSocket = {
      id,
      user,
      jti: randomUUID(),
      iat: world.now,
      exp: world.now + this.lifetime,
      open: true,
      tokenRevoked: false,
      known: new Set(),
    };
    const context = toAuthorizerContext({
      sub,
      username: sub,
      groups: [`room-${GROUP_ROOM}`],
      scopes: [SIGNALING_SCOPE],
      jti: socket.jti,
      sessionId: `${id}-session`,
      iat: socket.iat,
      authTime: socket.iat,
      exp: socket.exp,
    });
    const full = world.sockets.filter((s) => s.open && s.user === user).length >= MAX_SOCKETS_PER_USER;
    const result = await world.invoke(id, 'CONNECT', {
      requestContext: { connectionId: id, eventType: 'CONNECT', routeKey: '$connect', authorizer: context },
    });
    expect(result.statusCode).toBe(full ? 429 : 200);
    if (!full) world.sockets.push(socket);
    world.expectClosed([]);
    world.checkInvariants();
  }
  toString = () => `Connect(user ${this.user}, ${this.lifetime} s)`;
}

class Join implements Cmd {
  constructor(
    readonly socket: number,
    readonly room: number,
  ) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const s = pick(world, this.socket);
    if (!s) return;
    world.begin();
    const target = [
      GROUP_ROOM,
      `user:${world.subs[s.user]}`,
      `user:${world.subs[(s.user + 1) % world.subs.length]}`,
    ][this.room % 3];
    const own = target === GROUP_ROOM || target === `user:${world.subs[s.user]}`;
    const problem = world.problem(s);
    const others = world.members(target).filter((m) => m.id !== s.id);
    const full = s.room !== target && others.length >= MAX_ROOM_SIZE;
    await send(world, s, { action: 'join', room: target });
    if (problem) {
      expect(world.answers(s.id)).toEqual([`error:${problem}`]);
      world.expectClosed([s.id]);
    } else if (!own) {
      expect(world.answers(s.id)).toEqual(['error:ERR_ROOM_FORBIDDEN']);
      world.expectClosed([]);
    } else if (full) {
      expect(world.answers(s.id)).toEqual(['error:ERR_ROOM_FULL']);
      world.expectClosed([]);
      s.room = undefined;
    } else {
      const stale = others.filter((o) => world.problem(o));
      const live = others.filter((o) => !world.problem(o));
      expect(world.answers(s.id)).toEqual(['joined']);
      const joined = world.got(s.id, 'joined')[0] as Extract<ServerFrame, { type: 'joined' }>;
      expect(joined.peers.map((p) => p.connectionId).sort()).toEqual(live.map((o) => o.id).sort());
      for (const o of live) {
        expect(world.got(o.id, 'peer-joined')).toEqual([
          expect.objectContaining({ peer: expect.objectContaining({ connectionId: s.id }) }),
        ]);
      }
      world.expectClosed(stale.map((o) => o.id));
      s.room = target;
    }
    world.forgetClosed();
    world.learn();
    world.checkInvariants();
  }
  toString = () => `Join(${this.socket}, room ${this.room})`;
}

class Signal implements Cmd {
  constructor(
    readonly from: number,
    readonly to: number,
  ) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const s = pick(world, this.from);
    if (!s) return;
    world.begin();
    const recipient = world.sockets[this.to % world.sockets.length];
    const problem = world.problem(s);
    const sameRoom = !!s.room && recipient.open && recipient.room === s.room && recipient.id !== s.id;
    const recipientProblem = sameRoom ? world.problem(recipient) : undefined;
    await send(world, s, {
      action: 'signal',
      to: recipient.id,
      kind: 'offer',
      payload: { type: 'offer', sdp: 'v=0' },
    });
    const relayedTo = world.sockets.filter((x) => world.got(x.id, 'signal').length > 0).map((x) => x.id);
    if (problem) {
      expect(world.answers(s.id)).toEqual([`error:${problem}`]);
      world.expectClosed([s.id]);
      expect(relayedTo).toEqual([]);
    } else if (!s.room) {
      expect(world.answers(s.id)).toEqual(['error:ERR_NOT_IN_ROOM']);
      expect(relayedTo).toEqual([]);
      world.expectClosed([]);
    } else if (!sameRoom || recipientProblem) {
      expect(world.answers(s.id)).toEqual(['error:ERR_PEER_NOT_IN_ROOM']);
      expect(relayedTo).toEqual([]);
      world.expectClosed(recipientProblem ? [recipient.id] : []);
      if (recipientProblem) expect(world.answers(recipient.id)).toEqual([`error:${recipientProblem}`]);
    } else {
      // The relay is the answer: exactly the recipient gets it, from the sender; the sender hears nothing.
      expect(world.answers(s.id)).toEqual([]);
      expect(relayedTo).toEqual([recipient.id]);
      expect(world.got(recipient.id, 'signal')).toEqual([expect.objectContaining({ from: s.id })]);
      world.expectClosed([]);
    }
    world.forgetClosed();
    world.learn();
    world.checkInvariants();
  }
  toString = () => `Signal(${this.from} -> ${this.to})`;
}

class Leave implements Cmd {
  constructor(readonly socket: number) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const s = pick(world, this.socket);
    if (!s) return;
    world.begin();
    const problem = world.problem(s);
    const room = s.room;
    await send(world, s, { action: 'leave' });
    if (problem) {
      expect(world.answers(s.id)).toEqual([`error:${problem}`]);
      world.expectClosed([s.id]);
    } else {
      expect(world.answers(s.id)).toEqual([room ? 'left' : 'error:ERR_NOT_IN_ROOM']);
      world.expectClosed([]);
      s.room = undefined;
    }
    world.forgetClosed();
    world.learn();
    world.checkInvariants();
  }
  toString = () => `Leave(${this.socket})`;
}

class Disconnect implements Cmd {
  constructor(readonly socket: number) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const s = pick(world, this.socket);
    if (!s) return;
    world.begin();
    s.open = false;
    s.room = undefined;
    await world.invoke(s.id, 'DISCONNECT');
    world.expectClosed([]);
    world.learn();
    world.checkInvariants();
  }
  toString = () => `Disconnect(${this.socket})`;
}

class Revoke implements Cmd {
  constructor(
    readonly socket: number,
    readonly scope: 'token' | 'user',
    readonly push: boolean,
  ) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const s = world.sockets.length ? world.sockets[this.socket % world.sockets.length] : undefined;
    if (!s) return;
    world.begin();
    const service = this.push ? world.pushing : world.revocations;
    const by = { actor: 'model', reason: 'test' };
    const sub = world.subs[s.user];
    const openBefore = new Set(world.sockets.filter((x) => x.open).map((x) => x.id));
    if (this.scope === 'token') {
      await service.revokeToken({ jti: s.jti, sub, exp: s.exp }, by);
      s.tokenRevoked = true;
    } else {
      world.watermarks.set(s.user, (await service.revokeUser({ sub }, by)).notBefore!);
      world.now += 1; // tokens issued from the next second on are not revoked
    }
    await world.drain();
    // Pushed: every affected open socket is told and closed at once; otherwise nothing happens until it is checked.
    const watermark = world.watermarks.get(s.user);
    const affected = world.sockets.filter((x) =>
      this.scope === 'token'
        ? x.id === s.id
        : x.user === s.user && watermark !== undefined && x.iat < watermark,
    );
    const expectedClosed = this.push ? affected.filter((x) => openBefore.has(x.id)) : [];
    world.expectClosed(expectedClosed.map((x) => x.id));
    for (const x of expectedClosed) expect(world.answers(x.id)).toEqual(['revoked']);
    world.forgetClosed();
    world.learn();
    world.checkInvariants();
  }
  toString = () => `Revoke(${this.socket}, ${this.scope}${this.push ? ', pushed' : ''})`;
}

/** A frame while the store is down: answered with ERR_STORE_UNAVAILABLE; nobody closed, nothing changed. */
class Outage implements Cmd {
  constructor(
    readonly socket: number,
    readonly frame: number,
  ) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    const s = pick(world, this.socket);
    if (!s) return;
    world.begin();
    const to = world.sockets[this.frame % world.sockets.length].id;
    const frames = [
      { action: 'join', room: GROUP_ROOM },
      { action: 'signal', to, kind: 'offer', payload: { type: 'offer', sdp: 'v=0' } },
      { action: 'leave' },
    ];
    outage = true;
    try {
      await send(world, s, frames[this.frame % frames.length]);
    } finally {
      outage = false;
    }
    expect(world.answers(s.id)).toEqual(['error:ERR_STORE_UNAVAILABLE']);
    expect([...world.inbox.keys()]).toEqual([s.id]);
    world.expectClosed([]);
    world.checkInvariants();
  }
  toString = () => `Outage(${this.socket}, frame ${this.frame})`;
}

class Expire implements Cmd {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    world.now += this.seconds;
  }
  toString = () => `Expire(+${this.seconds} s)`;
}

class Sweep implements Cmd {
  check = () => true;
  async run(_m: Record<string, never>, world: World): Promise<void> {
    world.begin();
    const stale = world.sockets.filter((x) => x.open && world.problem(x));
    const { effects } = await sweep(world.checked, { nowSeconds: () => world.now });
    await performEffects(effects, world.ports);
    await world.drain();
    // Other runs' rows in the shared table are closed too (unknown to this world: 410, then forgotten).
    for (const id of world.closedByServer) expect(stale.map((x) => x.id)).toContain(id);
    world.expectClosed(stale.map((x) => x.id));
    world.forgetClosed();
    world.learn();
    world.checkInvariants();
  }
  toString = () => 'Sweep';
}

const connect = fc.tuple(fc.nat(), fc.integer({ min: 5, max: 120 })).map(([u, l]) => new Connect(u, l));
const commands = [
  connect,
  connect, // twice as likely: rooms fill, users reach the cap
  fc.tuple(fc.nat(), fc.nat()).map(([s, r]) => new Join(s, r)),
  fc.tuple(fc.nat(), fc.nat()).map(([f, t]) => new Signal(f, t)),
  fc.nat().map((s) => new Leave(s)),
  fc.nat().map((s) => new Disconnect(s)),
  fc
    .tuple(fc.nat(), fc.constantFrom('token' as const, 'user' as const), fc.boolean())
    .map(([s, scope, push]) => new Revoke(s, scope, push)),
  fc.integer({ min: 1, max: 60 }).map((n) => new Expire(n)),
  fc.tuple(fc.nat(), fc.nat()).map(([s, f]) => new Outage(s, f)),
  fc.constant(new Sweep()),
];

/** Runs one command sequence against a fresh world of `users` users. */
async function play(users: number, cmds: Iterable<Cmd>): Promise<void> {
  const world = new World(users);
  try {
    await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds);
  } finally {
    await world.teardown();
  }
}

describe('signaling model (real handler, dynalite)', () => {
  it('keeps every invariant over random sequences of 1–3 users with up to 4 sockets each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 }), fc.commands(commands, { maxCommands: 50 }), play),
      { numRuns: 100 },
    );
  }, 240_000);
});

describe('signaling model: shrunk counterexamples kept as regressions', () => {
  it('relays between two tabs of one user in their group room (duplicate deny-list key)', async () => {
    await play(1, [new Connect(0, 60), new Connect(0, 60), new Join(0, 0), new Join(1, 0), new Signal(1, 0)]);
  });

  it('answers a signal between two sockets of one user outside any room with ERR_NOT_IN_ROOM', async () => {
    await play(1, [new Connect(0, 5), new Connect(0, 5), new Signal(321411657, 0)]);
  });

  it('tells every member peer-left for each of two expired peers a join closes at once (the second found by 410)', async () => {
    await play(1, [
      new Connect(0, 5),
      new Connect(0, 5),
      new Connect(0, 120),
      new Join(0, 0),
      new Join(1, 0),
      new Join(2, 0),
      new Expire(6),
      new Connect(0, 60),
      new Join(3, 0),
    ]);
  });

  it('answers the join of a user’s third socket while the user and another share the room', async () => {
    await play(2, [
      new Connect(1, 60),
      new Connect(0, 60),
      new Connect(0, 60),
      new Connect(0, 60),
      new Join(0, 0),
      new Join(1, 0),
      new Join(2, 0),
      new Join(3, 0),
    ]);
  });
});
