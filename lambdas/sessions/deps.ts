// Cold-start wiring shared by the auth and admin handlers: DynamoDB stores, Cognito, the revocation service.

import { CognitoIdentityProvider } from '../adapters/cognito-identity-provider';
import type { SecretSource } from '../adapters/secrets-manager-secret';
import { createDocumentClient, DynamoRevocationStore } from '../adapters/dynamo-revocation-store';
import { DynamoSessionStore } from '../adapters/dynamo-session-store';
import { systemClock } from '../shared/ports';
import type { RevocationListener } from '../shared/revocation-service';
import { RevocationService } from '../shared/revocation-service';
import type { SessionsConfig } from './config';
import type { EndUserDeps } from './end-session';

export interface SessionFunctionDeps extends EndUserDeps {
  /** The deny-list table (read side, for /auth/refresh). */
  readonly revocationStore: DynamoRevocationStore;
}

/**
 * Builds the deps once per process. `listeners` hear every revocation (e.g. the signaling socket closer);
 * `clientSecret` (auth function only) lets RevokeToken authenticate as the confidential client.
 */
export function buildSessionDeps(
  config: SessionsConfig,
  listeners: readonly RevocationListener[] = [],
  clientSecret?: SecretSource,
): SessionFunctionDeps {
  const documents = createDocumentClient();
  const revocationStore = new DynamoRevocationStore(config.revocationTable, documents);
  return {
    sessions: new DynamoSessionStore(config.sessionsTable, documents),
    revocationStore,
    revocations: new RevocationService(
      revocationStore,
      systemClock,
      { refreshTokenValiditySeconds: config.refreshTokenValiditySeconds },
      listeners,
    ),
    idp: new CognitoIdentityProvider({
      userPoolId: config.userPoolId,
      clientId: config.clientId,
      ...(clientSecret ? { clientSecret } : {}),
    }),
    clock: systemClock,
  };
}
