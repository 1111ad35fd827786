// WebSocket routes ($connect, $disconnect, join, signal, reauth, leave, $default): events in, core, effects out.

import type {
  APIGatewayProxyResult,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  APIGatewayEventWebsocketRequestContextV2,
} from 'aws-lambda';
import { CognitoUserDirectory } from '../adapters/cognito-user-directory';
import { buildAuthorizeDeps, buildDpopPolicy } from '../authorizer/deps';
import { reauthProofCheck } from '../authorizer/dpop-binding';
import { fromAuthorizerContext } from '../shared/claims';
import { countColdStart, createObservability, recordDenied } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { SUBPROTOCOL } from '../shared/websocket-routes';
import { loadSignalingConfig } from './config';
import { buildCheckedConnections, buildEffectPorts } from './deps';
import { performEffects } from './effects';
import { ConnectionRateLimiter, DEFAULT_RATE_LIMITS } from './rate-limiter';
import { namedRoomPolicy } from './room-policy';
import type { Effects, SignalingDeps } from './signaling';
import { connectionOf, onDisconnect, onMessage } from './signaling';

/** A WebSocket proxy event; on `$connect` it carries the authorizer's context. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & { readonly authorizer?: Record<string, unknown> | null }
>;

const config = loadSignalingConfig(process.env);
const obs = createObservability('signaling');
const auth = buildAuthorizeDeps(config.auth);
const ports = buildEffectPorts(config, obs);
const connections = ports.connections;
const checked = buildCheckedConnections(config, config.auth.revocationTable);
const directory = new CognitoUserDirectory(config.auth.userPoolId);
const limiter = new ConnectionRateLimiter(DEFAULT_RATE_LIMITS);
const deps: SignalingDeps = {
  connections,
  checked,
  revocations: auth.revocations,
  verifier: auth.verifier,
  clock: systemClock,
  policy: namedRoomPolicy,
  rateLimit: (connectionId, now) => limiter.take(connectionId, now),
  requireSessionId: config.auth.requireSessionId,
  ...reauthProofDeps(),
};

/** Device binding enforced: a bound token's `reauth` needs its proof. */
function reauthProofDeps(): Pick<SignalingDeps, 'reauthProof'> {
  const policy = buildDpopPolicy(config.auth);
  const reauthProof = policy && reauthProofCheck(policy);
  return reauthProof ? { reauthProof } : {};
}

export const handler = async (event: WebSocketEvent): Promise<APIGatewayProxyResult> => {
  countColdStart(obs);
  const { connectionId, eventType, routeKey } = event.requestContext;
  switch (eventType) {
    case 'CONNECT': {
      const identity = fromAuthorizerContext(event.requestContext.authorizer);
      // API Gateway never connects without the authorizer's Allow; a missing context is refused anyway (fail closed).
      if (!identity) return { statusCode: 401, body: '' };
      const connection = connectionOf(
        identity,
        connectionId,
        systemClock.nowSeconds(),
        await displayName(identity.username),
      );
      await connections.put(connection);
      checked.remember(connection); // this instance's first relay for the socket is then one read
      obs.logger.info('connected', {
        event: 'ws_connect',
        connectionId,
        sub: identity.sub,
        sessionId: identity.sessionId,
      });
      // Browsers drop a socket whose handshake selects no subprotocol they offered.
      return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL }, body: '' };
    }
    case 'DISCONNECT':
      limiter.forget(connectionId);
      try {
        await perform(await onDisconnect(connectionId, connections), routeKey);
      } catch (error) {
        // The socket is gone whatever we do: a store outage leaves its row, dropped at the next 410 Gone or by TTL.
        const { name, message } = error instanceof Error ? error : new Error('non-error thrown');
        obs.logger.error('disconnect failed', {
          event: 'ws_disconnect_failed',
          connectionId,
          errorName: name,
          errorMessage: message,
        });
        return { statusCode: 500, body: '' };
      }
      return { statusCode: 200, body: '' };
    case 'MESSAGE':
      // Never log the body: a reauth frame carries a token.
      await perform(await onMessage(connectionId, event.body, deps), routeKey);
      return { statusCode: 200, body: '' };
  }
};

/** The email peers are shown; a directory fault only costs the label (the username is shown instead). */
async function displayName(username: string): Promise<string | undefined> {
  try {
    return await directory.email(username);
  } catch (error) {
    obs.logger.warn('display name lookup failed', {
      event: 'ws_display_name_failed',
      error: error instanceof Error ? error.name : String(error),
    });
    return undefined;
  }
}

async function perform(effects: Effects, route: string): Promise<void> {
  if (effects.denied) recordDenied(obs, { ...effects.denied, route: `ws:${route}` });
  if (effects.roomRefused) {
    obs.logger.warn('room refused', {
      event: 'ws_room_forbidden',
      route: `ws:${route}`,
      ...effects.roomRefused,
    });
  }
  await performEffects(effects, ports);
}
