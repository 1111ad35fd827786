// The session cores with fakes and a frozen clock: refresh (CSRF, rotation, reuse), logout, admin (sign-in: login.test.ts).

import { listSessions, revokeSession, revokeUser } from '../../lambdas/sessions/admin-core';
import { logout, logoutAll, refresh } from '../../lambdas/sessions/auth-core';
import { revokeOwnSession } from '../../lambdas/sessions/own-sessions';
import type { SessionRequest } from '../../lambdas/sessions/request';
import type { SessionRecord } from '../../lambdas/sessions/ports';
import { refreshFingerprint } from '../../lambdas/sessions/refresh-registry';
import type { Identity } from '../../lambdas/shared/claims';
import type { FakeWorld } from '../helpers/session-fakes';
import {
  activeSession,
  ALICE,
  claims,
  fakeWorld,
  NOW,
  openedCookie,
  refreshCookieHeader,
  WEEK,
} from '../helpers/session-fakes';

const ORIGIN = 'https://app.example.com';
/** The Set-Cookie line that deletes the refresh cookie. */
const CLEARED = ['__Host-cg_refresh=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict'];
/** What every refused refresh answers, whatever the reason (which goes to the log). */
const NO_SESSION = { error: 'ERR_TOKEN_REVOKED', message: 'no valid session: sign in again' };

function withTokens(world: FakeWorld, access: string, overrides: Parameters<typeof claims>[0] = {}) {
  world.verified.set(access, { ok: true, claims: claims(overrides) });
}

function refreshRequest(overrides: Partial<SessionRequest> = {}): SessionRequest {
  return {
    origin: ORIGIN,
    csrfHeader: '1',
    cookies: [refreshCookieHeader('origin-1', 'rt-1')],
    ...overrides,
  };
}

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
const admin: Identity = { ...alice, sub: 'admin-sub', groups: ['admins'], sessionId: 'origin-9' };

describe('refresh', () => {
  function world(record: Partial<SessionRecord> = {}) {
    const w = fakeWorld();
    void w.sessions.create(activeSession(record));
    w.grants.refresh = {
      ok: true,
      tokens: { accessToken: 'at-2', idToken: 'id-2', refreshToken: 'rt-2', expiresIn: 900 },
    };
    withTokens(w, 'at-2', { jti: 'jti-2' });
    return w;
  }

  it.each<[string, Partial<SessionRequest>]>([
    ['without the CSRF header', { csrfHeader: undefined }],
    ['with a CSRF header other than 1', { csrfHeader: 'true' }],
    ['without an Origin', { origin: undefined }],
    ['from a foreign Origin', { origin: 'https://evil.example' }],
    ['from a look-alike Origin', { origin: 'https://app.example.com.evil.example' }],
  ])('denies a refresh %s with 403 ERR_CSRF and changes nothing', async (_case, overrides) => {
    const w = world();
    const outcome = await refresh(refreshRequest(overrides), w.deps);
    expect(outcome).toMatchObject({
      status: 403,
      body: { error: 'ERR_CSRF' },
      denial: { reason: 'ERR_CSRF' },
    });
    expect(outcome.cookies).toBeUndefined();
    expect(w.calls.refreshed).toEqual([]);
  });

  it('rotates: new tokens, the old fingerprint in the registry, the new cookie for the rest of the session', async () => {
    const w = world();
    const outcome = await refresh(refreshRequest(), w.deps);
    expect(outcome).toMatchObject({
      status: 200,
      body: { accessToken: 'at-2', idToken: 'id-2', expiresIn: 900 },
    });
    expect(outcome.cookies).toHaveLength(1);
    expect(outcome.cookies?.[0]).toMatch(`Max-Age=${WEEK - 100};`);
    expect(openedCookie(outcome.cookies?.[0])).toEqual({ sid: 'origin-1', rt: 'rt-2' });
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      refreshFingerprint: refreshFingerprint('rt-2'),
      rotated: [{ fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW }],
      latestJti: 'jti-2',
    });
  });

  it('keeps the cookie when the token endpoint does not rotate (emulator)', async () => {
    const w = world();
    w.grants.refresh = { ok: true, tokens: { accessToken: 'at-2', expiresIn: 900 } };
    const outcome = await refresh(refreshRequest(), w.deps);
    expect(outcome.status).toBe(200);
    expect(outcome.cookies).toEqual([]);
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      refreshFingerprint: refreshFingerprint('rt-1'),
      latestJti: 'jti-2',
    });
  });

  it('detects reuse of a rotated-away token: session revoked, revoked at Cognito, 401, cookie cleared, metric', async () => {
    const w = world({
      refreshFingerprint: refreshFingerprint('rt-2'),
      rotated: [{ fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW - 60 }],
    });
    const outcome = await refresh(refreshRequest(), w.deps);
    expect(outcome).toMatchObject({
      status: 401,
      body: NO_SESSION,
      cookies: CLEARED,
      reuseDetected: true,
      denial: { reason: 'ERR_REFRESH_REUSE', sub: ALICE, sessionId: 'origin-1' },
    });
    expect(w.calls.refreshed).toEqual([]);
    expect(w.calls.revoked).toEqual(['rt-1']);
    // The session entry covers every token of the session, the latest one included; it outlives the tokens
    // already minted (access lifetime 900 s from the record, plus clock skew) since no new one can be minted.
    expect(w.denyList.entries.get('session#origin-1')).toMatchObject({
      actor: 'system',
      reason: 'refresh-reuse',
      expiresAt: NOW + 900 + 300,
    });
    expect([...w.denyList.entries.keys()]).toEqual(['session#origin-1']);
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      status: 'revoked',
      revokedReason: 'refresh-reuse',
    });
  });

  it('still ends the session and reports reuse when Cognito is down for the revocation', async () => {
    const w = world({
      refreshFingerprint: refreshFingerprint('rt-2'),
      rotated: [{ fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW - 60 }],
    });
    w.deps.idp.revokeRefreshToken = async () => Promise.reject(new Error('Cognito down'));
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      reuseDetected: true,
      event: { event: 'session_reuse_revoked', sessionId: 'origin-1', cognitoRevoked: false },
    });
    expect(w.denyList.has('session#origin-1')).toBe(true);
    expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
  });

  it('allows a rotated-away token inside the grace period (a concurrent refresh)', async () => {
    const w = world({
      refreshFingerprint: refreshFingerprint('rt-2'),
      rotated: [{ fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW - 3 }],
    });
    w.grants.refresh = { ok: true, tokens: { accessToken: 'at-2', refreshToken: 'rt-3', expiresIn: 900 } };
    expect((await refresh(refreshRequest(), w.deps)).status).toBe(200);
    expect(w.sessions.items.get('origin-1')?.rotated.map((r) => r.fingerprint)).toEqual([
      refreshFingerprint('rt-1'),
      refreshFingerprint('rt-2'),
    ]);
  });

  it.each<[string, Partial<SessionRequest>, Partial<SessionRecord>, number, string, boolean]>([
    ['no cookie', { cookies: [] }, {}, 401, 'ERR_TOKEN_MISSING', false],
    ['a malformed cookie', { cookies: ['__Host-cg_refresh=garbage'] }, {}, 401, 'ERR_TOKEN_MALFORMED', true],
    [
      'a login cookie value in the refresh cookie',
      { cookies: ['__Host-cg_refresh=login.eyJzaWQiOiJvcmlnaW4tMSIsInJ0IjoicnQtMSJ9'] },
      {},
      401,
      'ERR_TOKEN_MALFORMED',
      true,
    ],
    [
      'two refresh cookies',
      { cookies: [`${refreshCookieHeader('origin-1', 'rt-1')}; ${refreshCookieHeader('origin-1', 'rt-1')}`] },
      {},
      401,
      'ERR_TOKEN_MALFORMED',
      true,
    ],
    [
      'an unknown session',
      { cookies: [refreshCookieHeader('other', 'rt-1')] },
      {},
      401,
      'ERR_TOKEN_CLAIMS',
      true,
    ],
    [
      'a token the session never issued',
      { cookies: [refreshCookieHeader('origin-1', 'rt-x')] },
      {},
      401,
      'ERR_TOKEN_CLAIMS',
      true,
    ],
    ['a revoked session', {}, { status: 'revoked' }, 401, 'ERR_TOKEN_REVOKED', true],
    ['an expired session', {}, { expiresAt: NOW }, 401, 'ERR_TOKEN_EXPIRED', true],
  ])(
    'denies %s without calling the token endpoint; the caller only learns 401',
    async (_case, request, record, status, reason, clears) => {
      const w = world(record);
      const before = JSON.stringify([...w.sessions.items.values()]);
      const outcome = await refresh(refreshRequest(request), w.deps);
      expect(outcome).toMatchObject({ status, denial: { reason } });
      expect(outcome.body).toEqual(clears ? NO_SESSION : { error: reason, message: 'no refresh cookie' });
      expect(outcome.cookies).toEqual(clears ? CLEARED : undefined);
      expect(w.calls.refreshed).toEqual([]);
      expect(JSON.stringify([...w.sessions.items.values()])).toBe(before);
      expect(w.denyList.entries.size).toBe(0);
    },
  );

  it('denies a session revoked on the deny-list (record not yet marked)', async () => {
    const w = world();
    await w.deps.revocations.revokeSession(
      { sessionId: 'origin-1', sub: ALICE },
      { actor: 'a', reason: 'r' },
    );
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      body: { error: 'ERR_TOKEN_REVOKED' },
    });
    expect(w.calls.refreshed).toEqual([]);
  });

  it('denies a session started before the user watermark', async () => {
    const w = world();
    await w.deps.revocations.revokeUser({ sub: ALICE }, { actor: 'a', reason: 'r' });
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      denial: { reason: 'ERR_TOKEN_REVOKED', scope: 'user' },
    });
  });

  it('denies a session recorded after the user watermark from a sign-in before it (managed-login cookie)', async () => {
    const w = world({ createdAt: NOW + 10, refreshedAt: NOW + 10, authTime: NOW - 100 });
    await w.deps.revocations.revokeUser({ sub: ALICE }, { actor: 'a', reason: 'r' });
    w.clock.now = NOW + 20;
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      body: NO_SESSION,
      denial: { reason: 'ERR_TOKEN_REVOKED', scope: 'user' },
    });
    expect(w.calls.refreshed).toEqual([]);
  });

  it('ignores a token-only revocation of the latest access token', async () => {
    const w = world();
    await w.deps.revocations.revokeToken(
      { jti: 'jti-0', sub: ALICE, exp: NOW + 800 },
      { actor: 'a', reason: 'r' },
    );
    expect((await refresh(refreshRequest(), w.deps)).status).toBe(200);
  });

  it('treats invalid_grant for the token it holds as current as reuse: someone else rotated or ended it', async () => {
    const w = world();
    w.grants.refresh = { ok: false, error: 'invalid_grant' };
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      body: NO_SESSION,
      cookies: CLEARED,
      reuseDetected: true,
      denial: { reason: 'ERR_REFRESH_REUSE' },
    });
    expect(w.denyList.has('session#origin-1')).toBe(true);
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      status: 'revoked',
      revokedReason: 'refresh-reuse',
    });
    expect(w.calls.revoked).toEqual(['rt-1']);
  });

  it('denies without calling it reuse when a token in its grace period is refused', async () => {
    const w = world({
      refreshFingerprint: refreshFingerprint('rt-2'),
      rotated: [{ fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW - 3 }],
    });
    w.grants.refresh = { ok: false, error: 'invalid_grant' };
    const outcome = await refresh(refreshRequest(), w.deps);
    expect(outcome).toMatchObject({ status: 401, body: NO_SESSION, denial: { reason: 'ERR_TOKEN_REVOKED' } });
    expect(outcome.reuseDetected).toBeUndefined();
    expect(w.sessions.items.get('origin-1')?.status).toBe('active');
  });

  it('denies refreshed tokens of another session', async () => {
    const w = world();
    withTokens(w, 'at-2', { originJti: 'origin-2' });
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      body: NO_SESSION,
      denial: { reason: 'ERR_TOKEN_CLAIMS' },
    });
    expect(w.sessions.items.get('origin-1')?.refreshFingerprint).toBe(refreshFingerprint('rt-1'));
  });

  it('answers 409 when a concurrent refresh or revocation changed the session first', async () => {
    const w = world();
    const race = w.sessions.refresh.bind(w.sessions);
    w.sessions.refresh = async (id, _expected, change) => race(id, 'someone-else', change);
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 409,
      body: { error: 'ERR_CONFLICT' },
    });
  });
});

describe('logout', () => {
  it('marks the record, deny-lists the session for its access tokens’ lifetime, revokes at Cognito, clears the cookie', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    const outcome = await logout(alice, { cookies: [refreshCookieHeader('origin-1', 'rt-1')] }, w.deps);
    expect(outcome).toMatchObject({
      status: 200,
      body: { logoutUrl: w.deps.config.logoutUrl },
      cookies: CLEARED,
    });
    expect(w.calls.revoked).toEqual(['rt-1']);
    expect([...w.denyList.entries.keys()]).toEqual(['session#origin-1']); // covers jti-7 and jti-0 alike
    expect(w.denyList.entries.get('session#origin-1')?.expiresAt).toBe(NOW + 900 + 300);
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      status: 'revoked',
      revokedBy: ALICE,
      revokedReason: 'logout',
    });
  });

  it('finds the session through the cookie when the token has no origin_jti (emulator)', async () => {
    const w = fakeWorld();
    await w.sessions.create(
      activeSession({ sessionId: 'server-1', sessionIdSource: 'server', latestJti: 'jti-7' }),
    );
    const emulatorIdentity = { ...alice, sessionId: undefined };
    await logout(emulatorIdentity, { cookies: [refreshCookieHeader('server-1', 'rt-1')] }, w.deps);
    expect(w.calls.revoked).toEqual(['rt-1']);
    expect(w.denyList.has('jti#jti-7')).toBe(true);
    expect(w.sessions.items.get('server-1')?.status).toBe('revoked');
  });

  it("never ends another user's session named by a cookie", async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession({ sessionId: 'bobs', sub: 'bob' }));
    const emulatorIdentity = { ...alice, sessionId: undefined };
    await logout(emulatorIdentity, { cookies: [refreshCookieHeader('bobs', 'rt-1')] }, w.deps);
    expect(w.calls.revoked).toEqual([]);
    expect(w.sessions.items.get('bobs')?.status).toBe('active');
    expect([...w.denyList.entries.keys()]).toEqual(['jti#jti-7']);
  });

  it('still deny-lists the session and token without a cookie or record', async () => {
    const w = fakeWorld();
    await logout(alice, { cookies: [] }, w.deps);
    expect(w.calls.revoked).toEqual([]);
    expect([...w.denyList.entries.keys()].sort()).toEqual(['jti#jti-7', 'session#origin-1']);
  });

  it('deny-lists the session for a refresh lifetime when its record cannot tell its tokens’ lifetime', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession({ refreshedAt: Number.NaN }));
    await logout(alice, { cookies: [refreshCookieHeader('origin-1', 'rt-1')] }, w.deps);
    expect(w.denyList.entries.get('session#origin-1')?.expiresAt).toBe(NOW + WEEK);
  });

  it('still ends the session when Cognito RevokeToken fails: record and deny-list written, reported in the event', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    w.deps.idp.revokeRefreshToken = async () => Promise.reject(new Error('Cognito down'));
    const outcome = await logout(alice, { cookies: [refreshCookieHeader('origin-1', 'rt-1')] }, w.deps);
    expect(outcome).toMatchObject({ status: 200, cookies: CLEARED, event: { cognitoRevoked: false } });
    expect(w.denyList.has('session#origin-1')).toBe(true);
    expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
  });
});

describe('logoutAll', () => {
  it('signs out globally, writes the watermark, marks every active session, clears the cookie', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    await w.sessions.create(activeSession({ sessionId: 'origin-2' }));
    await w.sessions.create(activeSession({ sessionId: 'bobs', sub: 'bob' }));
    const outcome = await logoutAll(alice, w.deps);
    expect(outcome).toMatchObject({ status: 200, body: { sessionsRevoked: 2 }, cookies: CLEARED });
    expect(w.calls.signedOut).toEqual([ALICE]);
    expect(w.denyList.entries.get(`user#${ALICE}`)).toMatchObject({
      notBefore: NOW + 1,
      reason: 'logout-all',
    });
    expect(w.sessions.items.get('origin-2')?.status).toBe('revoked');
    expect(w.sessions.items.get('bobs')?.status).toBe('active');
  });

  it('still writes the watermark when the emulator lacks global sign-out', async () => {
    const w = fakeWorld();
    w.globalSignOut = 'unsupported';
    expect(await logoutAll(alice, w.deps)).toMatchObject({
      status: 200,
      event: { globalSignOut: 'unsupported' },
    });
    expect(w.denyList.has(`user#${ALICE}`)).toBe(true);
  });
});

describe('a deny-list write that fails (faults injected into the store)', () => {
  const NOT_STORED = {
    error: 'ERR_REVOCATION_NOT_STORED',
    message: expect.stringContaining('session is ended'),
  };

  it('fails logout with ERR_REVOCATION_NOT_STORED but still ends the record, revokes at Cognito and clears the cookie', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    w.denyList.failWrites = true;
    const outcome = await logout(alice, { cookies: [refreshCookieHeader('origin-1', 'rt-1')] }, w.deps);
    expect(outcome).toMatchObject({
      status: 503,
      body: NOT_STORED,
      cookies: CLEARED,
    });
    expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
    expect(w.calls.revoked).toEqual(['rt-1']);
    // and the ended session refuses the cookie, whatever the deny-list holds
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({ status: 401, body: NO_SESSION });
    expect(w.calls.refreshed).toEqual([]);
  });

  it('still detects reuse with 401: the record ended, Cognito revoked, the failed write counted', async () => {
    const w = fakeWorld();
    await w.sessions.create(
      activeSession({
        refreshFingerprint: refreshFingerprint('rt-2'),
        rotated: [{ fingerprint: refreshFingerprint('rt-1'), rotatedAt: NOW - 60 }],
      }),
    );
    w.denyList.failWrites = true;
    expect(await refresh(refreshRequest(), w.deps)).toMatchObject({
      status: 401,
      body: NO_SESSION,
      reuseDetected: true,
      denial: { reason: 'ERR_REFRESH_REUSE' },
      event: { denyListed: false, recordEnded: true, cognitoRevoked: true },
    });
    expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
    expect(w.calls.revoked).toEqual(['rt-1']);
    // the thief's next try: refused without reaching Cognito's token endpoint
    const thief = await refresh(
      refreshRequest({ cookies: [refreshCookieHeader('origin-1', 'rt-2')] }),
      w.deps,
    );
    expect(thief).toMatchObject({ status: 401, body: NO_SESSION });
    expect(w.calls.refreshed).toEqual([]);
  });

  it("fails ending one's other device with ERR_REVOCATION_NOT_STORED after ending its record", async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession({ sessionId: 'origin-2' }));
    w.denyList.failWrites = true;
    expect(await revokeOwnSession(alice, 'origin-2', { cookies: [] }, w.deps)).toMatchObject({
      status: 503,
      body: NOT_STORED,
    });
    expect(w.sessions.items.get('origin-2')?.status).toBe('revoked');
  });

  it('fails an admin session revocation with ERR_REVOCATION_NOT_STORED after ending the record', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    w.denyList.failWrites = true;
    expect(await revokeSession(admin, 'origin-1', w.deps)).toMatchObject({
      status: 503,
      body: NOT_STORED,
    });
    expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
  });

  it.each([
    ['logout-all', (w: FakeWorld) => logoutAll(alice, w.deps)],
    ['an admin user revocation', (w: FakeWorld) => revokeUser(admin, ALICE, w.deps)],
  ])(
    'fails %s with ERR_REVOCATION_NOT_STORED after signing out globally and ending every record',
    async (_case, act) => {
      const w = fakeWorld();
      await w.sessions.create(activeSession());
      await w.sessions.create(activeSession({ sessionId: 'origin-2' }));
      w.denyList.failWrites = true;
      expect(await act(w)).toMatchObject({ status: 503, body: NOT_STORED });
      expect(w.calls.signedOut).toEqual([ALICE]);
      expect(w.sessions.items.get('origin-1')?.status).toBe('revoked');
      expect(w.sessions.items.get('origin-2')?.status).toBe('revoked');
    },
  );
});

describe('admin', () => {
  it('lists a user’s sessions newest first, with short fingerprints only', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession({ sessionId: 'old', createdAt: NOW - 500 }));
    await w.sessions.create(
      activeSession({ sessionId: 'new', createdAt: NOW - 5, rotated: [{ fingerprint: 'f', rotatedAt: 1 }] }),
    );
    const outcome = await listSessions(ALICE, w.deps);
    const body = outcome.body as { sessions: Record<string, unknown>[] };
    expect(body.sessions.map((s) => s.sessionId)).toEqual(['new', 'old']);
    expect(body.sessions[0]).toMatchObject({
      rotations: 1,
      refreshFingerprint: refreshFingerprint('rt-1').slice(0, 12),
    });
    expect(body.sessions[0]).not.toHaveProperty('rotated');
    expect(body.sessions[0]).not.toHaveProperty('latestJti');
  });

  it('revokes a user: global sign-out, watermark by admin, sessions marked', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    const outcome = await revokeUser(admin, ALICE, w.deps);
    expect(outcome).toMatchObject({
      status: 200,
      body: { sub: ALICE, notBefore: NOW + 1, sessionsRevoked: 1 },
    });
    expect(w.denyList.entries.get(`user#${ALICE}`)).toMatchObject({
      actor: 'admin:admin-sub',
      reason: 'admin',
    });
  });

  it('revokes one session: the record, then session# (which covers its latest jti)', async () => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    expect(await revokeSession(admin, 'origin-1', w.deps)).toMatchObject({ status: 200 });
    expect([...w.denyList.entries.keys()]).toEqual(['session#origin-1']);
    expect(w.sessions.items.get('origin-1')).toMatchObject({
      status: 'revoked',
      revokedBy: 'admin:admin-sub',
    });
  });

  it.each<[string, string, 'user-not-found' | 'signed-out', number, string]>([
    ['an unknown user', 'ghost', 'user-not-found', 404, 'ERR_NOT_FOUND'],
    ['an invalid user id', 'a/b', 'signed-out', 400, 'ERR_BAD_REQUEST'],
  ])('rejects revoking %s and changes nothing', async (_case, sub, cognitoSays, status, error) => {
    const w = fakeWorld();
    w.globalSignOut = cognitoSays;
    expect(await revokeUser(admin, sub, w.deps)).toMatchObject({ status, body: { error } });
    expect(w.denyList.entries.size).toBe(0);
  });

  it.each<[string, string | undefined, number]>([
    ['an unknown session', 'nope', 404],
    ['an invalid session id', 'a b', 400],
    ['a missing session id', undefined, 400],
  ])('rejects revoking %s and changes nothing', async (_case, sessionId, status) => {
    const w = fakeWorld();
    await w.sessions.create(activeSession());
    expect(await revokeSession(admin, sessionId, w.deps)).toMatchObject({ status });
    expect(w.denyList.entries.size).toBe(0);
    expect(w.sessions.items.get('origin-1')?.status).toBe('active');
  });

  it('rejects listing an invalid user id', async () => {
    expect(await listSessions('', fakeWorld().deps)).toMatchObject({ status: 400 });
  });
});
