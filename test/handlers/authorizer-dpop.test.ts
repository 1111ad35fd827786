// The REST authorizer with device binding enforced: bound tokens need `Authorization: DPoP` and a proof (RFC 9449).

import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import type { DeviceKey } from '../helpers/dpop';
import { newDeviceKey, proofFor } from '../helpers/dpop';
import { accessTokenClaims, rsaTestKey, signRs256 } from '../helpers/jwt';
import type { RestAuthorizer } from '../helpers/rest-authorizer';
import { meEvent, startRestAuthorizer } from '../helpers/rest-authorizer';

const APP_URL = 'https://app.example.com';
const ME = `${APP_URL}/api/me`;
const key = rsaTestKey('dpop-kid');
let authorizer: RestAuthorizer;
let device: DeviceKey;
let other: DeviceKey;

beforeAll(async () => {
  authorizer = await startRestAuthorizer(key, {
    tmpPrefix: 'cg-dpop-',
    env: { [AuthorizerEnv.dpopMode]: 'enforce', [AuthorizerEnv.appUrl]: APP_URL },
  });
  device = await newDeviceKey();
  other = await newDeviceKey();
});

afterAll(async () => {
  await authorizer?.stop();
});

/** A second cold start of the authorizer (another Lambda instance: its own memory, the same table). */
async function anotherInstance(guard?: 'table' | 'instance') {
  const saved = process.env[AuthorizerEnv.dpopReplayGuard];
  if (guard) process.env[AuthorizerEnv.dpopReplayGuard] = guard;
  try {
    let loaded: typeof import('../../lambdas/authorizer/handler') | undefined;
    await jest.isolateModulesAsync(async () => {
      loaded = await import('../../lambdas/authorizer/handler');
    });
    return loaded!.handler as (e: APIGatewayRequestAuthorizerEvent) => Promise<unknown>;
  } finally {
    if (saved === undefined) delete process.env[AuthorizerEnv.dpopReplayGuard];
    else process.env[AuthorizerEnv.dpopReplayGuard] = saved;
  }
}

const bound = () => signRs256(key, accessTokenClaims({ cnf: { jkt: device.jkt } }));

function event(authorization: string, proof?: string | string[]): APIGatewayRequestAuthorizerEvent {
  const base = meEvent(authorization, '198.51.100.9');
  const proofs = proof === undefined ? [] : Array.isArray(proof) ? proof : [proof];
  return {
    ...base,
    headers: { ...base.headers, ...(proofs.length ? { DPoP: proofs[proofs.length - 1] } : {}) },
    multiValueHeaders: { ...base.multiValueHeaders, ...(proofs.length ? { DPoP: proofs } : {}) },
  };
}

async function decide(e: APIGatewayRequestAuthorizerEvent) {
  const result = (await authorizer.handler(e)) as APIGatewayAuthorizerResult;
  return { effect: result.policyDocument.Statement[0].Effect, context: result.context ?? {} };
}

describe('REST authorizer, dpop: enforce', () => {
  it('allows a bound token sent as DPoP with a proof by its key for this method, public URL and token', async () => {
    const token = bound();
    const proof = await proofFor(device, { method: 'GET', url: ME, accessToken: token });
    expect((await decide(event(`DPoP ${token}`, proof))).effect).toBe('Allow');
  });

  it('allows an unbound token as Bearer (clients that are not the page keep working)', async () => {
    expect((await decide(event(`Bearer ${signRs256(key, accessTokenClaims())}`))).effect).toBe('Allow');
  });

  it('denies a bound token sent as Bearer (no downgrade) with a DPoP invalid_token challenge', async () => {
    const token = bound();
    const proof = await proofFor(device, { method: 'GET', url: ME, accessToken: token });
    const { effect, context } = await decide(event(`Bearer ${token}`, proof));
    expect(effect).toBe('Deny');
    expect(context).toMatchObject({
      reason: 'ERR_DPOP_SCHEME',
      wwwAuthenticate: expect.stringMatching(/^DPoP realm="cognito-guard", error="invalid_token"/),
    });
  });

  type Case = [name: string, make: (token: string) => Promise<string[] | undefined>, reason: string];
  const cases: Case[] = [
    ['without a proof', async () => undefined, 'ERR_DPOP_MISSING'],
    [
      "with another key's proof",
      async (t) => [await proofFor(other, { method: 'GET', url: ME, accessToken: t })],
      'ERR_DPOP_KEY_MISMATCH',
    ],
    [
      'with a proof for the execute-api host',
      async (t) => [
        await proofFor(device, {
          method: 'GET',
          url: 'https://abc123.execute-api.us-east-1.amazonaws.com/api/me',
          accessToken: t,
        }),
      ],
      'ERR_DPOP_REQUEST',
    ],
    [
      'with a proof for another method',
      async (t) => [await proofFor(device, { method: 'POST', url: ME, accessToken: t })],
      'ERR_DPOP_REQUEST',
    ],
    [
      'with a proof 10 minutes old',
      async (t) => [
        await proofFor(device, {
          method: 'GET',
          url: ME,
          accessToken: t,
          iat: Math.floor(Date.now() / 1000) - 600,
        }),
      ],
      'ERR_DPOP_STALE',
    ],
    [
      'with a proof for another token',
      async () => [
        await proofFor(device, {
          method: 'GET',
          url: ME,
          accessToken: signRs256(key, accessTokenClaims({ cnf: { jkt: device.jkt }, jti: 'jti-other' })),
        }),
      ],
      'ERR_DPOP_ATH',
    ],
    [
      'with two DPoP headers',
      async (t) => {
        const p = await proofFor(device, { method: 'GET', url: ME, accessToken: t });
        return [p, p];
      },
      'ERR_DPOP_MALFORMED',
    ],
  ];

  it.each(cases)('denies a bound token %s, with a DPoP challenge', async (...[, make, reason]: Case) => {
    const token = bound();
    const { effect, context } = await decide(event(`DPoP ${token}`, await make(token)));
    expect(effect).toBe('Deny');
    expect(context).toMatchObject({ reason, wwwAuthenticate: expect.stringMatching(/^DPoP realm=/) });
  });

  it('denies a replayed proof (same instance)', async () => {
    const token = bound();
    const proof = await proofFor(device, { method: 'GET', url: ME, accessToken: token });
    expect((await decide(event(`DPoP ${token}`, proof))).effect).toBe('Allow');
    expect((await decide(event(`DPoP ${token}`, proof))).context).toMatchObject({
      reason: 'ERR_DPOP_REPLAY',
    });
  });

  it('denies a proof replayed to another instance of the authorizer (dpopReplayGuard: table, the default)', async () => {
    const token = bound();
    const proof = await proofFor(device, { method: 'GET', url: ME, accessToken: token });
    expect((await decide(event(`DPoP ${token}`, proof))).effect).toBe('Allow');
    const other = await anotherInstance();
    const replayed = (await other(event(`DPoP ${token}`, proof))) as APIGatewayAuthorizerResult;
    expect(replayed.policyDocument.Statement[0].Effect).toBe('Deny');
    expect(replayed.context).toMatchObject({ reason: 'ERR_DPOP_REPLAY' });
  });

  it('lets a proof replayed to another instance through with dpopReplayGuard: instance (the documented limit)', async () => {
    const token = bound();
    const proof = await proofFor(device, { method: 'GET', url: ME, accessToken: token });
    const [first, second] = [await anotherInstance('instance'), await anotherInstance('instance')];
    expect(
      ((await first(event(`DPoP ${token}`, proof))) as APIGatewayAuthorizerResult).context,
    ).not.toHaveProperty('reason');
    expect(
      ((await first(event(`DPoP ${token}`, proof))) as APIGatewayAuthorizerResult).context,
    ).toMatchObject({
      reason: 'ERR_DPOP_REPLAY',
    });
    const elsewhere = (await second(event(`DPoP ${token}`, proof))) as APIGatewayAuthorizerResult;
    expect(elsewhere.policyDocument.Statement[0].Effect).toBe('Allow');
  });

  it("denies an unbound token on a route that declares dpop: 'required', and allows a bound one there", async () => {
    const admin = (authorization: string, proof?: string): APIGatewayRequestAuthorizerEvent => ({
      ...event(authorization, proof),
      resource: '/admin/users',
      path: '/admin/users',
      methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/admin/users',
    });
    const unbound = await decide(admin(`Bearer ${signRs256(key, accessTokenClaims())}`));
    expect(unbound.context).toMatchObject({
      reason: 'ERR_DPOP_REQUIRED',
      wwwAuthenticate: expect.stringMatching(/error="invalid_token"/),
    });
    const token = bound();
    const proof = await proofFor(device, {
      method: 'GET',
      url: `${APP_URL}/api/admin/users`,
      accessToken: token,
    });
    expect((await decide(admin(`DPoP ${token}`, proof))).effect).toBe('Allow');
  });

  it('denies an unbound token sent with the DPoP scheme', async () => {
    const token = signRs256(key, accessTokenClaims());
    const proof = await proofFor(device, { method: 'GET', url: ME, accessToken: token });
    expect((await decide(event(`DPoP ${token}`, proof))).context).toMatchObject({
      reason: 'ERR_DPOP_SCHEME',
    });
  });
});
