// The signaling function over injected parts: `$connect` (per-user cap), `$disconnect`, messages (never silence).

import type {
  APIGatewayEventWebsocketRequestContextV2,
  APIGatewayProxyResult,
  APIGatewayProxyWebsocketEventV2WithRequestContext,
} from 'aws-lambda';
import { fromAuthorizerContext } from '../shared/claims';
import { recordDenied } from '../shared/observability';
import { SUBPROTOCOL } from '../shared/websocket-routes';
import type { EffectPorts } from './effects';
import { performEffects, recordSignalingFailure } from './effects';
import type { Connection } from './ports';
import type { Effects, SignalingDeps } from './signaling';
import { connectionOf, frameFailed, onDisconnect, onMessage } from './signaling';

/** A WebSocket proxy event; on `$connect` it carries the authorizer's context. */
export type WebSocketEvent = APIGatewayProxyWebsocketEventV2WithRequestContext<
  APIGatewayEventWebsocketRequestContextV2 & { readonly authorizer?: Record<string, unknown> | null }
>;

export interface SignalingParts {
  readonly deps: SignalingDeps;
  readonly ports: EffectPorts;
  /** Most sockets one user may have open at once. */
  readonly maxConnectionsPerUser: number;
  /** The name peers are shown; undefined shows the username. */
  displayName(username: string): Promise<string | undefined>;
  /** Called with each stored row (the checked reader learns its keys: the first relay is then one read). */
  remember?(connection: Connection): void;
  /** Called at `$disconnect` (the rate limiter drops the socket's bucket). */
  forget?(connectionId: string): void;
}

/** The Lambda handler of every signaling route, built once per cold start. */
export function signalingHandler(
  parts: SignalingParts,
): (event: WebSocketEvent) => Promise<APIGatewayProxyResult> {
  const { deps, ports } = parts;
  const { obs } = ports;
  const connections = deps.connections;

  async function connect(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
    const { connectionId } = event.requestContext;
    const identity = fromAuthorizerContext(event.requestContext.authorizer);
    // API Gateway never connects without the authorizer's Allow; a missing context is refused anyway (fail closed).
    if (!identity) return { statusCode: 401, body: '' };
    const connection = connectionOf(
      identity,
      connectionId,
      deps.clock.nowSeconds(),
      await parts.displayName(identity.username),
    );
    // The row first, then its place: a counted socket without a row is known to be gone (see the store).
    await connections.put(connection);
    if (!(await connections.claimUserSocket(identity.sub, connectionId, parts.maxConnectionsPerUser))) {
      await connections.delete(connectionId);
      const reason = 'ERR_TOO_MANY_CONNECTIONS';
      recordDenied(obs, {
        reason,
        route: '$connect',
        sub: identity.sub,
        jti: identity.jti,
        ...(identity.sessionId ? { sessionId: identity.sessionId } : {}),
        detail: `more than ${parts.maxConnectionsPerUser} sockets`,
      });
      // A refused handshake shows the client only this status (docs/errors.md); the log line has the reason.
      return { statusCode: 429, body: '' };
    }
    parts.remember?.(connection);
    obs.logger.info('connected', {
      event: 'ws_connect',
      connectionId,
      sub: identity.sub,
      sessionId: identity.sessionId,
    });
    // Browsers drop a socket whose handshake selects no subprotocol they offered.
    return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': SUBPROTOCOL }, body: '' };
  }

  async function disconnect(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
    const { connectionId, routeKey } = event.requestContext;
    parts.forget?.(connectionId);
    let effects: Effects;
    try {
      effects = await onDisconnect(connectionId, connections);
    } catch (error) {
      // The socket is gone whatever we do: a store outage leaves its row, dropped at the next 410 Gone or by TTL.
      recordSignalingFailure(obs, 'ERR_STORE_UNAVAILABLE', { connectionId, route: '$disconnect' }, error);
      return { statusCode: 500, body: '' };
    }
    await perform(effects, routeKey, connectionId);
    return { statusCode: 200, body: '' };
  }

  async function message(event: WebSocketEvent): Promise<APIGatewayProxyResult> {
    const { connectionId, routeKey } = event.requestContext;
    let effects: Effects;
    try {
      // Never log the body: a reauth frame carries a token.
      effects = await onMessage(connectionId, event.body, deps);
    } catch (error) {
      effects = frameFailed(connectionId, 'ERR_INTERNAL', error); // no silence, whatever the core threw
    }
    await perform(effects, routeKey, connectionId);
    return { statusCode: 200, body: '' };
  }

  async function perform(effects: Effects, route: string, connectionId: string): Promise<void> {
    if (effects.denied) recordDenied(obs, { ...effects.denied, route: `ws:${route}` });
    if (effects.roomRefused) {
      obs.logger.warn('room refused', {
        event: 'ws_room_forbidden',
        route: `ws:${route}`,
        ...effects.roomRefused,
      });
    }
    if (effects.failed) {
      const { reason, errorName } = effects.failed;
      recordSignalingFailure(obs, reason, { connectionId, route: `ws:${route}`, errorName });
    }
    await performEffects(effects, ports);
  }

  return async (event) => {
    switch (event.requestContext.eventType) {
      case 'CONNECT':
        return connect(event);
      case 'DISCONNECT':
        return disconnect(event);
      case 'MESSAGE':
        return message(event);
    }
  };
}
