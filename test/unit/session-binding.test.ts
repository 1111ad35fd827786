// Device-bound sessions in the token handler core (RFC 9449): sign-in, refresh and logout need the session's key.

import { JoseDpopVerifier } from '../../lambdas/adapters/jose-dpop-verifier';
import type { Identity } from '../../lambdas/shared/claims';
import { logout, refresh } from '../../lambdas/sessions/auth-core';
import type { LoginCookieValue } from '../../lambdas/sessions/cookie';
import type { SessionBinding } from '../../lambdas/sessions/device-binding';
import { signIn, startLogin } from '../../lambdas/sessions/login';
import type { GrantResult, SessionRecord } from '../../lambdas/sessions/ports';
import { refreshFingerprint } from '../../lambdas/sessions/refresh-registry';
import type { SessionRequest } from '../../lambdas/sessions/request';
import type { DeviceKey } from '../helpers/dpop';
import { newDeviceKey, proofFor } from '../helpers/dpop';
import type { FakeWorld } from '../helpers/session-fakes';
import {
  activeSession,
  ALICE,
  AUTHORIZATION,
  claims,
  fakeWorld,
  loginCookieHeader,
  NOW,
  openedCookie,
  refreshCookieHeader,
} from '../helpers/session-fakes';

const ORIGIN = 'https://app.example.com';
let device: DeviceKey;
let thief: DeviceKey;
beforeAll(async () => {
  device = await newDeviceKey();
  thief = await newDeviceKey();
});

interface BoundWorld extends FakeWorld {
  readonly bound: { calls: [string, string][]; answer?: GrantResult };
}

function world(mode: SessionBinding['mode'] = 'enforce'): BoundWorld {
  const base = fakeWorld();
  const bound: BoundWorld['bound'] = { calls: [] };
  const binding: SessionBinding = {
    mode,
    dpop: { verifier: new JoseDpopVerifier(), clock: { nowSeconds: () => base.clock.now } },
    tokens: {
      refresh: async (token, jkt) => {
        bound.calls.push([token, jkt]);
        return bound.answer ?? { ok: false, error: 'invalid_grant' };
      },
    },
  };
  return { ...base, bound, deps: { ...base.deps, binding } };
}

const proof = (route: string, key: DeviceKey = device) =>
  proofFor(key, { method: 'POST', url: `${ORIGIN}/api${route}`, iat: NOW });

function request(overrides: Partial<SessionRequest> = {}): SessionRequest {
  return { origin: ORIGIN, csrfHeader: '1', contentType: 'application/json', cookies: [], ...overrides };
}

const LOGIN: LoginCookieValue = {
  state: AUTHORIZATION.state,
  nonce: AUTHORIZATION.nonce,
  codeVerifier: AUTHORIZATION.codeVerifier,
  expiresAt: NOW + 600,
};
const SIGN_IN_BODY = JSON.stringify({ code: 'code-1', state: AUTHORIZATION.state });

/** The code exchange gives unbound tokens; the bound refresh gives rotated, bound ones. */
function scriptSignIn(w: BoundWorld, boundJkt: string | null = device.jkt) {
  w.grants.code = {
    ok: true,
    tokens: { accessToken: 'at-1', idToken: 'id-1', refreshToken: 'rt-1', expiresIn: 900 },
  };
  w.verified.set('at-1', { ok: true, claims: claims() });
  w.bound.answer = {
    ok: true,
    tokens: { accessToken: 'at-bound', idToken: 'id-2', refreshToken: 'rt-2', expiresIn: 900 },
  };
  w.verified.set('at-bound', {
    ok: true,
    claims: claims({ jti: 'jti-2', ...(boundJkt ? { jkt: boundJkt } : {}) }),
  });
}

function boundSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return activeSession({ jkt: device.jkt, ...overrides });
}

describe('startLogin with device binding', () => {
  it('records the thumbprint of the proof key in the sealed login cookie', async () => {
    const outcome = await startLogin(request({ dpop: await proof('/auth/login') }), world().deps);
    expect(outcome.status).toBe(200);
    expect(openedCookie(outcome.cookies?.[0])).toEqual({ ...LOGIN, jkt: device.jkt });
  });

  it('denies a login without a proof in enforce mode (401 ERR_DPOP_MISSING) and sets no cookie', async () => {
    const outcome = await startLogin(request(), world('enforce').deps);
    expect(outcome).toMatchObject({ status: 401, body: { error: 'ERR_DPOP_MISSING' }, cookies: [] });
  });

  it('starts an unbound sign-in without a proof in monitor mode', async () => {
    const outcome = await startLogin(request(), world('monitor').deps);
    expect(openedCookie(outcome.cookies?.[0])).toEqual(LOGIN);
  });

  it('fails (503, retry) without binding anything when the proof replay store is down', async () => {
    const w = world();
    const binding = w.deps.binding!;
    const down = { firstUse: () => Promise.reject(new Error('ECONNREFUSED')) };
    const deps = { ...w.deps, binding: { ...binding, dpop: { ...binding.dpop, replay: down } } };
    const outcome = await startLogin(request({ dpop: await proof('/auth/login') }), deps);
    expect(outcome).toMatchObject({ status: 503, body: { error: 'ERR_STORE_UNAVAILABLE' }, cookies: [] });
  });

  it('denies a login whose proof was made for another route, even in monitor mode', async () => {
    const outcome = await startLogin(request({ dpop: await proof('/auth/refresh') }), world('monitor').deps);
    expect(outcome).toMatchObject({ status: 401, body: { error: 'ERR_DPOP_REQUEST' } });
  });
});

describe('signIn with device binding', () => {
  const boundLogin = () => loginCookieHeader({ ...LOGIN, jkt: device.jkt });

  it('completes with the same key: trades the first tokens for bound ones and never answers the unbound token', async () => {
    const w = world();
    scriptSignIn(w);
    const outcome = await signIn(
      request({ body: SIGN_IN_BODY, cookies: [boundLogin()], dpop: await proof('/auth/session') }),
      w.deps,
    );
    expect(outcome).toMatchObject({ status: 200, body: { accessToken: 'at-bound', idToken: 'id-2' } });
    expect(JSON.stringify(outcome.body)).not.toContain('at-1');
    expect(w.bound.calls).toEqual([['rt-1', device.jkt]]);
    expect(openedCookie(outcome.cookies?.[0])).toEqual({ sid: 'origin-1', rt: 'rt-2' });
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      jkt: device.jkt,
      latestJti: 'jti-2',
      refreshFingerprint: refreshFingerprint('rt-2'),
    });
  });

  it.each([
    ['without a proof', undefined, 'ERR_DPOP_MISSING'],
    ['with another key', 'thief', 'ERR_DPOP_KEY_MISMATCH'],
  ])('denies completing a bound sign-in %s before the code is redeemed', async (_name, who, reason) => {
    const w = world();
    scriptSignIn(w);
    const dpop = who ? await proof('/auth/session', thief) : undefined;
    const outcome = await signIn(
      request({ body: SIGN_IN_BODY, cookies: [boundLogin()], ...(dpop ? { dpop } : {}) }),
      w.deps,
    );
    expect(outcome).toMatchObject({ status: 401, body: { error: reason } });
    expect(w.calls.exchanged).toEqual([]);
    expect(w.sessions.items.size).toBe(0);
  });

  it('fails (502) and records no session when the refreshed token is not bound (trigger missing)', async () => {
    const w = world();
    scriptSignIn(w, null);
    const outcome = await signIn(
      request({ body: SIGN_IN_BODY, cookies: [boundLogin()], dpop: await proof('/auth/session') }),
      w.deps,
    );
    expect(outcome).toMatchObject({ status: 502, body: { error: 'ERR_UPSTREAM' } });
    expect(w.sessions.items.size).toBe(0);
  });
});

describe('refresh of a bound session', () => {
  function boundWorld(): BoundWorld {
    const w = world();
    w.sessions.items.set('origin-1', boundSession());
    w.bound.answer = { ok: true, tokens: { accessToken: 'at-3', refreshToken: 'rt-3', expiresIn: 900 } };
    w.verified.set('at-3', { ok: true, claims: claims({ jti: 'jti-3', jkt: device.jkt }) });
    return w;
  }
  const cookie = [refreshCookieHeader('origin-1', 'rt-1')];

  it('refreshes with a proof by the session key, through the bound token source', async () => {
    const w = boundWorld();
    const outcome = await refresh(request({ cookies: cookie, dpop: await proof('/auth/refresh') }), w.deps);
    expect(outcome).toMatchObject({ status: 200, body: { accessToken: 'at-3' } });
    expect(w.bound.calls).toEqual([['rt-1', device.jkt]]);
    expect(w.calls.refreshed).toEqual([]); // never the unbound token endpoint
  });

  it.each([
    ['without a proof', undefined, 'ERR_DPOP_MISSING'],
    ["with another key's proof", 'thief', 'ERR_DPOP_KEY_MISMATCH'],
  ])(
    'denies the cookie %s as theft: 401, session revoked, refresh token revoked, reuse alarm',
    async (_n, who, reason) => {
      const w = boundWorld();
      const dpop = who ? await proof('/auth/refresh', thief) : undefined;
      const outcome = await refresh(request({ cookies: cookie, ...(dpop ? { dpop } : {}) }), w.deps);
      expect(outcome).toMatchObject({ status: 401, reuseDetected: true, denial: { reason } });
      expect(outcome.event).toMatchObject({ event: 'session_theft_revoked' });
      expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
      expect(w.denyList.has('session#origin-1')).toBe(true);
      expect(w.calls.revoked).toEqual(['rt-1']);
      expect(w.bound.calls).toEqual([]);
    },
  );

  it('denies a stale proof by the right key without revoking the session', async () => {
    const w = boundWorld();
    w.clock.now = NOW + 600; // the proof's iat is NOW
    const outcome = await refresh(request({ cookies: cookie, dpop: await proof('/auth/refresh') }), w.deps);
    expect(outcome).toMatchObject({ status: 401, denial: { reason: 'ERR_DPOP_STALE' } });
    expect(outcome.reuseDetected).toBeUndefined();
    expect(w.sessions.items.get('origin-1')?.status).toBe('active');
  });

  it('refuses tokens Cognito returned without the session binding', async () => {
    const w = boundWorld();
    w.verified.set('at-3', { ok: true, claims: claims({ jti: 'jti-3' }) });
    const outcome = await refresh(request({ cookies: cookie, dpop: await proof('/auth/refresh') }), w.deps);
    expect(outcome).toMatchObject({ status: 401, denial: { reason: 'ERR_TOKEN_CLAIMS' } });
  });
});

describe('logout of a bound session', () => {
  const alice: Identity = {
    sub: ALICE,
    username: ALICE,
    groups: [],
    scopes: [],
    jti: 'jti-7',
    sessionId: 'origin-1',
    iat: NOW - 60,
    exp: NOW + 600,
  };
  const cookie = [refreshCookieHeader('origin-1', 'rt-1')];

  it('logs out with a proof by the session key', async () => {
    const w = world();
    w.sessions.items.set('origin-1', boundSession());
    const outcome = await logout(
      alice,
      request({ cookies: cookie, dpop: await proof('/auth/logout') }),
      w.deps,
    );
    expect(outcome.status).toBe(200);
    expect(outcome.reuseDetected).toBeUndefined();
  });

  it("denies a logout with another key's proof as theft (session revoked, alarm)", async () => {
    const w = world();
    w.sessions.items.set('origin-1', boundSession());
    const outcome = await logout(
      alice,
      request({ cookies: cookie, dpop: await proof('/auth/logout', thief) }),
      w.deps,
    );
    expect(outcome).toMatchObject({ status: 401, reuseDetected: true });
    expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
  });
});
