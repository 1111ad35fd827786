// WebSocket routes ($connect, $disconnect, join, signal, reauth, leave, $default): events in, core, effects out.

import type {
  APIGatewayProxyResult,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
  APIGatewayEventWebsocketRequestContextV2,
} from 'aws-lambda';
import { buildAuthorizeDeps } from '../authorizer/deps';
import { fromAuthorizerContext } from '../shared/claims';
import { countColdStart, createObservability, recordDenied } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { loadSignalingConfig } from './config';
import { buildEffectPorts } from './deps';
import { performEffects } from './effects';
import { SUBPROTOCOL } from '../shared/websocket-routes';
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
const deps: SignalingDeps = {
  connections,
  revocations: auth.revocations,
  verifier: auth.verifier,
  clock: systemClock,
  requireSessionId: config.auth.requireSessionId,
};

export const handler = async (event: WebSocketEvent): Promise<APIGatewayProxyResult> => {
  countColdStart(obs);
  const { connectionId, eventType, routeKey } = event.requestContext;
  switch (eventType) {
    case 'CONNECT': {
      const identity = fromAuthorizerContext(event.requestContext.authorizer);
      // API Gateway never connects without the authorizer's Allow; a missing context is refused anyway (fail closed).
      if (!identity) return { statusCode: 401, body: '' };
      await connections.put(connectionOf(identity, connectionId, systemClock.nowSeconds()));
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

async function perform(effects: Effects, route: string): Promise<void> {
  if (effects.denied) recordDenied(obs, { ...effects.denied, route: `ws:${route}` });
  await performEffects(effects, ports);
}
