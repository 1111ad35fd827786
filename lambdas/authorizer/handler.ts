// REST API Lambda authorizer (REQUEST): the only file that knows the REST authorizer event and its method ARN.

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { countColdStart, createObservability } from '../shared/observability';
import type { Decision } from './authorize';
import { authorizeToken, parseBearer } from './authorize';
import { loadAuthorizerConfig } from './config';
import { buildAuthorizeDeps } from './deps';
import { singleHeader } from './headers';
import { authorizerResult } from './result';

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
    ? { effect: 'Deny', reason: 'ERR_TOKEN_MALFORMED', bearerError: 'invalid_request' }
    : await authorizeToken(bearer.token, deps);
  const facts = {
    route: `${event.httpMethod} ${event.resource}`,
    sourceIp: event.requestContext?.identity?.sourceIp,
    userAgent: event.requestContext?.identity?.userAgent ?? undefined,
    token: bearer.token,
  };
  // Cover every route of this stage, so a cached decision (if caching is on) stays right for any route.
  return authorizerResult(obs, decision, facts, stageWildcard(event.methodArn), 'deny-policy');
};

/** `arn:...:apiId/stage/METHOD/path` -> `arn:...:apiId/stage/*`. */
function stageWildcard(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*`;
}
