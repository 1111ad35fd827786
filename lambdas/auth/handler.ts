// REST handler of the token handler: /auth/login, /auth/session, /auth/refresh (public, cookie + CSRF) and
// /auth/logout, /auth/logout-all, /me/sessions (authorized).

import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CognitoTokenVerifier } from '../adapters/cognito-token-verifier';
import { CognitoBoundTokens } from '../adapters/cognito-bound-tokens';
import { AesGcmCookieSealer } from '../adapters/cookie-sealer';
import { JoseDpopVerifier } from '../adapters/jose-dpop-verifier';
import { buildReplayGuard } from '../adapters/dynamo-replay-guard';
import { OAuthTokenEndpoint } from '../adapters/oauth-token-endpoint';
import { createSecretsClient, SecretsManagerSecret } from '../adapters/secrets-manager-secret';
import { corsHeaders, errorResponse, findRoute, guard, header, refuse } from '../shared/http';
import { countColdStart, createObservability } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { RevocationRecorder } from '../shared/revocation-metrics';
import type { AuthDeps } from '../sessions/auth-core';
import { logout, logoutAll, refresh } from '../sessions/auth-core';
import { signIn, startLogin } from '../sessions/login';
import type { Outcome } from '../sessions/outcome';
import { listOwnSessions, revokeOwnSession } from '../sessions/own-sessions';
import type { SessionRequest } from '../sessions/request';
import type { Identity } from '../shared/claims';
import { buildRevocationPublishing } from '../events/publishing';
import { buildSessionDeps } from '../sessions/deps';
import { loadConnectionsConfig } from '../signaling/config';
import { buildSocketCloser } from '../signaling/deps';
import { failure, respond, sessionRequest } from '../sessions/http-adapter';
import { loadAuthConfig } from './config';

const config = loadAuthConfig(process.env);
const obs = createObservability('auth');
// Every revocation also closes the affected signaling sockets at once and is published (events out).
const socketCloser = buildSocketCloser(loadConnectionsConfig(process.env), obs);
// Secrets Manager is read on first use and cached: a cold start that serves no sign-in reads nothing.
const secrets = createSecretsClient();
const clientSecret = new SecretsManagerSecret(config.clientSecretId, secrets);
const shared = buildSessionDeps(
  config,
  [new RevocationRecorder(obs), socketCloser, ...buildRevocationPublishing(process.env, obs)],
  clientSecret,
);
const deps: AuthDeps = {
  ...shared,
  denyList: shared.revocationStore,
  tokens: new OAuthTokenEndpoint({
    domainUrl: config.cognitoDomainUrl,
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret,
    redirectUri: config.redirectUri,
    scopes: config.scopes,
    allowInsecureRequests: config.allowInsecureTokenEndpoint,
  }),
  sealer: new AesGcmCookieSealer(new SecretsManagerSecret(config.cookieKeySecretId, secrets)),
  verifier: new CognitoTokenVerifier(config),
  newSessionId: randomUUID,
  config,
  ...(config.dpopMode === 'off'
    ? {}
    : {
        binding: {
          mode: config.dpopMode,
          dpop: {
            verifier: new JoseDpopVerifier(),
            clock: systemClock,
            replay: buildReplayGuard(
              config.dpopReplayGuard,
              config.revocationTable,
              'token-handler',
              systemClock,
            ),
          },
          tokens: new CognitoBoundTokens({ clientId: config.clientId, clientSecret }),
        },
      }),
};

/** The authorized routes of this function, once the guard passed. */
function authorized(
  path: string,
  identity: Identity,
  event: APIGatewayProxyEvent,
  request: SessionRequest,
): Promise<Outcome> {
  switch (path) {
    case '/auth/logout':
      return logout(identity, request, deps);
    case '/auth/logout-all':
      return logoutAll(identity, deps);
    case '/me/sessions':
      return listOwnSessions(identity, deps);
    default:
      return revokeOwnSession(identity, event.pathParameters?.sessionId, request, deps);
  }
}

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  countColdStart(obs);
  const headers = corsHeaders(header(event, 'origin'), config.allowedOrigins);
  const route = findRoute(event);
  const request = sessionRequest(event);
  try {
    switch (route?.path) {
      case '/auth/login':
        return respond(await startLogin(request, deps), event, obs, headers);
      case '/auth/session':
        return respond(await signIn(request, deps), event, obs, headers);
      case '/auth/refresh':
        return respond(await refresh(request, deps), event, obs, headers);
      case '/auth/logout':
      case '/auth/logout-all':
      case '/me/sessions':
      case '/me/sessions/{sessionId}/revoke': {
        const guarded = guard(event, route, { headers });
        if (!guarded.ok) return refuse(obs, event, guarded);
        return respond(await authorized(route.path, guarded.identity, event, request), event, obs, headers);
      }
      default:
        return errorResponse(404, 'ERR_NOT_FOUND', 'no such route', { headers });
    }
  } catch (error) {
    return failure(error, obs, headers);
  }
};
