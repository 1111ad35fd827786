// Builds the authorize core's dependencies once per cold start: shared by the REST and the $connect authorizers.

import { CognitoTokenVerifier } from '../adapters/cognito-token-verifier';
import { DynamoRevocationStore } from '../adapters/dynamo-revocation-store';
import { JoseDpopVerifier } from '../adapters/jose-dpop-verifier';
import { MemoryReplayGuard } from '../adapters/memory-replay-guard';
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

/**
 * Device binding when the stage turns it on. Replay: each warm instance remembers the proof ids it saw (no store
 * write per request: docs/device-binding.md#replay).
 */
export function buildDpopPolicy(config: AuthorizerConfig): DpopPolicy | undefined {
  if (!config.dpop) return undefined;
  const replay = new MemoryReplayGuard(systemClock);
  return { ...config.dpop, deps: { verifier: new JoseDpopVerifier(), clock: systemClock, replay } };
}
