// Turns an authorize decision into API Gateway's authorizer answer: log + metric, then an Allow or a refusal.

import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { toAuthorizerContext } from '../shared/claims';
import type { Observability } from '../shared/observability';
import { recordAllowed, recordDenied, recordWouldDeny } from '../shared/observability';
import { bearerChallenge, REASON_MEANINGS } from '../shared/reasons';
import { causeSentence } from '../shared/revocation-cause';
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
 * How a denial reaches API Gateway.
 * - `deny-policy` (REST): a Deny policy whose context carries the reason; the ACCESS_DENIED gateway response
 *   (lambdas/shared/gateway-responses.ts) renders it as a 401 with `WWW-Authenticate` and `{ error, message }`.
 * - `status-only` (WebSocket `$connect`, which has no gateway responses, so a status is all a refused client gets):
 *   throw exactly 'Unauthorized' => 401. (A Deny policy would answer 403, but Lambda counts only throws as Errors,
 *   which the ConnectAuthorizerErrors alarm subtracts denials from: one way to deny keeps that alarm exact.)
 */
export type Refusal = 'deny-policy' | 'status-only';

/** The authorizer context of a REST denial: what the ACCESS_DENIED gateway response substitutes. */
export interface DenialContext {
  readonly reason: string;
  readonly message: string;
  readonly wwwAuthenticate: string;
  [key: string]: string;
}

/** Allow => an IAM policy for `resource` with the identity as context; Deny => the refusal described above. */
export function authorizerResult(
  obs: Observability,
  decision: Decision,
  facts: RequestFacts,
  resource: string,
  refusal: Refusal,
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
    const principalId = decision.claims?.sub ?? 'anonymous';
    if (refusal === 'deny-policy') return policy(principalId, 'Deny', resource, denialContext(decision));
    throw new Error('Unauthorized'); // API Gateway answers 401 only for this exact text
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
  return policy(identity.sub, 'Allow', resource, toAuthorizerContext(identity));
}

/** Reason, sentence and challenge of a denial; the scope and cause of a revocation are part of the sentence. */
export function denialContext(decision: Extract<Decision, { effect: 'Deny' }>): DenialContext {
  const { message } = REASON_MEANINGS[decision.reason];
  const scoped = decision.scope ? `${message} (scope ${decision.scope})` : message;
  return {
    reason: decision.reason,
    message: decision.cause ? `${scoped}: ${causeSentence(decision.cause)}` : scoped,
    wwwAuthenticate: decision.wwwAuthenticate ?? bearerChallenge(decision.reason, decision.bearerError),
  };
}

function policy(
  principalId: string,
  effect: 'Allow' | 'Deny',
  resource: string,
  context?: APIGatewayAuthorizerResult['context'],
): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    ...(context ? { context } : {}),
  };
}
