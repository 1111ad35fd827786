// The signaling sweep on the offline stack (fast timer): idle sockets die with their token or its revocation.
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { decodePayload, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { pageSockets } from '../helpers/ws-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ sweepIntervalMs: 300 });
});

afterAll(async () => {
  await stack?.dispose();
});

const connect = pageSockets(() => stack.outputs);

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sweep', () => {
  it('closes an idle socket soon after its token expired, with an ERR_TOKEN_EXPIRED frame', async () => {
    const exp = now() + 2;
    const client = await connect(mintAccessToken(stack.outputs, { exp }));
    const { at } = await client.closed;
    expect(at).toBeGreaterThanOrEqual(exp * 1000);
    expect(at - exp * 1000).toBeLessThan(1500);
    expect(client.frames).toEqual([expect.objectContaining({ type: 'error', reason: 'ERR_TOKEN_EXPIRED' })]);
  });

  it('leaves a socket alone that reauthed before its first token expired', async () => {
    const sub = crypto.randomUUID();
    const client = await connect(mintAccessToken(stack.outputs, { sub, exp: now() + 2 }));
    client.send({ action: 'reauth', token: mintAccessToken(stack.outputs, { sub }) });
    await client.next('reauthed');
    await sleep(3000); // past the first token's exp and several sweeps
    expect(client.isOpen).toBe(true);
    expect(await client.join(`user:${sub}`)).toEqual(expect.any(String));
  });

  it('closes an idle socket whose token was revoked without a push-close, with an ERR_TOKEN_REVOKED frame', async () => {
    const token = mintAccessToken(stack.outputs);
    const client = await connect(token);
    const { jti, sub, exp } = decodePayload(token) as { jti: string; sub: string; exp: number };
    // Straight to the deny-list, without the SocketCloser: as when the push-close failed.
    await new DynamoRevocationStore(process.env[AuthorizerEnv.revocationTable]!).put(
      { scope: 'token', jti },
      { scope: 'token', sub, revokedAt: now(), expiresAt: exp, reason: 'test', actor: 'test' },
    );
    await client.closed;
    expect(client.frames).toEqual([expect.objectContaining({ type: 'error', reason: 'ERR_TOKEN_REVOKED' })]);
  });
});
