// Turns an authorize decision into API Gateway's authorizer answer: log + metric, then a policy or 'Unauthorized'.

import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { toAuthorizerContext } from '../shared/claims';
import type { Observability } from '../shared/observability';
import { recordAllowed, recordDenied, recordWouldDeny } from '../shared/observability';
import type { Decision } from './authorize';

/** What the log line says about the request; the token only feeds the fingerprint. */
export interface RequestFacts {
  readonly route: string;
  readonly sourceIp?: string;
  readonly userAgent?: string;
  readonly token?: string;
  /** Why a request was refused before the token was looked at (e.g. a query-string token). */
  readonly detail?: string;
}

/**
 * Allow => an IAM policy for `resource` with the identity as context; Deny => throws exactly 'Unauthorized',
 * the only text for which API Gateway answers 401.
 */
export function authorizerResult(
  obs: Observability,
  decision: Decision,
  facts: RequestFacts,
  resource: string,
): APIGatewayAuthorizerResult {
  if (decision.effect === 'Deny') {
    recordDenied(obs, {
      ...facts,
      reason: decision.reason,
      ...(decision.scope ? { scope: decision.scope } : {}),
      sub: decision.claims?.sub,
      jti: decision.claims?.jti,
      sessionId: decision.claims?.originJti,
    });
    throw new Error('Unauthorized');
  }
  const { identity, wouldDeny } = decision;
  if (wouldDeny) {
    recordWouldDeny(obs, {
      ...facts,
      ...wouldDeny,
      sub: identity.sub,
      jti: identity.jti,
      sessionId: identity.sessionId,
    });
  }
  recordAllowed(obs);
  return {
    principalId: identity.sub,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    context: toAuthorizerContext(identity),
  };
}
