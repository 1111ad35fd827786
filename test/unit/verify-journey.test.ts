// The verification journey's decisions over hand-written fakes: pass/fail reasons, revocation delay, device binding,
// cleanup.
import { CHECKS, runJourney, type JourneyDeps, type VerifyTarget } from '../../lambdas/verify/journey';
import type { DeviceKey, HttpAnswer, OpenSocket, SignedInSession } from '../../lambdas/verify/ports';
import { splitJwt } from '../../lambdas/verify/jwt-parts';
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
  /** How the fake authorizer treats bound tokens (it enforces RFC 9449 unless told otherwise). */
  readonly dpop?: {
    /** A token sent as `DPoP` without a proof is allowed. */
    readonly allowsMissingProof?: boolean;
    /** A proof is accepted again (no replay memory). */
    readonly allowsReplay?: boolean;
    /** `bind` answers an unbound token (no pre token trigger). */
    readonly triggerMissing?: boolean;
    /** The `htu` the authorizer expects instead of the URL called (a misconfigured public URL). */
    readonly expectedHtu?: string;
  };
}

/** The fake's proofs: readable JSON, so the fake authorizer can check them like the real one checks a JWS. */
interface FakeProof {
  readonly jkt: string;
  readonly jti: string;
  readonly htm: string;
  readonly htu: string;
  readonly iat: number;
}

/** A deployment in memory: real-looking tokens, a deny-list, a clock that advances only when the journey waits. */
function fakeDeployment(options: FakeOptions = {}) {
  let now = 0;
  let stale = options.staleAnswers ?? 0;
  const revoked = new Set<string>();
  const issued: SignedInSession[] = [];
  const revokedRefresh: string[] = [];
  const sockets: { token: string; closed: boolean }[] = [];
  const proofsSeen = new Set<string>();
  const proofsMade: FakeProof[] = [];
  let keys = 0;
  const valid = (token: string | undefined) => issued.some((s) => s.accessToken === token);
  /** The fake authorizer's DPoP rules for a bound token: a reason to refuse, or undefined. */
  const dpopRefusal = (jkt: string, dpop: { proof?: string } | undefined, method: string, url: string) => {
    if (!dpop) return 'ERR_DPOP_SCHEME';
    if (dpop.proof === undefined) return options.dpop?.allowsMissingProof ? undefined : 'ERR_DPOP_MISSING';
    const proof = JSON.parse(dpop.proof) as FakeProof;
    if (proof.htm !== method || proof.htu !== (options.dpop?.expectedHtu ?? url)) return 'ERR_DPOP_REQUEST';
    if (Math.abs(Date.now() / 1000 - proof.iat) > 60) return 'ERR_DPOP_STALE';
    if (proof.jkt !== jkt) return 'ERR_DPOP_KEY_MISMATCH';
    if (proofsSeen.has(proof.jti) && !options.dpop?.allowsReplay) return 'ERR_DPOP_REPLAY';
    proofsSeen.add(proof.jti);
    return undefined;
  };
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
      async bind(session, jkt) {
        const n = issued.length;
        const cnf = options.dpop?.triggerMissing ? {} : { cnf: { jkt } };
        const bound = {
          accessToken: signRs256(key, accessTokenClaims({ jti: `jti-${n}`, sub: 'verify-sub', ...cnf })),
          idToken: session.idToken,
          refreshToken: `${session.refreshToken}-bound`,
        };
        issued.push(bound);
        return bound;
      },
    },
    http: {
      async request(method, url, token, dpop) {
        now += 5;
        const path = new URL(url).pathname.replace('/prod', '');
        if (!valid(token)) return answer(401, { message: 'Unauthorized' });
        const cnf = splitJwt(token!).payload.cnf as { jkt: string } | undefined;
        const refusal = cnf ? dpopRefusal(cnf.jkt, dpop, method, url) : dpop && 'ERR_DPOP_SCHEME';
        if (refusal) return answer(401, { error: refusal });
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
    deviceKeys: {
      async create(): Promise<DeviceKey> {
        const jkt = `jkt-${keys++}`;
        return {
          jkt,
          async proof(request) {
            const proof = {
              jkt,
              jti: `proof-${proofsMade.length}`,
              htm: request.method,
              htu: request.url,
              iat: request.iat ?? Math.floor(Date.now() / 1000),
            };
            proofsMade.push(proof);
            return JSON.stringify(proof);
          },
        };
      },
    },
    stopwatch: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  return { deps, revokedRefresh, proofsMade };
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
    expect(lines.at(-2)).toBe('6 skipped');
    expect(lines.at(-3)).toMatch(/^revocation delay seen: \d+ ms$/);
    expect(lines[0]).toMatch(/^PASS enforce mode — outputs say enforce \(the logout check proves it live\)$/);
    expect(lines.join('\n')).not.toMatch(/eyJ/);
  });
});

const BINDING_CHECKS = [
  CHECKS.boundToken,
  CHECKS.boundNoProof,
  CHECKS.boundOtherKey,
  CHECKS.boundReplayed,
  CHECKS.boundStale,
  CHECKS.boundCookie,
];

describe('runJourney device binding checks', () => {
  const enforced: VerifyTarget = { ...target, deviceBinding: 'enforce', replayGuard: 'table' };

  it.each([
    ['instance', /dpopReplayGuard is instance: each Lambda instance remembers only its own proofs/],
    [undefined, /the outputs do not state the replay guard/],
  ])('skips only the replay check, saying why, when the replay guard is %s', async (replayGuard, why) => {
    const { deps } = fakeDeployment();
    const base: VerifyTarget = { ...target, deviceBinding: 'enforce' };
    const report = await runJourney(replayGuard ? { ...base, replayGuard } : base, deps);

    expect(byName(report, CHECKS.boundReplayed)).toMatchObject({ passed: true, skipped: true, reason: why });
    expect(byName(report, CHECKS.boundStale)).toMatchObject({
      passed: true,
      reason: expect.stringMatching(/401/),
    });
    expect(byName(report, CHECKS.boundStale).skipped).toBeUndefined();
  });

  it('passes the bound-token checks against a deployment that enforces device binding', async () => {
    const { deps, revokedRefresh } = fakeDeployment();

    const report = await runJourney(enforced, deps);

    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(byName(report, CHECKS.boundToken)).toMatchObject({
      passed: true,
      reason: 'cnf.jkt = the key; Authorization: DPoP + a fresh proof: 200',
    });
    expect(byName(report, CHECKS.boundNoProof).reason).toBe(
      'Authorization: DPoP, no DPoP header: 401 ERR_DPOP_MISSING',
    );
    expect(byName(report, CHECKS.boundOtherKey).reason).toBe(
      'a fresh proof by another key: 401 ERR_DPOP_KEY_MISMATCH',
    );
    expect(byName(report, CHECKS.boundReplayed).reason).toBe(
      'a proof sent a second time: 401 ERR_DPOP_REPLAY',
    );
    expect(byName(report, CHECKS.boundStale).reason).toBe('a proof with iat 300 s ago: 401 ERR_DPOP_STALE');
    expect(byName(report, CHECKS.boundCookie)).toMatchObject({ passed: true, skipped: true });
    // Both the signed-in and the bound refresh token are revoked at cleanup.
    expect(revokedRefresh).toEqual(expect.arrayContaining(['refresh-1', 'refresh-1-bound']));
  });

  it('makes every proof for GET <apiUrl>/me, as the authorizer rebuilds htu', async () => {
    const { deps, proofsMade } = fakeDeployment();

    await runJourney(enforced, deps);

    expect(proofsMade.length).toBeGreaterThan(0);
    for (const proof of proofsMade)
      expect(proof).toMatchObject({ htm: 'GET', htu: 'https://api.example/prod/me' });
  });

  it('fails the no-proof check when a bound token without a proof is allowed', async () => {
    const { deps } = fakeDeployment({ dpop: { allowsMissingProof: true } });

    const report = await runJourney(enforced, deps);

    expect(byName(report, CHECKS.boundNoProof)).toMatchObject({
      passed: false,
      reason: 'Authorization: DPoP, no DPoP header: answered 200',
    });
  });

  it('fails the replay check when a proof is accepted twice', async () => {
    const { deps } = fakeDeployment({ dpop: { allowsReplay: true } });

    const report = await runJourney(enforced, deps);

    expect(byName(report, CHECKS.boundReplayed)).toMatchObject({
      passed: false,
      reason: 'a proof sent a second time: answered 200',
    });
    expect(byName(report, CHECKS.boundStale).passed).toBe(true);
  });

  it('fails the bound-token and replay checks when even a fresh proof is refused (a replay refusal proves nothing then)', async () => {
    const { deps } = fakeDeployment({ dpop: { expectedHtu: 'https://app.example/api/me' } });

    const report = await runJourney(enforced, deps);

    expect(byName(report, CHECKS.boundToken)).toMatchObject({
      passed: false,
      reason: 'cnf.jkt set, but /me with a fresh proof answered 401 ERR_DPOP_REQUEST',
    });
    expect(byName(report, CHECKS.boundReplayed)).toMatchObject({
      passed: false,
      reason: 'a proof sent a second time: its first use answered 401 ERR_DPOP_REQUEST',
    });
  });

  it('fails the bound-token check, and marks the others not run, when Cognito returns an unbound token', async () => {
    const { deps } = fakeDeployment({ dpop: { triggerMissing: true } });

    const report = await runJourney(enforced, deps);

    expect(byName(report, CHECKS.boundToken)).toMatchObject({
      passed: false,
      reason: expect.stringMatching(/without that cnf\.jkt \(is the pre token trigger attached\?\)$/),
    });
    for (const name of [CHECKS.boundNoProof, CHECKS.boundOtherKey, CHECKS.boundReplayed, CHECKS.boundStale])
      expect(byName(report, name)).toMatchObject({ passed: false, reason: 'not run: no bound token' });
  });

  it.each([
    ['off', 'device binding is off'],
    ['monitor', 'device binding is monitor: the authorizers log would_deny instead of refusing'],
    [undefined, 'the outputs do not state device binding (a stack from before it: redeploy)'],
  ])('skips every binding check with the reason when device binding is %s', async (mode, reason) => {
    const { deps, proofsMade } = fakeDeployment();

    const report = await runJourney({ ...target, deviceBinding: mode }, deps);
    const lines = formatReport(report);

    for (const name of BINDING_CHECKS.slice(0, -1))
      expect(byName(report, name)).toEqual({ name, passed: true, skipped: true, reason });
    expect(lines).toContain(`SKIP ${CHECKS.boundNoProof} — ${reason}`);
    expect(proofsMade).toEqual([]);
  });
});
