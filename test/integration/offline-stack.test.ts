// The offline stack end to end over HTTP: sign in through cognito-local's login form, call the API, get denied.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { systemClock } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import type { DemoUser } from '../../local/seed';
import type { StackOutputs } from '../../local/stack';
import { decodePayload, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { signIn } from '../helpers/sign-in';

let stack: TestStack;
let revocations: RevocationService;
const by = { actor: 'integration-test', reason: 'test' };

beforeAll(async () => {
  stack = await startTestStack();
  const store = new DynamoRevocationStore(process.env[AuthorizerEnv.revocationTable]!);
  revocations = new RevocationService(store, systemClock, { refreshTokenValiditySeconds: 7 * 24 * 3600 });
});

afterAll(async () => {
  await stack?.dispose();
});

function user(group: 'admins' | 'none', index = 0): DemoUser {
  const users = stack.outputs.users.filter((u) => (group === 'admins') === u.groups.includes('admins'));
  return users[index];
}

async function signInAs(demo: DemoUser) {
  return signIn(stack, demo.username, demo.password);
}

function api(path: string, init: RequestInit & { token?: string } = {}) {
  const { token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  return fetch(`${stack.outputs.apiUrl}${path}`, { ...rest, headers });
}

function minted(claims: Record<string, unknown> = {}) {
  return mintAccessToken(stack.outputs, claims);
}

describe('outputs', () => {
  it('writes stack.json with the endpoints and the demo users', async () => {
    const written = JSON.parse(await readFile(join(stack.dataDir, 'stack.json'), 'utf8')) as StackOutputs;
    expect(written).toEqual(stack.outputs);
    expect(written).toMatchObject({
      wsUrl: expect.stringMatching(/^ws:\/\/localhost:\d+\/ws$/),
      region: 'us-east-1',
      userPoolId: 'us-east-1_LocalPool',
      redirectUri: `${stack.outputs.appUrl}/`,
      tokenEndpoint: `${stack.outputs.hostedUiUrl}/oauth2/token`,
    });
    expect(written.users.map((u) => u.groups)).toEqual([['room-demo'], ['room-demo'], ['admins']]);
  });
});

describe('GET /me', () => {
  it('returns the identity of a user signed in through the login form', async () => {
    const tokens = await signInAs(user('none'));
    const claims = decodePayload(tokens.accessToken);
    const response = await api('/me', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const me = await response.json();
    expect(me).toMatchObject({ sub: claims.sub, username: claims.username, groups: ['room-demo'] });
    expect(me.authTime).toBe(claims.auth_time); // the sign-in's age, for the page's step-up note
    expect(claims.iss).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_LocalPool');
  });

  it('returns the admins group for the admin user', async () => {
    const tokens = await signInAs(user('admins'));
    const response = await api('/me', { token: tokens.accessToken });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sub: decodePayload(tokens.accessToken).sub,
      groups: ['admins'],
    });
  });

  it('denies a request without a token with 401', async () => {
    const response = await api('/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="cognito-guard"');
    expect(await response.json()).toEqual({ error: 'ERR_TOKEN_MISSING', message: expect.any(String) });
  });

  it('denies a garbage token with 401', async () => {
    const response = await api('/me', { token: 'not.a.jwt' });
    expect(response.status).toBe(401);
  });

  it('denies a token for another app client with 401', async () => {
    const response = await api('/me', { token: minted({ client_id: 'someone-else' }) });
    expect(response.status).toBe(401);
  });

  it('rejects a wrong password at the login form', async () => {
    await expect(signIn(stack, user('none').username, 'wrong-password')).rejects.toThrow(/sign-in .* failed/);
  });
});

describe('revocation through the revocation service', () => {
  it('denies a token revoked by jti, and only that token', async () => {
    const revoked = await signInAs(user('none', 1));
    const other = await signInAs(user('none', 1));
    const claims = decodePayload(revoked.accessToken);
    expect((await api('/me', { token: revoked.accessToken })).status).toBe(200);

    await revocations.revokeToken(
      { jti: claims.jti as string, sub: claims.sub as string, exp: claims.exp as number },
      by,
    );

    expect((await api('/me', { token: revoked.accessToken })).status).toBe(401);
    expect((await api('/me', { token: other.accessToken })).status).toBe(200);
  });

  it('denies every token of a session revoked by origin_jti, and no other session', async () => {
    // cognito-local's tokens carry no origin_jti: mint Cognito-shaped ones with its key.
    const sub = decodePayload((await signInAs(user('none'))).accessToken).sub;
    const first = minted({ sub, origin_jti: 'session-a' });
    const refreshed = minted({ sub, origin_jti: 'session-a' });
    const otherSession = minted({ sub, origin_jti: 'session-b' });
    const me = await api('/me', { token: first });
    expect(me.status).toBe(200);
    expect((await me.json()).sessionId).toBe('session-a');

    await revocations.revokeSession({ sessionId: 'session-a', sub: sub as string }, by);

    expect((await api('/me', { token: first })).status).toBe(401);
    expect((await api('/me', { token: refreshed })).status).toBe(401);
    expect((await api('/me', { token: otherSession })).status).toBe(200);
  });

  it('denies every token of a user issued or signed in before the watermark, and not a later sign-in', async () => {
    const tokens = await signInAs(user('admins'));
    const sub = decodePayload(tokens.accessToken).sub as string;
    expect((await api('/me', { token: tokens.accessToken })).status).toBe(200);

    const record = await revocations.revokeUser({ sub }, by);

    expect((await api('/me', { token: tokens.accessToken })).status).toBe(401);
    // Issued after the watermark from a sign-in before it (a managed-login cookie): still denied.
    const fromOldSignIn = minted({ sub, iat: record.notBefore, auth_time: record.notBefore! - 60 });
    expect((await api('/me', { token: fromOldSignIn })).status).toBe(401);
    const fromNewSignIn = minted({ sub, iat: record.notBefore, auth_time: record.notBefore });
    expect((await api('/me', { token: fromNewSignIn })).status).toBe(200);
  });
});

describe('gateway behaviour', () => {
  it('answers an unknown route 404', async () => {
    const response = await api('/nope', { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'ERR_NOT_FOUND', message: 'no such route' });
  });

  it('rejects an oversized body with 413 before any handler runs', async () => {
    const response = await api('/auth/session', { method: 'POST', body: 'x'.repeat(65 * 1024) });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: 'ERR_REQUEST_TOO_LARGE', message: expect.any(String) });
  });

  it('answers a CORS preflight from the allowed origin', async () => {
    const origin = stack.outputs.appUrl;
    const response = await api('/me', {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(response.headers.get('access-control-allow-methods')).toMatch(/GET/);
  });

  it('gives a foreign origin no CORS grant', async () => {
    const preflight = await api('/me', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const denied = await api('/me', { headers: { Origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers on gateway answers', async () => {
    const response = await api('/me');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age=/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
