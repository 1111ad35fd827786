// REST API Lambda authorizer (REQUEST): the only file that knows the REST authorizer event and its method ARN.

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { findRoute } from '../shared/http';
import { countColdStart, createObservability } from '../shared/observability';
import type { Decision } from './authorize';
import { authorizeToken, parseBearer } from './authorize';
import { loadAuthorizerConfig } from './config';
import { buildAuthorizeDeps, buildDpopPolicy } from './deps';
import type { Credential } from './dpop-binding';
import { parseCredential, restProofCheck } from './dpop-binding';
import { singleHeader } from './headers';
import { authorizerResult } from './result';

const config = loadAuthorizerConfig(process.env);
const obs = createObservability('authorizer');
const deps = buildAuthorizeDeps(config);
const dpop = buildDpopPolicy(config);

export const handler = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  countColdStart(obs);
  const authorization = singleHeader(event, 'authorization');
  // With device binding on, `DPoP <token>` is a scheme too; off, only `Bearer` (DPoP is then malformed).
  const parse = dpop ? parseCredential : parseBearer;
  const bearer: Credential = authorization === null ? { malformed: true } : parse(authorization);
  const proof = dpop
    ? restProofCheck(dpop, {
        credential: bearer,
        proof: singleHeader(event, 'dpop'),
        method: event.httpMethod,
        path: event.path,
        required: findRoute(event)?.dpop === 'required',
      })
    : undefined;
  const decision: Decision = bearer.malformed
    ? { effect: 'Deny', reason: 'ERR_TOKEN_MALFORMED', bearerError: 'invalid_request' }
    : await authorizeToken(bearer.token, deps, undefined, proof);
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
