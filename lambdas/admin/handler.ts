// REST handler for the admin routes: find users by email, list a user's sessions, revoke a user, revoke one session
// (admins group only).

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CognitoIdentityProvider } from '../adapters/cognito-identity-provider';
import { corsHeaders, errorResponse, findRoute, guard, header, refuse } from '../shared/http';
import { countColdStart, createObservability } from '../shared/observability';
import { RevocationRecorder } from '../shared/revocation-metrics';
import { listSessions, revokeSession, revokeUser } from '../sessions/admin-core';
import { buildRevocationPublishing } from '../events/publishing';
import { buildSessionDeps } from '../sessions/deps';
import { loadConnectionsConfig } from '../signaling/config';
import { buildSocketCloser } from '../signaling/deps';
import { failure, respond } from '../sessions/http-adapter';
import { loadAdminConfig } from './config';
import { lookUpUsers } from './user-lookup';

const config = loadAdminConfig(process.env);
const obs = createObservability('admin');
// Every revocation also closes the affected signaling sockets at once and is published (events out).
const socketCloser = buildSocketCloser(loadConnectionsConfig(process.env), obs);
const deps = buildSessionDeps(config, [
  new RevocationRecorder(obs),
  socketCloser,
  ...buildRevocationPublishing(process.env, obs),
]);
const directory = new CognitoIdentityProvider({ userPoolId: config.userPoolId, clientId: config.clientId });

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  countColdStart(obs);
  const headers = corsHeaders(header(event, 'origin'), config.allowedOrigins);
  const route = findRoute(event);
  if (route?.fn !== 'admin') return errorResponse(404, 'ERR_NOT_FOUND', 'no such route', { headers });
  // 403 ERR_FORBIDDEN outside the admins group or without the admin scope; 401 ERR_STEP_UP_REQUIRED on a stale sign-in
  const guarded = guard(event, route, { headers, stepUpMaxAgeSeconds: config.stepUpMaxAgeSeconds });
  if (!guarded.ok) return refuse(obs, event, guarded);
  const { sub, sessionId } = event.pathParameters ?? {};
  try {
    switch (route.path) {
      case '/admin/users':
        return respond(await lookUpUsers(event.queryStringParameters, directory), event, obs, headers);
      case '/admin/users/{sub}/sessions':
        return respond(await listSessions(sub, deps), event, obs, headers);
      case '/admin/users/{sub}/revoke':
        return respond(await revokeUser(guarded.identity, sub, deps), event, obs, headers);
      case '/admin/sessions/{sessionId}/revoke':
        return respond(await revokeSession(guarded.identity, sessionId, deps), event, obs, headers);
      default:
        return errorResponse(404, 'ERR_NOT_FOUND', 'no such route', { headers });
    }
  } catch (error) {
    return failure(error, obs, headers);
  }
};
