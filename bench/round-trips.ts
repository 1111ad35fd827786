// Part 2: DynamoDB round trips per decision, counted at the wire in front of dynalite while the deployed bundles run.
import { join } from 'node:path';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { DynamoRevocationStore } from '../lambdas/adapters/dynamo-revocation-store';
import { newDeviceKey, proofFor } from '../test/helpers/dpop';
import { meEvent } from '../test/helpers/rest-authorizer';
import { startTempDynamo } from '../test/helpers/temp-dynamo';
import { accessTokenClaims, rsaTestKey, signRs256, TEST_CLIENT_ID, TEST_POOL_ID } from '../test/helpers/jwt';
import { startCountingEndpoint, type CountingEndpoint } from './lib/counting-endpoint';
import { median, round } from './lib/stats';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { SIGNALING_SCOPE } from '../lambdas/shared/oauth-scopes';
import { SignalingEnv } from '../lambdas/signaling/env';
import { localAwsEnv } from '../local/aws-env';

const BENCH_IP = '198.51.100.7';
const ALLOWED_ORIGIN = 'http://localhost:3000';
const APP_URL = 'https://app.example.com';

export interface RoundTripRow {
  readonly request: string;
  /** DynamoDB calls per request (all operations). */
  readonly dynamoCalls: number;
  /** Goal, when the issue sets one. */
  readonly goal?: number;
  readonly byOperation: Readonly<Record<string, number>>;
  /** DynamoDB read / write request units per request, as dynalite sized them (ReturnConsumedCapacity). */
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Median wall time of one handler call here (loopback dynalite), ms: the billed-duration input of the cost model. */
  readonly handlerMs: number;
  readonly outcome: string;
}

export interface RoundTripResult {
  readonly rows: readonly RoundTripRow[];
  readonly method: string;
}

type Handler = (event: unknown) => Promise<unknown>;
const REPEAT = 10;
const NON_DYNAMO = new Set(['Jwks', 'PostToConnection', 'DeleteConnection']);

/** `bundles`: directory with `<fn>/index.js` from the cold-start part. */
export async function countRoundTrips(bundles: string): Promise<RoundTripResult> {
  const dynamo = await startTempDynamo('cg-bench-rt-');
  const key = rsaTestKey('bench-kid');
  const endpoint = await startCountingEndpoint({
    jwks: { keys: [key.publicJwk] },
    upstream: dynamo.endpoint,
  });
  try {
    Object.assign(process.env, {
      ...localAwsEnv({ region: 'us-east-1', dynamo: endpoint.url }),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      [AuthorizerEnv.userPoolId]: TEST_POOL_ID,
      [AuthorizerEnv.clientId]: TEST_CLIENT_ID,
      [AuthorizerEnv.revocationTable]: 'Revocations',
      [SignalingEnv.connectionsTable]: 'Connections',
      [SignalingEnv.connectionsEndpoint]: `${endpoint.url}/local`,
      [AuthorizerEnv.allowedOrigins]: ALLOWED_ORIGIN,
      [AuthorizerEnv.jwksUri]: endpoint.jwksUri,
      [AuthorizerEnv.requireSessionId]: 'true',
      // Device binding enforced: unbound Bearer tokens are unaffected, bound ones need their proof.
      [AuthorizerEnv.dpopMode]: 'enforce',
      [AuthorizerEnv.appUrl]: APP_URL,
    });
    /* eslint-disable @typescript-eslint/no-require-imports -- CommonJS bundles, loaded after their env is set */
    const authorizer = (require(join(bundles, 'authorizer', 'index.js')) as { handler: Handler }).handler;
    const connectAuthorizer = (
      require(join(bundles, 'connect-authorizer', 'index.js')) as { handler: Handler }
    ).handler;
    const signaling = (require(join(bundles, 'signaling', 'index.js')) as { handler: Handler }).handler;
    /* eslint-enable @typescript-eslint/no-require-imports */

    const now = Math.floor(Date.now() / 1000);
    const token = (jti: string, sub = `user-${jti}`) =>
      signRs256(
        key,
        accessTokenClaims({
          jti,
          sub,
          origin_jti: `session-${jti}`,
          'cognito:groups': ['room-bench'], // admits to signaling room `bench`
          scope: `openid ${SIGNALING_SCOPE}`, // $connect requires it (CONNECT_POLICY): else a Deny without a read
          iat: now,
          exp: now + 3600,
        }),
      );
    const forger = rsaTestKey('bench-kid'); // same kid, another key: a forged signature
    const forged = signRs256(forger, accessTokenClaims({ iat: now, exp: now + 3600 }));
    const revokedToken = token('revoked');
    await new DynamoRevocationStore('Revocations').put(
      { scope: 'token', jti: 'revoked' },
      {
        scope: 'token',
        sub: 'user-revoked',
        revokedAt: now,
        expiresAt: now + 3600,
        reason: 'bench',
        actor: 'bench',
      },
    );
    await outcome(authorizer(meEvent(`Bearer ${token('warm-up')}`, BENCH_IP))); // JWKS fetched once, connections open
    await outcome(connectAuthorizer(connectEvent(token('warm-up-socket')))); // its own bundle, its own JWKS cache

    const rows: RoundTripRow[] = [];
    rows.push(
      await perRequest(endpoint, 'REST: allowed token', 1, () =>
        outcome(authorizer(meEvent(`Bearer ${token('allowed')}`, BENCH_IP))),
      ),
    );
    rows.push(
      await perRequest(endpoint, 'REST: forged signature', 0, () =>
        outcome(authorizer(meEvent(`Bearer ${forged}`, BENCH_IP))),
      ),
    );
    rows.push(
      await perRequest(endpoint, 'REST: garbage token', 0, () =>
        outcome(authorizer(meEvent('Bearer eyJhbGciOiJSUzI1NiJ9.e30.AAAA', BENCH_IP))),
      ),
    );
    rows.push(
      await perRequest(endpoint, 'REST: revoked token', 1, () =>
        outcome(authorizer(meEvent(`Bearer ${revokedToken}`, BENCH_IP))),
      ),
    );
    const device = await newDeviceKey();
    const boundToken = signRs256(
      key,
      accessTokenClaims({
        jti: 'bound',
        origin_jti: 'session-bound',
        cnf: { jkt: device.jkt },
        iat: now,
        exp: now + 3600,
      }),
    );
    rows.push(
      // 2: the deny-list read and the replay guard's conditional write (dpopReplayGuard: table, the default).
      await perRequest(endpoint, 'REST: device-bound token with its proof (DPoP)', 2, async () => {
        // A fresh proof per request, as the page makes it (the replay guard refuses a repeated one).
        const proof = await proofFor(device, {
          method: 'GET',
          url: `${APP_URL}/api/me`,
          accessToken: boundToken,
        });
        const event = meEvent(`DPoP ${boundToken}`, BENCH_IP);
        return outcome(authorizer({ ...event, headers: { ...event.headers, DPoP: proof } }));
      }),
    );
    rows.push(
      await perRequest(endpoint, 'REST: device-bound token as Bearer', 0, () =>
        outcome(authorizer(meEvent(`Bearer ${boundToken}`, BENCH_IP))),
      ),
    );
    rows.push(
      await perRequest(endpoint, 'WebSocket $connect: allowed token', 1, () =>
        outcome(connectAuthorizer(connectEvent(token('socket')))),
      ),
    );

    // Sockets in one room; then count what relaying one offer costs: between two users (A to B), and between two
    // sockets (tabs) of one user (C to D), whose both ends share one deny-list item, read once.
    const context = async (jti: string, sub?: string) => {
      const policy = (await authorizer(meEvent(`Bearer ${token(jti, sub)}`, BENCH_IP))) as {
        context: Record<string, unknown>;
      };
      return { ...policy.context, iat: now };
    };
    await signaling(wsEvent('connA', 'CONNECT', '$connect', undefined, await context('a')));
    await signaling(wsEvent('connB', 'CONNECT', '$connect', undefined, await context('b')));
    await signaling(wsEvent('connC', 'CONNECT', '$connect', undefined, await context('c', 'user-tabs')));
    await signaling(wsEvent('connD', 'CONNECT', '$connect', undefined, await context('d', 'user-tabs')));
    for (const id of ['connA', 'connB', 'connC', 'connD'])
      await signaling(wsEvent(id, 'MESSAGE', 'join', JSON.stringify({ action: 'join', room: 'bench' })));
    const relay = (from: string, to: string) => async () => {
      const frame = JSON.stringify({
        action: 'signal',
        to,
        kind: 'offer',
        payload: { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
      });
      await signaling(wsEvent(from, 'MESSAGE', 'signal', frame));
      // The handler always answers 200; what it posted tells a relay from an error frame.
      const posted = endpoint.lastPost();
      const sent = JSON.parse(posted?.body ?? '{}') as { type?: string; reason?: string };
      return sent.type === 'signal' ? `relayed to ${posted?.to}` : `${sent.type} ${sent.reason ?? ''}`.trim();
    };
    rows.push(await perRequest(endpoint, 'WebSocket: relayed signal frame', 1, relay('connA', 'connB')));
    rows.push(
      await perRequest(
        endpoint,
        'WebSocket: relayed signal frame, two sockets of one user',
        1,
        relay('connC', 'connD'),
      ),
    );
    return {
      rows,
      method:
        'requests counted by x-amz-target at an HTTP proxy in front of dynalite; handlers are the CDK-built bundles',
    };
  } finally {
    await endpoint.close();
    await dynamo.stop();
  }
}

async function perRequest(
  endpoint: CountingEndpoint,
  request: string,
  goal: number | undefined,
  send: () => Promise<string>,
): Promise<RoundTripRow> {
  const before = endpoint.counts();
  const unitsBefore = endpoint.units();
  const times: number[] = [];
  let last = '';
  for (let i = 0; i < REPEAT; i++) {
    const start = performance.now();
    last = await send();
    times.push(performance.now() - start);
  }
  const after = endpoint.counts();
  const unitsAfter = endpoint.units();
  const byOperation: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after)) {
    const delta = (count - (before[operation] ?? 0)) / REPEAT;
    if (delta) byOperation[operation] = delta;
  }
  const dynamoCalls = Object.entries(byOperation)
    .filter(([operation]) => !NON_DYNAMO.has(operation))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    request,
    dynamoCalls,
    ...(goal === undefined ? {} : { goal }),
    byOperation,
    readUnits: (unitsAfter.read - unitsBefore.read) / REPEAT,
    writeUnits: (unitsAfter.write - unitsBefore.write) / REPEAT,
    handlerMs: round(median(times)),
    outcome: last,
  };
}

async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    const result = (await call) as { policyDocument?: { Statement: { Effect: string }[] } };
    return result.policyDocument?.Statement[0]?.Effect ?? 'no policy';
  } catch (error) {
    return (error as Error).message; // 'Unauthorized' = 401
  }
}

function connectEvent(token: string): APIGatewayRequestAuthorizerEvent {
  const protocols = `cognito-guard.v1, bearer.${token}`;
  return {
    ...meEvent('', BENCH_IP),
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:ws123/prod/$connect',
    resource: '$connect',
    path: '',
    httpMethod: 'GET',
    // An allowed Origin: without it the authorizer refuses before any read (ERR_ORIGIN), which measures nothing.
    headers: { 'Sec-WebSocket-Protocol': protocols, Origin: ALLOWED_ORIGIN },
    multiValueHeaders: { 'Sec-WebSocket-Protocol': [protocols], Origin: [ALLOWED_ORIGIN] },
  };
}

function wsEvent(
  connectionId: string,
  eventType: 'CONNECT' | 'MESSAGE',
  routeKey: string,
  body?: string,
  authorizer?: Record<string, unknown>,
): unknown {
  return {
    requestContext: {
      connectionId,
      eventType,
      routeKey,
      stage: 'prod',
      domainName: 'ws.example.com',
      apiId: 'ws123',
      requestId: `req-${Math.random()}`,
      connectedAt: Date.now(),
      requestTimeEpoch: Date.now(),
      ...(authorizer ? { authorizer } : {}),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: false,
  };
}
