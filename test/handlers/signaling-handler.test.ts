// The signaling handler's adapter: no silence when the core throws or a post fails, the per-user socket cap at
// `$connect`, and what it logs and counts (core fakes, captured logs and EMF metrics).
import type { APIGatewayProxyResult } from 'aws-lambda';
import { toAuthorizerContext } from '../../lambdas/shared/claims';
import { SIGNALING_SCOPE } from '../../lambdas/shared/oauth-scopes';
import { createObservability } from '../../lambdas/shared/observability';
import type { ServerFrame } from '../../lambdas/signaling/frames';
import type { Connection } from '../../lambdas/signaling/ports';
import { namedRoomPolicy } from '../../lambdas/signaling/room-policy';
import type { SignalingDeps } from '../../lambdas/signaling/signaling';
import type { WebSocketEvent } from '../../lambdas/signaling/websocket-adapter';
import { signalingHandler } from '../../lambdas/signaling/websocket-adapter';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { MemoryConnections, RecordingSender } from '../helpers/memory-connections';

const NOW = 1_800_000_000;

let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

function conn(id: string, overrides: Partial<Connection> = {}): Connection {
  return {
    connectionId: id,
    sub: `sub-${id}`,
    username: id,
    groups: ['room-r1'],
    sessionId: `s-${id}`,
    jti: `j-${id}`,
    tokenExp: NOW + 600,
    tokenIat: NOW - 300,
    connectedAt: NOW - 60,
    ...overrides,
  };
}

function setup(rows: Connection[], overrides: Partial<SignalingDeps> = {}, sender = new RecordingSender()) {
  const connections = new MemoryConnections(rows);
  const deps: SignalingDeps = {
    connections,
    checked: connections,
    revocations: { lookup: async () => [] },
    verifier: { verify: async () => ({ ok: false, reason: 'ERR_TOKEN_SIGNATURE' }) },
    clock: { nowSeconds: () => NOW },
    policy: namedRoomPolicy,
    rateLimit: () => 'ok',
    requireSessionId: true,
    ...overrides,
  };
  const route = signalingHandler({
    deps,
    ports: { connections, sender, obs: createObservability('signaling') },
    maxConnectionsPerUser: 2,
    displayName: async () => undefined,
  });
  return { connections, sender, route };
}

const message = (connectionId: string, frame: object) =>
  ({
    requestContext: { connectionId, eventType: 'MESSAGE', routeKey: 'x' },
    body: JSON.stringify(frame),
    isBase64Encoded: false,
  }) as unknown as WebSocketEvent;

const lifecycle = (connectionId: string, eventType: 'CONNECT' | 'DISCONNECT', sub = 'sub-u') =>
  ({
    requestContext: {
      connectionId,
      eventType,
      routeKey: eventType === 'CONNECT' ? '$connect' : '$disconnect',
      authorizer: toAuthorizerContext({
        sub,
        username: sub,
        groups: [],
        scopes: [SIGNALING_SCOPE],
        jti: `j-${connectionId}`,
        sessionId: `s-${connectionId}`,
        iat: NOW,
        exp: NOW + 900,
      }),
    },
    isBase64Encoded: false,
  }) as unknown as WebSocketEvent;

const failures = () =>
  logs
    .lines()
    .filter((l) => '_aws' in l && 'SignalingFailures' in l)
    .map((l) => l.Reason);

describe('signaling handler: no silence', () => {
  it('answers a frame the core throws on with ERR_INTERNAL, logs ws_failure and counts it', async () => {
    const { route, sender } = setup([conn('alice')], {
      rateLimit: () => {
        throw new TypeError('bug');
      },
    });
    const result: APIGatewayProxyResult = await route(message('alice', { action: 'leave' }));
    expect(result.statusCode).toBe(200);
    expect(sender.sent).toEqual([
      { to: 'alice', frame: expect.objectContaining({ type: 'error', reason: 'ERR_INTERNAL' }) },
    ]);
    expect(sender.closed).toEqual([]);
    expect(logs.lines().filter((l) => l.event === 'ws_failure')).toMatchObject([
      { reason: 'ERR_INTERNAL', connectionId: 'alice', errorName: 'TypeError' },
    ]);
    expect(failures()).toEqual(['ERR_INTERNAL']);
  });

  it('still answers the sender when posting to one peer fails, and counts ERR_SEND_FAILED', async () => {
    const sender = new RecordingSender();
    const send = sender.send.bind(sender);
    sender.send = async (to: string, frame: ServerFrame) => {
      if (to === 'bob') throw new Error('throttled');
      return send(to, frame);
    };
    const { route } = setup(
      [conn('alice', { room: 'r1' }), conn('bob', { room: 'r1' }), conn('carol', { room: 'r1' })],
      {},
      sender,
    );
    await route(message('alice', { action: 'leave' }));
    expect(sender.sent.map((s) => [s.to, s.frame.type])).toEqual(
      expect.arrayContaining([
        ['carol', 'peer-left'],
        ['alice', 'left'],
      ]),
    );
    expect(failures()).toEqual(['ERR_SEND_FAILED']);
  });
});

describe('signaling handler: per-user socket cap at $connect', () => {
  it('refuses a third socket of a user with 429 and ERR_TOO_MANY_CONNECTIONS, storing nothing for it', async () => {
    const { route, connections } = setup([]);
    expect((await route(lifecycle('c1', 'CONNECT'))).statusCode).toBe(200);
    expect((await route(lifecycle('c2', 'CONNECT'))).statusCode).toBe(200);
    expect((await route(lifecycle('c3', 'CONNECT'))).statusCode).toBe(429);
    expect([...connections.rows.keys()]).toEqual(['c1', 'c2']);
    expect(logs.lines().filter((l) => l.event === 'auth_denied')).toMatchObject([
      { reason: 'ERR_TOO_MANY_CONNECTIONS', route: '$connect', sub: 'sub-u', jti: 'j-c3' },
    ]);
    // Another user is not affected; a closed socket gives its place back.
    expect((await route(lifecycle('d1', 'CONNECT', 'sub-other'))).statusCode).toBe(200);
    await route(lifecycle('c1', 'DISCONNECT'));
    expect((await route(lifecycle('c3', 'CONNECT'))).statusCode).toBe(200);
  });
});
