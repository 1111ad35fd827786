// Restarting the offline stack on the same data dir keeps revocations and the seeded users.
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { systemClock } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import { decodePayload } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { signIn } from '../helpers/sign-in';

let stack: TestStack | undefined;

afterAll(async () => {
  await stack?.dispose();
});

function me(target: TestStack, token: string) {
  return fetch(`${target.outputs.apiUrl}/me`, { headers: { Authorization: `Bearer ${token}` } });
}

it('still denies a revoked token after a restart, and users still sign in', async () => {
  const first = await startTestStack();
  stack = first;
  const alice = first.outputs.users[0];
  const revoked = await signIn(first, alice.username, alice.password);
  const kept = await signIn(first, alice.username, alice.password);
  const claims = decodePayload(revoked.accessToken);
  const store = new DynamoRevocationStore(process.env[AuthorizerEnv.revocationTable]!);
  await new RevocationService(store, systemClock, { refreshTokenValiditySeconds: 3600 }).revokeToken(
    { jti: claims.jti as string, sub: claims.sub as string, exp: claims.exp as number },
    { actor: 'integration-test', reason: 'test' },
  );
  expect((await me(first, revoked.accessToken)).status).toBe(401);
  await first.stop();

  // Same ports: the handlers of this process were configured with these endpoints.
  const second = await startTestStack({ dataDir: first.dataDir, ports: first.ports });
  stack = second;
  expect(second.outputs).toEqual(first.outputs);
  expect((await me(second, revoked.accessToken)).status).toBe(401);
  expect((await me(second, kept.accessToken)).status).toBe(200);
  const again = await signIn(second, alice.username, alice.password);
  expect((await me(second, again.accessToken)).status).toBe(200);
});
