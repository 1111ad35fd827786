// What one relayed frame costs, counted at the wire (as `npm run bench` counts): one DynamoDB call plus the post.
import { randomUUID } from 'node:crypto';
import { startCountingEndpoint, type CountingEndpoint } from '../../bench/lib/counting-endpoint';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import type { WebSocketEvent } from '../../lambdas/signaling/handler';
import { SignalingEnv } from '../../lambdas/signaling/env';
import type { LocalDynamo } from '../../local/dynamo';
import { localAwsEnv } from '../../local/aws-env';
import { rsaTestKey, TEST_CLIENT_ID, TEST_POOL_ID } from '../helpers/jwt';
import { startTempDynamo } from '../helpers/temp-dynamo';

type Handler = (event: WebSocketEvent) => Promise<{ statusCode: number }>;

let dynamo: LocalDynamo;
let endpoint: CountingEndpoint;
let handler: Handler;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dynamo = await startTempDynamo('relay-cost-');
  endpoint = await startCountingEndpoint({
    jwks: { keys: [rsaTestKey('cost').publicJwk] },
    upstream: dynamo.endpoint,
  });
  Object.assign(process.env, {
    ...localAwsEnv({ region: 'us-east-1', dynamo: endpoint.url, cognito: endpoint.url }),
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    [AuthorizerEnv.userPoolId]: TEST_POOL_ID,
    [AuthorizerEnv.clientId]: TEST_CLIENT_ID,
    [AuthorizerEnv.revocationTable]: 'Revocations',
    [AuthorizerEnv.jwksUri]: endpoint.jwksUri,
    [SignalingEnv.connectionsTable]: 'Connections',
    [SignalingEnv.connectionsEndpoint]: `${endpoint.url}/local`,
  });
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the handler reads its env at import
    handler = (require('../../lambdas/signaling/handler') as { handler: Handler }).handler;
  });
});

afterAll(async () => {
  process.env = savedEnv;
  await endpoint?.close();
  await dynamo?.stop();
});

const now = () => Math.floor(Date.now() / 1000);

function event(connectionId: string, eventType: 'CONNECT' | 'MESSAGE', body?: object): WebSocketEvent {
  const sub = randomUUID();
  return {
    requestContext: {
      connectionId,
      eventType,
      routeKey: eventType === 'CONNECT' ? '$connect' : 'x',
      ...(eventType === 'CONNECT'
        ? {
            authorizer: {
              sub,
              username: sub,
              groups: 'room-cost',
              scope: '',
              jti: randomUUID(),
              sessionId: randomUUID(),
              iat: now(),
              exp: now() + 900,
            },
          }
        : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
    isBase64Encoded: false,
  } as unknown as WebSocketEvent;
}

/** The calls one invocation made, by operation. */
async function cost(call: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = endpoint.counts();
  await call();
  return Object.fromEntries(
    Object.entries(endpoint.counts())
      .map(([operation, n]) => [operation, n - (before[operation] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  );
}

it('relays a signal frame with one BatchGetItem (both ends and their deny-list entries) and one post', async () => {
  for (const id of ['senderConn', 'recipientConn']) await handler(event(id, 'CONNECT'));
  for (const id of ['senderConn', 'recipientConn'])
    await handler(event(id, 'MESSAGE', { action: 'join', room: 'cost' }));
  const offer = {
    action: 'signal',
    to: 'recipientConn',
    kind: 'offer',
    payload: { type: 'offer', sdp: 'v=0' },
  };
  for (let i = 0; i < 5; i++) {
    expect(await cost(() => handler(event('senderConn', 'MESSAGE', offer)))).toEqual({
      BatchGetItem: 1,
      PostToConnection: 1,
    });
  }
});

it('checks a non-relay frame with one BatchGetItem too', async () => {
  await handler(event('loneConn', 'CONNECT'));
  expect(await cost(() => handler(event('loneConn', 'MESSAGE', { action: 'leave' })))).toEqual({
    BatchGetItem: 1,
    PostToConnection: 1, // the ERR_NOT_IN_ROOM answer
  });
});
