// The token handler's sign-in core with fakes and a frozen clock: POST /auth/login and POST /auth/session.

import type { LoginCookieValue } from '../../lambdas/sessions/cookie';
import { signIn, startLogin } from '../../lambdas/sessions/login';
import { refreshFingerprint } from '../../lambdas/sessions/refresh-registry';
import type { SessionRequest } from '../../lambdas/sessions/request';
import type { FakeWorld } from '../helpers/session-fakes';
import {
  ALICE,
  AUTHORIZATION,
  claims,
  fakeWorld,
  loginCookieHeader,
  NOW,
  openedCookie,
  refreshCookieHeader,
  WEEK,
} from '../helpers/session-fakes';

const ORIGIN = 'https://app.example.com';
const LOGIN: LoginCookieValue = {
  state: AUTHORIZATION.state,
  nonce: AUTHORIZATION.nonce,
  codeVerifier: AUTHORIZATION.codeVerifier,
  expiresAt: NOW + 600,
};
const CLEAR_LOGIN = '__Host-cg_login=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict';

function request(overrides: Partial<SessionRequest> = {}): SessionRequest {
  return {
    origin: ORIGIN,
    csrfHeader: '1',
    contentType: 'application/json',
    body: JSON.stringify({ code: 'code-1', state: AUTHORIZATION.state }),
    cookies: [loginCookieHeader(LOGIN)],
    ...overrides,
  };
}

function withCode(world: FakeWorld, overrides: Parameters<typeof claims>[0] = {}) {
  world.grants.code = {
    ok: true,
    tokens: { accessToken: 'at-1', idToken: 'id-1', refreshToken: 'rt-1', expiresIn: 900 },
  };
  world.verified.set('at-1', { ok: true, claims: claims(overrides) });
}

describe('startLogin', () => {
  it('answers the authorize URL and seals state, nonce and verifier into a 10-minute login cookie', async () => {
    const world = fakeWorld();
    const outcome = await startLogin(request({ body: null, cookies: [] }), world.deps);
    expect(outcome).toMatchObject({ status: 200, body: { authorizeUrl: AUTHORIZATION.authorizeUrl } });
    expect(outcome.cookies?.[0]).toMatch(
      /^__Host-cg_login=login\.[\w-]+; Max-Age=600; Path=\/; HttpOnly; Secure;/,
    );
    expect(openedCookie(outcome.cookies?.[0])).toEqual(LOGIN);
    expect(JSON.stringify(outcome.body)).not.toContain(AUTHORIZATION.codeVerifier);
  });

  it.each<[string, Partial<SessionRequest>]>([
    ['without the CSRF header', { csrfHeader: undefined }],
    ['from a foreign Origin', { origin: 'https://evil.example' }],
    ['without an Origin', { origin: undefined }],
  ])('denies a login %s with 403 ERR_CSRF and sets no cookie', async (_case, overrides) => {
    const outcome = await startLogin(request(overrides), fakeWorld().deps);
    expect(outcome).toMatchObject({ status: 403, body: { error: 'ERR_CSRF' } });
    expect(outcome.cookies).toBeUndefined();
  });
});

describe('signIn', () => {
  it('redeems the code with the login cookie’s verifier, records the session, sets the sealed refresh cookie, clears the login cookie', async () => {
    const world = fakeWorld();
    withCode(world);
    const outcome = await signIn(request(), world.deps);
    expect(outcome.status).toBe(200);
    expect(outcome.body).toEqual({ accessToken: 'at-1', idToken: 'id-1', expiresIn: 900 });
    expect(world.calls.exchanged).toEqual([{ code: 'code-1', state: AUTHORIZATION.state, expected: LOGIN }]);
    const [refreshLine, loginLine] = outcome.cookies ?? [];
    expect(refreshLine).toMatch(`Max-Age=${WEEK};`);
    expect(openedCookie(refreshLine)).toEqual({ sid: 'origin-1', rt: 'rt-1' });
    expect(loginLine).toBe(CLEAR_LOGIN);
    expect(world.sessions.items.get('origin-1')).toEqual({
      sessionId: 'origin-1',
      sessionIdSource: 'origin_jti',
      sub: ALICE,
      username: ALICE,
      createdAt: NOW,
      refreshedAt: NOW,
      refreshFingerprint: refreshFingerprint('rt-1'),
      rotated: [],
      status: 'active',
      latestJti: 'jti-1',
      latestJtiExpiresAt: NOW + 900,
      expiresAt: NOW + WEEK,
    });
    expect(JSON.stringify([...world.sessions.items.values()])).not.toContain('rt-1');
  });

  it('records when the user signed in (auth_time), for the user watermark of later refreshes', async () => {
    const world = fakeWorld();
    withCode(world, { authTime: NOW - 30 });
    expect((await signIn(request(), world.deps)).status).toBe(200);
    expect(world.sessions.items.get('origin-1')?.authTime).toBe(NOW - 30);
  });

  it.each<[string, Parameters<typeof claims>[0]]>([
    // A sign-in through the managed-login cookie that keeps the original auth_time.
    ['a sign-in before it (auth_time), tokens issued after it', { authTime: NOW - 60, iat: NOW + 5 }],
    ['tokens issued before it', { authTime: NOW - 60, iat: NOW - 60 }],
  ])(
    'rejects a sign-in after a user watermark from %s: 401 ERR_TOKEN_REVOKED, nothing recorded, the refresh token revoked',
    async (_case, overrides) => {
      const world = fakeWorld();
      await world.deps.revocations.revokeUser({ sub: ALICE }, { actor: ALICE, reason: 'logout-all' });
      world.clock.now = NOW + 5;
      withCode(world, overrides);
      const outcome = await signIn(request(), world.deps);
      expect(outcome).toMatchObject({
        status: 401,
        body: { error: 'ERR_TOKEN_REVOKED' },
        denial: { reason: 'ERR_TOKEN_REVOKED', scope: 'user', sub: ALICE },
        cookies: [CLEAR_LOGIN],
      });
      expect(world.sessions.items.size).toBe(0);
      expect(world.calls.revoked).toEqual(['rt-1']);
    },
  );

  it('accepts a sign-in with the password after the watermark (auth_time at or after it)', async () => {
    const world = fakeWorld();
    await world.deps.revocations.revokeUser({ sub: ALICE }, { actor: ALICE, reason: 'logout-all' });
    world.clock.now = NOW + 5;
    withCode(world, { authTime: NOW + 1, iat: NOW + 5 }); // the watermark is the second after the revocation
    expect((await signIn(request(), world.deps)).status).toBe(200);
  });

  it('fails closed when the deny-list cannot be read: no session recorded', async () => {
    const world = fakeWorld();
    withCode(world);
    world.denyList.lookup = () => Promise.reject(new Error('store down'));
    await expect(signIn(request(), world.deps)).rejects.toThrow('store down');
    expect(world.sessions.items.size).toBe(0);
  });

  it('ends the session this browser held before (a step-up sign-in): one browser, one session', async () => {
    const world = fakeWorld();
    withCode(world, { originJti: 'origin-old', jti: 'jti-old' });
    await signIn(request(), world.deps);
    world.grants.code = {
      ok: true,
      tokens: { accessToken: 'at-2', idToken: 'id-2', refreshToken: 'rt-2', expiresIn: 900 },
    };
    world.verified.set('at-2', { ok: true, claims: claims({ originJti: 'origin-new', jti: 'jti-2' }) });

    const again = request({ cookies: [loginCookieHeader(LOGIN), refreshCookieHeader('origin-old', 'rt-1')] });
    const outcome = await signIn(again, world.deps);

    expect(outcome.status).toBe(200);
    expect(world.sessions.items.get('origin-new')?.status).toBe('active');
    expect(world.sessions.items.get('origin-old')).toMatchObject({
      status: 'revoked',
      revokedBy: ALICE,
      revokedReason: 'replaced-by-sign-in',
    });
    expect(world.denyList.has('session#origin-old')).toBe(true);
    expect(world.calls.revoked).toEqual(['rt-1']); // its Cognito refresh token too
  });

  it("leaves another user's session alone when a different user signs in on the same browser", async () => {
    const world = fakeWorld();
    withCode(world, { originJti: 'origin-bob', sub: 'bbbbbbbb-1111-2222-3333-444444444444' });
    await signIn(request(), world.deps);
    withCode(world, { originJti: 'origin-alice', jti: 'jti-2' });
    const again = request({ cookies: [loginCookieHeader(LOGIN), refreshCookieHeader('origin-bob', 'rt-1')] });
    expect((await signIn(again, world.deps)).status).toBe(200);
    expect(world.sessions.items.get('origin-bob')?.status).toBe('active');
    expect(world.calls.revoked).toEqual([]);
  });

  it('uses a server-generated session id for tokens without origin_jti when allowed', async () => {
    const world = fakeWorld({ requireSessionId: false });
    withCode(world, { originJti: undefined });
    const outcome = await signIn(request(), world.deps);
    expect(openedCookie(outcome.cookies?.[0])).toMatchObject({ sid: 'server-session-1' });
    expect(world.sessions.items.get('server-session-1')?.sessionIdSource).toBe('server');
  });

  it.each<[string, Partial<SessionRequest>, number, string]>([
    ['without the CSRF header', { csrfHeader: undefined }, 403, 'ERR_CSRF'],
    ['from a foreign Origin', { origin: 'https://evil.example' }, 403, 'ERR_CSRF'],
    ['as text/plain (a cross-site form)', { contentType: 'text/plain' }, 415, 'ERR_BAD_REQUEST'],
    ['without a Content-Type', { contentType: undefined }, 415, 'ERR_BAD_REQUEST'],
    ['without a body', { body: null }, 400, 'ERR_BAD_REQUEST'],
    ['with a body that is not JSON', { body: 'code=1' }, 400, 'ERR_BAD_REQUEST'],
    ['with a JSON array', { body: '[]' }, 400, 'ERR_BAD_REQUEST'],
    ['without state', { body: JSON.stringify({ code: 'c' }) }, 400, 'ERR_BAD_REQUEST'],
    ['without the login cookie', { cookies: [] }, 400, 'ERR_BAD_REQUEST'],
    [
      'with an expired login cookie',
      { cookies: [loginCookieHeader({ ...LOGIN, expiresAt: NOW })] },
      400,
      'ERR_BAD_REQUEST',
    ],
    [
      'with a refresh cookie value as login cookie',
      { cookies: ['__Host-cg_login=refresh.e30'] },
      400,
      'ERR_BAD_REQUEST',
    ],
    [
      'with another sign-in’s state',
      { body: JSON.stringify({ code: 'code-1', state: 'x'.repeat(43) }) },
      400,
      'ERR_BAD_REQUEST',
    ],
  ])('rejects a sign-in %s and records nothing', async (_case, overrides, status, error) => {
    const world = fakeWorld();
    withCode(world);
    const outcome = await signIn(request(overrides), world.deps);
    expect(outcome).toMatchObject({ status, body: { error } });
    expect((outcome.cookies ?? []).join()).not.toContain('__Host-cg_refresh');
    expect(world.sessions.items.size).toBe(0);
  });

  it('never redeems the code without a matching login cookie', async () => {
    const world = fakeWorld();
    withCode(world);
    await signIn(request({ cookies: [] }), world.deps);
    expect(world.calls.exchanged).toEqual([]);
  });

  it('refuses tokens without origin_jti when the session id is required (AWS)', async () => {
    const world = fakeWorld();
    withCode(world, { originJti: undefined });
    expect(await signIn(request(), world.deps)).toMatchObject({
      status: 502,
      body: { error: 'ERR_TOKEN_CLAIMS' },
    });
    expect(world.sessions.items.size).toBe(0);
  });

  it('fails with 502 when the returned access token does not verify', async () => {
    const world = fakeWorld();
    world.grants.code = { ok: true, tokens: { accessToken: 'bad', refreshToken: 'rt-1', expiresIn: 900 } };
    expect(await signIn(request(), world.deps)).toMatchObject({ status: 502 });
    expect(world.sessions.items.size).toBe(0);
  });
});
