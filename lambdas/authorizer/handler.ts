// REST API Lambda authorizer (REQUEST): the only file that knows API Gateway's authorizer event and policy shapes.

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { toAuthorizerContext } from '../shared/claims';
import {
  countColdStart,
  createObservability,
  recordAllowed,
  recordDenied,
  recordWouldDeny,
} from '../shared/observability';
import type { Decision } from './authorize';
import { authorizeToken, parseBearer } from './authorize';
import { loadAuthorizerConfig } from './config';
import { buildAuthorizeDeps } from './deps';
import { singleHeader } from './headers';

const config = loadAuthorizerConfig(process.env);
const obs = createObservability('authorizer');
const deps = buildAuthorizeDeps(config);

export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  countColdStart(obs);
  const authorization = singleHeader(event, 'authorization');
  const bearer = authorization === null ? { malformed: true } : parseBearer(authorization);
  const decision: Decision = bearer.malformed
    ? { effect: 'Deny', reason: 'ERR_TOKEN_MALFORMED' }
    : await authorizeToken(bearer.token, deps);
  if (decision.effect === 'Deny') {
    recordDenied(obs, {
      reason: decision.reason,
      ...(decision.scope ? { scope: decision.scope } : {}),
      route: `${event.httpMethod} ${event.resource}`,
      sourceIp: event.requestContext?.identity?.sourceIp,
      userAgent: event.requestContext?.identity?.userAgent ?? undefined,
      sub: decision.claims?.sub,
      jti: decision.claims?.jti,
      sessionId: decision.claims?.originJti,
      token: bearer.token,
    });
    throw new Error('Unauthorized'); // API Gateway answers 401 only for this exact text
  }
  if (decision.wouldDeny) {
    recordWouldDeny(obs, {
      ...decision.wouldDeny,
      route: `${event.httpMethod} ${event.resource}`,
      sourceIp: event.requestContext?.identity?.sourceIp,
      sub: decision.identity.sub,
      jti: decision.identity.jti,
      sessionId: decision.identity.sessionId,
      token: bearer.token,
    });
  }
  recordAllowed(obs);
  return {
    principalId: decision.identity.sub,
    policyDocument: {
      Version: '2012-10-17',
      // Cover every route of this stage, so a cached decision (if caching is on) stays right for any route.
      Statement: [
        { Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) },
      ],
    },
    context: toAuthorizerContext(decision.identity),
  };
};

/** `arn:...:apiId/stage/METHOD/path` -> `arn:...:apiId/stage/*`. */
function stageWildcard(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}
