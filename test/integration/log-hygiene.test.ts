// Every byte the offline stack logs, captured across real flows: one auth_denied per denial, and no credential ever.
import { WebSocket } from 'ws';
import { DynamoSessionStore } from '../../lambdas/adapters/dynamo-session-store';
import { AuthEnv } from '../../lambdas/auth/env';
import { REFRESH_COOKIE } from '../../lambdas/sessions/cookie';
import type { ReasonCode } from '../../lambdas/shared/reasons';
import type { DemoUser } from '../../local/seed';
import { BrowserSession, type Answer } from '../helpers/browser-session';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';
import { rsaTestKey, signRs256 } from '../helpers/jwt';
import { decodePayload, EMULATOR_KEY, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';

let logs: CapturedLogs;
let stack: TestStack;
/** Every credential a test sent or received; none may appear in the captured output. */
const secrets = new Set<string>();
/** Reasons denied so far, to check coverage at the end. */
const deniedReasons = new Set<ReasonCode>();

beforeAll(async () => {
  logs = captureLogs(); // before the stack starts: cognito-local and the handlers' cold starts are captured too
  stack = await startTestStack({ quiet: false });
});

afterAll(async () => {
  await stack?.dispose();
  logs?.stop();
});

const demo = (name: 'alice' | 'bob' | 'admin'): DemoUser => demoUser(stack.outputs, name);

function browser(): BrowserSession {
  const session = new BrowserSession(stack.outputs);
  sessionsInUse.push(session);
  return session;
}
const sessionsInUse: BrowserSession[] = [];

function auditLines(event: string, from: number) {
  return logs
    .lines()
    .slice(from)
    .filter((line) => line.event === event);
}

/** Runs `act`, expects its status, and exactly one new auth_denied line with `reason` (and the route). */
async function expectDenial(reason: ReasonCode, status: number, act: () => Promise<Answer>) {
  const mark = logs.lines().length;
  const answer = await act();
  expect(answer.status).toBe(status);
  const denied = auditLines('auth_denied', mark);
  expect(denied).toEqual([expect.objectContaining({ reason, route: expect.any(String) })]);
  deniedReasons.add(reason);
  return denied[0];
}

const now = () => Math.floor(Date.now() / 1000);
const minted = (claims: Record<string, unknown> = {}) => {
  const token = mintAccessToken(stack.outputs, claims);
  secrets.add(token);
  return token;
};

describe('GET /health', () => {
  it('reports the default enforcement mode', async () => {
    const health = await fetch(`${stack.outputs.apiUrl}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});

describe('auth_denied lines', () => {
  it('logs nothing as denied for a sign-in through the login form and an allowed /me', async () => {
    const mark = logs.lines().length;
    const alice = browser();
    await alice.signIn(demo('alice'));
    expect((await alice.call('GET', '/me')).status).toBe(200);

    expect(auditLines('auth_denied', mark)).toEqual([]);
    expect(logs.text()).toContain('"AuthAllowed":1');
  });

  it('writes one line per authorizer denial with the right reason, route, source IP and fingerprint', async () => {
    const alice = browser();
    await alice.signIn(demo('alice'));
    const forged = (() => {
      const token = signRs256(rsaTestKey(EMULATOR_KEY.kid), decodePayload(minted()), {
        kid: EMULATOR_KEY.kid,
      });
      secrets.add(token);
      return token;
    })();

    await expectDenial('ERR_TOKEN_MALFORMED', 401, () =>
      alice.call('GET', '/me', { authorization: 'Bearer not.a.jwt' }),
    );
    await expectDenial('ERR_TOKEN_MALFORMED', 401, () =>
      alice.call('GET', '/me', { authorization: 'Basic YWxpY2U6c2VjcmV0' }),
    );
    const line = await expectDenial('ERR_TOKEN_SIGNATURE', 401, () =>
      alice.call('GET', '/me', { authorization: `Bearer ${forged}` }),
    );
    expect(line).toMatchObject({
      route: 'GET /me',
      sourceIp: expect.any(String),
      tokenFingerprint: expect.stringMatching(/^[0-9a-f]{12}$/),
    });
    await expectDenial('ERR_TOKEN_EXPIRED', 401, () =>
      alice.call('GET', '/me', { authorization: `Bearer ${minted({ iat: now() - 1000, exp: now() - 60 })}` }),
    );
    await expectDenial('ERR_TOKEN_CLAIMS', 401, () =>
      alice.call('GET', '/me', { authorization: `Bearer ${minted({ client_id: 'another-app-client' })}` }),
    );
  });

  it('writes one line for a forbidden admin route and for a refresh without the CSRF header', async () => {
    const alice = browser();
    await alice.signIn(demo('alice'));
    const sub = alice.sub;

    const forbidden = await expectDenial('ERR_FORBIDDEN', 403, () =>
      alice.call('GET', `/admin/users/${sub}/sessions`),
    );
    expect(forbidden).toMatchObject({ sub, route: 'GET /admin/users/{sub}/sessions' });
    await expectDenial('ERR_CSRF', 403, () => alice.refresh({ csrf: false }));
  });

  it('writes no line for a REST call without an Authorization header: API Gateway refuses it without the authorizer', async () => {
    const mark = logs.lines().length;
    const answer = await browser().call('GET', '/me', { bearer: false });
    expect(answer).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_MISSING' } });
    expect(auditLines('auth_denied', mark)).toEqual([]);
  });

  it('writes one line for a WebSocket handshake that offers no bearer token', async () => {
    const mark = logs.lines().length;
    const ws = new WebSocket(stack.outputs.wsUrl!, ['cognito-guard.v1'], { origin: stack.outputs.appUrl });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('handshake accepted')));
    });
    ws.on('error', () => undefined); // terminating a refused handshake reports an error we expect
    ws.terminate();

    expect(status).toBe(401);
    expect(auditLines('auth_denied', mark)).toEqual([
      expect.objectContaining({ reason: 'ERR_TOKEN_MISSING', route: '$connect' }),
    ]);
    deniedReasons.add('ERR_TOKEN_MISSING');
  });

  it('writes one line for a WebSocket handshake from a foreign Origin', async () => {
    const token = minted();
    const mark = logs.lines().length;
    const ws = new WebSocket(stack.outputs.wsUrl!, ['cognito-guard.v1', `bearer.${token}`], {
      origin: 'https://evil.example',
    });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('handshake accepted')));
    });
    ws.on('error', () => undefined); // terminating a refused handshake reports an error we expect
    ws.terminate();

    expect(status).toBe(401);
    expect(auditLines('auth_denied', mark)).toEqual([
      expect.objectContaining({ reason: 'ERR_ORIGIN', route: '$connect' }),
    ]);
    deniedReasons.add('ERR_ORIGIN');
  });

  it('logs a logout as one revoked line by the user, then denies the old access token as revoked', async () => {
    const alice = browser();
    await alice.signIn(demo('alice'));
    const token = alice.accessToken;
    const sub = decodePayload(token).sub as string;
    const mark = logs.lines().length;

    expect((await alice.call('POST', '/auth/logout')).status).toBe(200);
    // One session entry: it covers this token and every other token of the session (origin_jti).
    expect(auditLines('revoked', mark)).toEqual([
      expect.objectContaining({ actor: sub, reason: 'logout', scope: 'session', sub }),
    ]);
    expect(logs.text()).toMatch(/"Scope":"session"[^\n]*"TokensRevoked":1/);
    await expectDenial('ERR_TOKEN_REVOKED', 401, () =>
      alice.call('GET', '/me', { authorization: `Bearer ${token}` }),
    );
  });

  it('logs refresh-token reuse as a denial, a revocation by system and a RefreshReuseDetected metric', async () => {
    // A real rotation through the twin, then the record aged as if the grace period had passed long ago.
    const sessions = new DynamoSessionStore(process.env[AuthEnv.sessionsTable]!);
    const alice = browser();
    await alice.signIn(demo('alice'));
    const stolen = alice.refreshCookie;
    expect((await alice.refresh()).status).toBe(200);
    const sessionId = alice.sessionId;
    const record = (await sessions.get(sessionId))!;
    await sessions.refresh(sessionId, record.refreshFingerprint, {
      ...record,
      rotated: record.rotated.map((entry) => ({ ...entry, rotatedAt: now() - 60 })),
    });
    const mark = logs.lines().length;

    alice.cookies.set(REFRESH_COOKIE, stolen);
    await expectDenial('ERR_REFRESH_REUSE', 401, () => alice.refresh());
    expect(auditLines('revoked', mark)).toContainEqual(
      expect.objectContaining({ actor: 'system', reason: 'refresh-reuse', scope: 'session', sessionId }),
    );
    expect(logs.text()).toContain('"RefreshReuseDetected":1');
  });

  it('logs an admin revocation with the admin as actor, then denies the user', async () => {
    const [admin, bob] = [browser(), browser()];
    await admin.signIn(demo('admin'));
    await bob.signIn(demo('bob'));
    const bobSub = bob.sub;
    const adminSub = admin.sub;
    const mark = logs.lines().length;

    expect((await admin.call('POST', `/admin/users/${bobSub}/revoke`)).status).toBe(200);
    expect(auditLines('revoked', mark)).toContainEqual(
      expect.objectContaining({ actor: `admin:${adminSub}`, reason: 'admin', scope: 'user', sub: bobSub }),
    );
    await expectDenial('ERR_TOKEN_REVOKED', 401, () => bob.call('GET', '/me'));
  });
});

describe('log hygiene over everything captured above', () => {
  it('denied every client-caused reason at least once', () => {
    // The two outages (ERR_STORE_UNAVAILABLE, ERR_JWKS_UNAVAILABLE) need a broken store or JWKS: security suite.
    expect([...deniedReasons].sort()).toEqual(
      [
        'ERR_CSRF',
        'ERR_ORIGIN',
        'ERR_FORBIDDEN',
        'ERR_REFRESH_REUSE',
        'ERR_TOKEN_CLAIMS',
        'ERR_TOKEN_EXPIRED',
        'ERR_TOKEN_MALFORMED',
        'ERR_TOKEN_MISSING',
        'ERR_TOKEN_REVOKED',
        'ERR_TOKEN_SIGNATURE',
      ].sort(),
    );
  });

  it('never contains a token, code, code verifier, cookie value or Authorization header value, nor any JWT segment', () => {
    for (const session of sessionsInUse) for (const secret of session.secrets) secrets.add(secret);
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    expect(secrets.size).toBeGreaterThan(20);
    const leaked = [...secrets].filter((secret) => text.includes(secret));
    expect(leaked).toEqual([]);
    const jwts = [...secrets]
      .map((secret) => secret.replace(/^Bearer /, ''))
      .filter((s) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(s));
    expect(jwts.length).toBeGreaterThan(10);
    const segments = [...new Set(jwts.flatMap((jwt) => jwt.split('.')))].filter(
      (segment) => segment.length >= 16,
    ); // not "not.a.jwt"
    expect(segments.filter((segment) => text.includes(segment))).toEqual([]);
  });
});
