// WebSocket routes ($connect, $disconnect, join, signal, reauth, leave, $default): real parts, built at cold start.

import type { APIGatewayProxyResult } from 'aws-lambda';
import { CognitoUserDirectory } from '../adapters/cognito-user-directory';
import { buildAuthorizeDeps, buildDpopPolicy } from '../authorizer/deps';
import { reauthProofCheck } from '../authorizer/dpop-binding';
import { countColdStart, createObservability } from '../shared/observability';
import { systemClock } from '../shared/ports';
import { loadSignalingConfig } from './config';
import { buildCheckedConnections, buildEffectPorts } from './deps';
import { ConnectionRateLimiter, DEFAULT_RATE_LIMITS } from './rate-limiter';
import { namedRoomPolicy } from './room-policy';
import type { SignalingDeps } from './signaling';
import type { WebSocketEvent } from './websocket-adapter';
import { signalingHandler } from './websocket-adapter';

export type { WebSocketEvent } from './websocket-adapter';

const config = loadSignalingConfig(process.env);
const obs = createObservability('signaling');
const auth = buildAuthorizeDeps(config.auth);
const ports = buildEffectPorts(config, obs);
const checked = buildCheckedConnections(config, config.auth.revocationTable);
const directory = new CognitoUserDirectory(config.auth.userPoolId);
const limiter = new ConnectionRateLimiter(DEFAULT_RATE_LIMITS);
const route = signalingHandler({
  deps: {
    connections: ports.connections,
    checked,
    revocations: auth.revocations,
    verifier: auth.verifier,
    clock: systemClock,
    policy: namedRoomPolicy,
    rateLimit: (connectionId, now) => limiter.take(connectionId, now),
    requireSessionId: config.auth.requireSessionId,
    scopeExemptClientIds: auth.scopeExemptClientIds ?? [],
    ...reauthProofDeps(),
  },
  ports,
  maxConnectionsPerUser: config.maxConnectionsPerUser,
  displayName,
  remember: (connection) => checked.remember(connection), // this instance's first relay is then one read
  forget: (connectionId) => limiter.forget(connectionId),
});

/** Device binding enforced: a bound token's `reauth` needs its proof. */
function reauthProofDeps(): Pick<SignalingDeps, 'reauthProof'> {
  const policy = buildDpopPolicy(config.auth);
  const reauthProof = policy && reauthProofCheck(policy);
  return reauthProof ? { reauthProof } : {};
}

export const handler = async (event: WebSocketEvent): Promise<APIGatewayProxyResult> => {
  countColdStart(obs);
  return route(event);
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
