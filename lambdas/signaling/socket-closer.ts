// RevocationListener that closes the revoked sockets at once: find by jti / session / user, `revoked` frame, close.

import type { Observability } from '../shared/observability';
import type { RevocationKey, RevocationRecord } from '../shared/ports';
import type { RevocationListener } from '../shared/revocation-service';
import type { EffectPorts } from './effects';
import { performEffects } from './effects';
import type { Connection, ConnectionStore } from './ports';
import { revokingScope } from '../shared/revocation-rules';
import { revokedEffects } from './signaling';

/** Plug into `new RevocationService(writer, clock, config, [socketCloser])` in every function that revokes. */
export class SocketCloser implements RevocationListener {
  constructor(private readonly ports: EffectPorts) {}

  /**
   * Best effort: the revocation is already stored, so a failure here is logged, not thrown; the socket is then
   * refused at its next frame or closed by the sweep when its token expires.
   */
  async revoked(key: RevocationKey, record: RevocationRecord): Promise<void> {
    try {
      const affected = await affectedConnections(this.ports.connections, key, record);
      await performEffects(revokedEffects(affected, key.scope), this.ports);
    } catch (error) {
      logFailure(this.ports.obs, key, error);
    }
  }
}

async function affectedConnections(
  connections: ConnectionStore,
  key: RevocationKey,
  record: RevocationRecord,
): Promise<readonly Connection[]> {
  switch (key.scope) {
    case 'token':
      // No jti index: a user has few sockets, so filter theirs.
      return (await connections.listBySub(record.sub)).filter((c) => c.jti === key.jti);
    case 'session':
      return connections.listBySession(key.sessionId);
    case 'user':
      // The same watermark rule as every check (iat and auth_time), applied to each socket's stored token.
      return (await connections.listBySub(key.sub)).filter(
        (c) =>
          record.notBefore === undefined ||
          revokingScope({ sub: c.sub, iat: c.tokenIat, authTime: c.authTime }, [record], record.revokedAt) ===
            'user',
      );
  }
}

function logFailure(obs: Observability, key: RevocationKey, error: unknown): void {
  obs.logger.error('closing revoked sockets failed', {
    event: 'socket_close_failed',
    scope: key.scope,
    error: error instanceof Error ? error.message : String(error),
  });
}
