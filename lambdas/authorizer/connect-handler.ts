// WebSocket `$connect` Lambda authorizer (REQUEST): the token travels as subprotocol `bearer.<token>`; same core as REST.

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { toAuthorizerContext } from '../shared/claims';
import {
  countColdStart,
  createObservability,
  recordAllowed,
  recordDenied,
  recordWouldDeny,
} from '../shared/observability';
import type { TokenVerifier } from '../shared/ports';
import type { AuthorizeDeps, Decision } from './authorize';
import { authorizeToken } from './authorize';
import { loadConnectAuthorizerConfig } from './config';
import { buildAuthorizeDeps } from './deps';
import { singleHeader } from './headers';
import { checkHandshake } from './websocket-handshake';

const config = loadConnectAuthorizerConfig(process.env);
const obs = createObservability('connect-authorizer');
const deps = buildAuthorizeDeps(config);

const ROUTE = '$connect';

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
  // `iat` is not part of the identity; $connect stores it for user-watermark checks on the open socket.
  let iat = 0;
  const decision: Decision = handshake.ok
    ? await authorizeToken(
        handshake.token,
        capturingIat(deps, (value) => (iat = value)),
      )
    : { effect: 'Deny', reason: handshake.reason };
  const token = handshake.ok ? handshake.token : undefined;
  const client = {
    route: ROUTE,
    sourceIp: event.requestContext?.identity?.sourceIp,
    userAgent: event.requestContext?.identity?.userAgent ?? undefined,
  };
  if (decision.effect === 'Deny') {
    recordDenied(obs, {
      ...client,
      reason: decision.reason,
      ...(decision.scope ? { scope: decision.scope } : {}),
      ...(handshake.ok ? {} : { detail: handshake.detail }),
      sub: decision.claims?.sub,
      jti: decision.claims?.jti,
      sessionId: decision.claims?.originJti,
      token,
    });
    throw new Error('Unauthorized'); // API Gateway answers 401 only for this exact text
  }
  if (decision.wouldDeny) {
    recordWouldDeny(obs, {
      ...client,
      ...decision.wouldDeny,
      sub: decision.identity.sub,
      jti: decision.identity.jti,
      token,
    });
  }
  recordAllowed(obs);
  return {
    principalId: decision.identity.sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
    },
    context: { ...toAuthorizerContext(decision.identity), iat },
  };
};

/** Per-call deps whose verifier reports the verified token's `iat` (no shared state between calls). */
function capturingIat(base: AuthorizeDeps, report: (iat: number) => void): AuthorizeDeps {
  const verifier: TokenVerifier = {
    verify: async (token) => {
      const result = await base.verifier.verify(token);
      if (result.ok) report(result.claims.iat);
      return result;
    },
  };
  return { ...base, verifier };
}
