// Cost model: measured counts of the current build times the list prices in bench/prices.json, next to native anchors.
import { DEFAULT_MEMORY_MB, LAMBDA_ARCHITECTURE } from '../lib/constructs/node-function';
import { round } from './lib/stats';
import prices from './prices.json';
import type { RoundTripResult, RoundTripRow } from './round-trips';
import type { SignInCostResult } from './sign-in-cost';

export type Prices = typeof prices;

/** One priced workload: USD per `per` units, split by what is billed, with the counts it came from. */
export interface CostRow {
  readonly workload: string;
  readonly per: string;
  readonly apiGateway: number;
  readonly lambda: number;
  readonly dynamodb: number;
  readonly other: number;
  readonly total: number;
  /** total / the HTTP API + JWT authorizer anchor (authorized requests only). */
  readonly vsHttpJwtAnchor?: number;
  readonly basis: string;
}

export interface CostModelResult {
  readonly prices: Prices;
  readonly lambdaMemoryMb: number;
  readonly lambdaArchitecture: string;
  readonly rows: readonly CostRow[];
  /** The issue's target: authorized requests at most this multiple of the HTTP API + JWT authorizer anchor. */
  readonly target: { readonly maxVsHttpJwtAnchor: number; readonly met: boolean };
  /** The cheapest revocable design on paper (HTTP API + this Lambda authorizer + 1 read unit), for the record. */
  readonly httpApiLambdaAuthorizerFloor: number;
  readonly notes: readonly string[];
}

const MILLION = 1_000_000;
export const TARGET_VS_HTTP_JWT = 1.3;

/** Prices the measured counts; every count comes from the round-trips and sign-in parts. */
export function costModel(
  roundTrips: RoundTripResult,
  signIn: SignInCostResult,
  list: Prices = prices,
): CostModelResult {
  const architecture = LAMBDA_ARCHITECTURE.name as keyof Prices['lambda']['perGbSecond'];
  const gbSecond = list.lambda.perGbSecond[architecture];
  /** USD per invocation for `ms` of wall time, billed per started millisecond at the configured memory. */
  const duration = (ms: number) =>
    ((Math.ceil(ms / list.lambda.billingGranularityMs) *
      list.lambda.billingGranularityMs *
      DEFAULT_MEMORY_MB) /
      1024 /
      1000) *
    gbSecond;
  const invocation = list.lambda.perMillionRequests / MILLION;
  const read = list.dynamodb.perMillionReadRequestUnits / MILLION;
  const write = list.dynamodb.perMillionWriteRequestUnits / MILLION;
  const row = (name: string) => {
    const found = roundTrips.rows.find((r) => r.request === name);
    if (!found) throw new Error(`round-trips has no row ${name}`);
    return found;
  };
  const dynamo = (r: Pick<RoundTripRow, 'readUnits' | 'writeUnits'>) =>
    r.readUnits * read + r.writeUnits * write;

  const httpAnchor = list.apiGateway.httpPerMillionRequests;
  const allowed = row('REST: allowed token');
  const authorized = priced(
    'authorized REST request (this build)',
    'million',
    MILLION,
    {
      apiGateway: list.apiGateway.restPerMillionRequests / MILLION,
      lambda: invocation + duration(allowed.handlerMs),
      dynamodb: dynamo(allowed),
      other: 0,
    },
    `1 REST request, 1 authorizer invocation of ${allowed.handlerMs} ms, ${allowed.readUnits} RRU`,
    httpAnchor,
  );
  const restCognito = priced(
    'anchor: REST + Cognito user pool authorizer (no revocation)',
    'million',
    MILLION,
    { apiGateway: list.apiGateway.restPerMillionRequests / MILLION, lambda: 0, dynamodb: 0, other: 0 },
    'API Gateway verifies the token itself; no Lambda, no table',
    httpAnchor,
  );
  const httpJwt = priced(
    'anchor: HTTP API + JWT authorizer (no revocation)',
    'million',
    MILLION,
    { apiGateway: httpAnchor / MILLION, lambda: 0, dynamodb: 0, other: 0 },
    'API Gateway verifies the token itself; no Lambda, no table',
    httpAnchor,
  );
  const frame = row('WebSocket: relayed signal frame');
  const posts = frame.byOperation.PostToConnection ?? 0;
  const relayed = priced(
    'relayed signaling frame',
    'million',
    MILLION,
    {
      apiGateway: ((1 + posts) * list.apiGateway.websocketPerMillionMessages) / MILLION,
      lambda: invocation + duration(frame.handlerMs),
      dynamodb: dynamo(frame),
      other: 0,
    },
    `1 message in + ${posts} out, 1 invocation of ${frame.handlerMs} ms, ${frame.readUnits} RRU, ${frame.writeUnits} WRU`,
  );
  const functions = Object.entries(signIn.lambda).filter(([, c]) => c.invocations > 0);
  const signInLambda = functions.reduce(
    (sum, [, c]) => sum + c.invocations * invocation + c.invocations * duration(c.ms / c.invocations),
    0,
  );
  const signInOut = priced(
    'sign-in with logout',
    'thousand',
    1000,
    {
      apiGateway: (signIn.restRequests * list.apiGateway.restPerMillionRequests) / MILLION,
      lambda: signInLambda,
      dynamodb: dynamo(signIn),
      other: (signIn.eventsPublished * list.eventBridge.perMillionCustomEvents) / MILLION,
    },
    `${signIn.restRequests} REST requests, ${functions
      .map(([fn, c]) => `${fn} ${c.invocations}x ${round(c.ms / c.invocations)} ms`)
      .join(', ')}, ${signIn.readUnits} RRU, ${signIn.writeUnits} WRU, ${signIn.eventsPublished} events`,
  );
  const httpApiLambdaAuthorizerFloor = round(
    (httpAnchor / MILLION + invocation + duration(allowed.handlerMs) + read) * MILLION,
    4,
  );
  return {
    prices: list,
    lambdaMemoryMb: DEFAULT_MEMORY_MB,
    lambdaArchitecture: architecture,
    rows: [authorized, restCognito, httpJwt, relayed, signInOut],
    target: {
      maxVsHttpJwtAnchor: TARGET_VS_HTTP_JWT,
      met: authorized.total <= TARGET_VS_HTTP_JWT * httpJwt.total,
    },
    httpApiLambdaAuthorizerFloor,
    notes: [
      "The route's own Lambda, CloudFront, WAF and data transfer are the same for every row and left out.",
      'Lambda time is the handler wall time measured here against loopback dynalite, billed per started ms; in AWS each further ms costs ' +
        `$${round(duration(1) * MILLION, 4)} per million invocations at ${DEFAULT_MEMORY_MB} MB ${architecture}.`,
      'DynamoDB units are what dynalite reports with ReturnConsumedCapacity: it leaves out GSI writes, which AWS bills too (the sessions table has one index).',
      'Cognito bills by monthly active user, not per sign-in: not in the sign-in row.',
      `The sign-in row is the page's device-bound sign-in (one more Cognito call, GetTokensFromRefreshToken, in /auth/session); without a device key: ${signIn.withoutDeviceKey.restRequests} REST requests, ${signIn.withoutDeviceKey.readUnits} RRU, ${signIn.withoutDeviceKey.writeUnits} WRU, ${signIn.withoutDeviceKey.eventsPublished} events.`,
    ],
  };
}

function priced(
  workload: string,
  per: 'million' | 'thousand',
  scale: number,
  unit: { apiGateway: number; lambda: number; dynamodb: number; other: number },
  basis: string,
  httpAnchorPerMillion?: number,
): CostRow {
  const total = unit.apiGateway + unit.lambda + unit.dynamodb + unit.other;
  return {
    workload,
    per,
    apiGateway: round(unit.apiGateway * scale, 4),
    lambda: round(unit.lambda * scale, 4),
    dynamodb: round(unit.dynamodb * scale, 4),
    other: round(unit.other * scale, 4),
    total: round(total * scale, 4),
    ...(httpAnchorPerMillion === undefined
      ? {}
      : { vsHttpJwtAnchor: round((total * MILLION) / httpAnchorPerMillion) }),
    basis,
  };
}
