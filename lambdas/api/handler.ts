// REST handler for GET /health (public) and GET /me (the verified identity, from the authorizer's context).

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { listEnv } from '../shared/config';
import { corsHeaders, errorResponse, findRoute, guard, header, json, refuse } from '../shared/http';
import { countColdStart, createObservability } from '../shared/observability';
import { ApiEnv } from './env';

const allowedOrigins = listEnv(process.env, ApiEnv.allowedOrigins);
const obs = createObservability('api');

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  countColdStart(obs);
  const headers = corsHeaders(header(event, 'origin'), allowedOrigins);
  const route = findRoute(event);
  // Public: it says only that the service is up (no mode or configuration for whoever asks).
  if (route?.path === '/health') return json(200, { status: 'ok' }, { headers });
  if (route?.path === '/me') {
    const guarded = guard(event, route, { headers });
    if (!guarded.ok) return refuse(obs, event, guarded);
    const { sub, username, groups, scopes, exp, sessionId, authTime } = guarded.identity;
    return json(
      200,
      // authTime: when the user signed in (step-up routes compare it with their window).
      {
        sub,
        username,
        groups,
        scopes,
        expiresAt: exp,
        sessionId: sessionId ?? null,
        authTime: authTime ?? null,
      },
      { headers },
    );
  }
  return errorResponse(404, 'ERR_NOT_FOUND', 'no such route', { headers });
};
