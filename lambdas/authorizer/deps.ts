// Builds the authorize core's dependencies once per cold start: shared by the REST and the $connect authorizers.

import { CognitoTokenVerifier } from '../adapters/cognito-token-verifier';
import { DynamoRevocationStore } from '../adapters/dynamo-revocation-store';
import { JoseDpopVerifier } from '../adapters/jose-dpop-verifier';
import { buildReplayGuard } from '../adapters/dynamo-replay-guard';
import { systemClock } from '../shared/ports';
import type { AuthorizeDeps } from './authorize';
import type { AuthorizerConfig } from './config';
import type { DpopPolicy } from './dpop-binding';

/** The verifier (JWKS cache) and the DynamoDB client inside survive warm invocations. */
export function buildAuthorizeDeps(config: AuthorizerConfig): AuthorizeDeps {
  return {
    verifier: new CognitoTokenVerifier({
      ...config,
      clientId: config.verificationClientId
        ? [config.clientId, config.verificationClientId]
        : config.clientId,
    }),
    revocations: new DynamoRevocationStore(config.revocationTable),
    clock: systemClock,
    requireSessionId: config.requireSessionId,
    mode: config.mode,
    // API sign-in (AdminInitiateAuth) can't give custom scopes: the verification client's journey opens sockets.
    scopeExemptClientIds: config.verificationClientId ? [config.verificationClientId] : [],
  };
}

/** Device binding when the stage turns it on, with the replay guard it chose (docs/device-binding.md#replay). */
export function buildDpopPolicy(config: AuthorizerConfig): DpopPolicy | undefined {
  if (!config.dpop) return undefined;
  const { replayGuard, ...policy } = config.dpop;
  const replay = buildReplayGuard(replayGuard, config.revocationTable, 'authorizer', systemClock);
  return { ...policy, deps: { verifier: new JoseDpopVerifier(), clock: systemClock, replay } };
}
