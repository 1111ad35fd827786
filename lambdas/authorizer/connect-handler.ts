// WebSocket `$connect` Lambda authorizer (REQUEST): the token travels as subprotocol `bearer.<token>`; same core as REST.

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { countColdStart, createObservability } from '../shared/observability';
import { CONNECT_POLICY } from '../shared/websocket-routes';
import type { Decision } from './authorize';
import { authorizeToken } from './authorize';
import { loadConnectAuthorizerConfig } from './config';
import { buildAuthorizeDeps, buildDpopPolicy } from './deps';
import { websocketProofCheck } from './dpop-binding';
import { singleHeader } from './headers';
import { authorizerResult } from './result';
import { checkHandshake } from './websocket-handshake';

const config = loadConnectAuthorizerConfig(process.env);
const obs = createObservability('connect-authorizer');
const deps = buildAuthorizeDeps(config);
const dpop = buildDpopPolicy(config);

export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  countColdStart(obs);
  const handshake = checkHandshake({
    protocols: singleHeader(event, 'sec-websocket-protocol'),
    origin: singleHeader(event, 'origin'),
    query: event.queryStringParameters,
    allowedOrigins: config.allowedOrigins,
  });
  // Device binding: a bound token needs its proof as a `dpop.<proof>` subprotocol entry.
  const proof =
    dpop && handshake.ok
      ? websocketProofCheck(dpop, singleHeader(event, 'sec-websocket-protocol') ?? '', handshake.token)
      : undefined;
  const decision: Decision = handshake.ok
    ? await authorizeToken(handshake.token, deps, CONNECT_POLICY, proof)
    : { effect: 'Deny', reason: handshake.reason };
  const facts = {
    route: '$connect',
    sourceIp: event.requestContext?.identity?.sourceIp,
    userAgent: event.requestContext?.identity?.userAgent ?? undefined,
    ...(handshake.ok ? { token: handshake.token } : { detail: handshake.detail }),
  };
  // A WebSocket API has no gateway responses: the status is all a refused client gets (docs/errors.md). A missing
  // scope is a Deny policy (403, RFC 6750 insufficient_scope); every other refusal throws (401).
  const refusal =
    decision.effect === 'Deny' && decision.reason === 'ERR_FORBIDDEN' ? 'deny-policy' : 'status-only';
  return authorizerResult(obs, decision, facts, event.methodArn, refusal);
};
