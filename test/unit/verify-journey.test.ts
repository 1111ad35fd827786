// The verification journey's decisions over hand-written fakes: pass/fail reasons, revocation delay, cleanup.
import { CHECKS, runJourney, type JourneyDeps, type VerifyTarget } from '../../lambdas/verify/journey';
import type { HttpAnswer, OpenSocket, SignedInSession } from '../../lambdas/verify/ports';
import { formatReport } from '../../lambdas/verify/report';
import { tamperedTokenForge } from '../../lambdas/verify/tampered-token-forge';
import { accessTokenClaims, rsaTestKey, signRs256 } from '../helpers/jwt';

const key = rsaTestKey('unit');
const target: VerifyTarget = {
  apiUrl: 'https://api.example/prod/',
  wsUrl: 'wss://ws.example/prod',
  enforcementMode: 'enforce',
  authorizerCacheTtlSeconds: 0,
};

interface FakeOptions {
  /** Requests a logged-out token still gets 200 for (a cached authorizer). @default 0 */
  readonly staleAnswers?: number;
  readonly signInFails?: boolean;
  readonly socketsStayOpen?: boolean;
}

/** A deployment in memory: real-looking tokens, a deny-list, a clock that advances only when the journey waits. */
function fakeDeployment(options: FakeOptions = {}) {
  let now = 0;
  let stale = options.staleAnswers ?? 0;
  const revoked = new Set<string>();
  const issued: SignedInSession[] = [];
  const revokedRefresh: string[] = [];
  const sockets: { token: string; closed: boolean }[] = [];
  const valid = (token: string | undefined) => issued.some((s) => s.accessToken === token);
  const answer = (status: number, body?: unknown): HttpAnswer => ({ status, body });
  const deps: JourneyDeps = {
    signIn: {
      async signIn() {
        if (options.signInFails) throw new Error('NotAuthorizedException: Incorrect username or password.');
        const n = issued.length;
        const session = {
          accessToken: signRs256(key, accessTokenClaims({ jti: `jti-${n}`, sub: 'verify-sub' })),
          idToken: signRs256(key, accessTokenClaims({ token_use: 'id', jti: `id-${n}` })),
          refreshToken: `refresh-${n}`,
        };
        issued.push(session);
        return session;
      },
      async revokeRefreshToken(token) {
        revokedRefresh.push(token);
      },
    },
    http: {
      async request(method, url, token) {
        now += 5;
        const path = new URL(url).pathname.replace('/prod', '');
        if (!valid(token)) return answer(401, { message: 'Unauthorized' });
        if (revoked.has(token!)) {
          if (stale === 0) return answer(401, { message: 'Unauthorized' });
          stale--;
        }
        if (path === '/me') return answer(200, { sub: 'verify-sub', username: 'verify-sub' });
        const ends =
          path === '/auth/logout-all' ? issued.slice(1) : issued.filter((s) => s.accessToken === token);
        for (const s of ends) revoked.add(s.accessToken);
        for (const socket of sockets)
          if (!options.socketsStayOpen && revoked.has(socket.token)) socket.closed = true;
        return answer(method === 'POST' ? 200 : 404);
      },
    },
    sockets: {
      async open(_url, token) {
        if (!valid(token)) return { opened: false, refusal: 'HTTP 401' };
        const entry = { token: token!, closed: false };
        sockets.push(entry);
        const socket: OpenSocket = {
          closedWithin: async () => entry.closed,
          close: () => undefined,
        };
        return { opened: true, socket };
      },
    },
    forge: tamperedTokenForge,
    stopwatch: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  return { deps, revokedRefresh };
}

const byName = (report: Awaited<ReturnType<typeof runJourney>>, name: string) =>
  report.checks.find((check) => check.name === name)!;

describe('runJourney', () => {
  it('passes every check against a deployment that enforces revocation, and reports the delay seen', async () => {
    const { deps, revokedRefresh } = fakeDeployment();

    const report = await runJourney(target, deps);

    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.checks.map((c) => c.name)).toEqual(Object.values(CHECKS));
    expect(report.revocationDelayMs).toBe(5);
    expect(revokedRefresh).toEqual(['refresh-0', 'refresh-1', 'refresh-2']);
    expect(byName(report, CHECKS.me)).toEqual({
      name: CHECKS.me,
      passed: true,
      reason: '200 naming verify-sub',
      p50Ms: 5,
    });
  });

  it('fails the logout check when a revoked token still works, and reports how long it worked', async () => {
    const { deps } = fakeDeployment({ staleAnswers: 3 });

    const report = await runJourney(target, deps);

    expect(byName(report, CHECKS.logout)).toMatchObject({
      passed: false,
      reason: 'the very next /me answered 200; refused only after 770 ms',
    });
    expect(report.revocationDelayMs).toBe(770);
  });

  it('fails the mode check when the outputs declare monitor mode', async () => {
    const { deps } = fakeDeployment();

    const report = await runJourney({ ...target, enforcementMode: 'monitor' }, deps);

    expect(byName(report, CHECKS.mode)).toMatchObject({
      passed: false,
      reason: 'outputs say monitor: revoked tokens are not denied',
    });
  });

  it('fails the mode check when the outputs do not state the mode', async () => {
    const { deps } = fakeDeployment();

    const report = await runJourney({ ...target, enforcementMode: undefined }, deps);

    expect(byName(report, CHECKS.mode)).toMatchObject({
      passed: false,
      reason: 'the outputs do not state the enforcement mode',
    });
  });

  it('fails the socket check when a socket stays open after logout', async () => {
    const { deps } = fakeDeployment({ socketsStayOpen: true });

    const report = await runJourney(target, deps);

    expect(byName(report, CHECKS.wsClosed)).toMatchObject({
      passed: false,
      reason: 'still open 2000 ms after logout',
    });
  });

  it('fails sign-in with the error and marks every check that needs a session as not run, without throwing', async () => {
    const { deps } = fakeDeployment({ signInFails: true });

    const report = await runJourney(target, deps);

    expect(byName(report, CHECKS.signIn)).toMatchObject({
      passed: false,
      reason: 'error: NotAuthorizedException: Incorrect username or password.',
    });
    for (const name of [CHECKS.me, CHECKS.forgedSignature, CHECKS.expired, CHECKS.logout, CHECKS.logoutAll]) {
      expect(byName(report, name)).toMatchObject({ passed: false, reason: 'not run: sign-in failed' });
    }
    expect(byName(report, CHECKS.noToken).passed).toBe(true);
    expect(byName(report, CHECKS.cleanup)).toMatchObject({ passed: true });
  });

  it('fails the cache check with the delay a cached authorizer allows, or when the outputs do not say', async () => {
    const cached = await runJourney({ ...target, authorizerCacheTtlSeconds: 300 }, fakeDeployment().deps);
    const unknown = await runJourney(
      { ...target, authorizerCacheTtlSeconds: undefined },
      fakeDeployment().deps,
    );

    expect(byName(cached, CHECKS.cacheTtl).reason).toBe(
      '300 s: a revoked token keeps working for up to 300 s',
    );
    expect(byName(unknown, CHECKS.cacheTtl)).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/unknown/),
    });
  });

  it('formats one line per check, the delay, then the N passed, N failed line, with no token anywhere', async () => {
    const { deps } = fakeDeployment({ staleAnswers: 1 });

    const lines = formatReport(await runJourney(target, deps));

    expect(lines.at(-1)).toBe('14 passed, 1 failed');
    expect(lines.at(-2)).toMatch(/^revocation delay seen: \d+ ms$/);
    expect(lines[0]).toMatch(/^PASS enforce mode — outputs say enforce \(the logout check proves it live\)$/);
    expect(lines.join('\n')).not.toMatch(/eyJ/);
  });
});
