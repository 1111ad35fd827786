// WebSocket `$connect` Lambda authorizer (REQUEST): the token travels as subprotocol `bearer.<token>`; same core as REST.

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { countColdStart, createObservability } from '../shared/observability';
import type { Decision } from './authorize';
import { authorizeToken } from './authorize';
import { loadConnectAuthorizerConfig } from './config';
import { buildAuthorizeDeps } from './deps';
import { singleHeader } from './headers';
import { authorizerResult } from './result';
import { checkHandshake } from './websocket-handshake';

const config = loadConnectAuthorizerConfig(process.env);
const obs = createObservability('connect-authorizer');
const deps = buildAuthorizeDeps(config);

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
  const decision: Decision = handshake.ok
    ? await authorizeToken(handshake.token, deps)
    : { effect: 'Deny', reason: handshake.reason };
  const facts = {
    route: '$connect',
    sourceIp: event.requestContext?.identity?.sourceIp,
    userAgent: event.requestContext?.identity?.userAgent ?? undefined,
    ...(handshake.ok ? { token: handshake.token } : { detail: handshake.detail }),
  };
  // A WebSocket API has no gateway responses: the status is all a refused client gets (docs/errors.md).
  return authorizerResult(obs, decision, facts, event.methodArn, 'status-only');
};
