// The oauth4webapi token-endpoint adapter against a local server replaying Cognito-shaped /oauth2/token responses.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthTokenEndpoint } from '../../lambdas/adapters/oauth-token-endpoint';
import { refresh, signIn } from '../../lambdas/sessions/auth-core';
import { parseRefreshCookie, refreshCookie } from '../../lambdas/sessions/cookie';
import type { Outcome } from '../../lambdas/sessions/outcome';
import { UpstreamError } from '../../lambdas/sessions/ports';
import recorded from '../fixtures/cognito-token-responses.json';
import { rsaTestKey, signRs256, TEST_CLIENT_ID, TEST_ISSUER } from '../helpers/jwt';
import { claims, fakeWorld } from '../helpers/session-fakes';

type Recording = { status: number; body: unknown };

const key = rsaTestKey('kid-1');
let server: Server;
let baseUrl: string;
let next: Recording;
const received: URLSearchParams[] = [];

/** A recorded body with fresh tokens in place of the placeholders. */
function replay(recording: Recording, tokens: Record<string, string> = {}): Recording {
  const body = JSON.stringify(recording.body).replace(
    /\{\{(\w+)\}\}/g,
    (_, name: string) => tokens[name] ?? name,
  );
  return { status: recording.status, body: JSON.parse(body) };
}

function idToken(overrides: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signRs256(key, {
    sub: 'aaaaaaaa-1111-2222-3333-444444444444',
    aud: TEST_CLIENT_ID,
    iss: TEST_ISSUER,
    token_use: 'id',
    'cognito:username': 'aaaaaaaa-1111-2222-3333-444444444444',
    email: 'alice@example.com',
    auth_time: now,
    iat: now,
    exp: now + 900,
    jti: 'id-jti',
    origin_jti: 'origin-1',
    ...overrides,
  });
}

const fresh = { access_token: 'access-1', id_token: '', refresh_token: 'refresh-2' };

function endpoint(overrides: { allowInsecureRequests?: boolean; domainUrl?: string } = {}) {
  return new OAuthTokenEndpoint({
    domainUrl: baseUrl,
    issuer: TEST_ISSUER,
    clientId: TEST_CLIENT_ID,
    allowInsecureRequests: true,
    ...overrides,
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push(new URLSearchParams(body));
      const isText = typeof next.body === 'string';
      response.writeHead(next.status, {
        'Content-Type': isText ? 'text/html' : 'application/json;charset=UTF-8',
      });
      response.end(isText ? (next.body as string) : JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received.length = 0;
  fresh.id_token = idToken();
});

describe('OAuthTokenEndpoint', () => {
  it('exchanges a code with PKCE as a public client and returns the tokens', async () => {
    next = replay(recorded.authorizationCode, fresh);
    const result = await endpoint().exchangeCode({
      code: 'the-code',
      codeVerifier: 'v'.repeat(43),
      redirectUri: 'https://app.example.com/',
    });
    expect(result).toEqual({
      ok: true,
      tokens: { accessToken: 'access-1', idToken: fresh.id_token, refreshToken: 'refresh-2', expiresIn: 900 },
    });
    const [sent] = received;
    expect(Object.fromEntries(sent)).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      code_verifier: 'v'.repeat(43),
      redirect_uri: 'https://app.example.com/',
      client_id: TEST_CLIENT_ID,
    });
  });

  it('returns the rotated refresh token of a refresh grant', async () => {
    next = replay(recorded.refreshWithRotation, fresh);
    const result = await endpoint().refresh('refresh-1');
    expect(result).toMatchObject({
      ok: true,
      tokens: { accessToken: 'access-1', refreshToken: 'refresh-2' },
    });
    expect(Object.fromEntries(received[0])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: TEST_CLIENT_ID,
    });
  });

  it('returns no refresh token when the pool does not rotate', async () => {
    next = replay(recorded.refreshWithoutRotation, fresh);
    const result = await endpoint().refresh('refresh-1');
    expect(result.ok && result.tokens.refreshToken).toBeUndefined();
  });

  it.each<[string, Recording, 'refresh' | 'code']>([
    ['reuse of a rotated refresh token', recorded.refreshReuse, 'refresh'],
    ['an invalid or used code', recorded.invalidCode, 'code'],
  ])('turns %s (invalid_grant) into a value', async (_case, recording, grant) => {
    next = replay(recording);
    const result =
      grant === 'refresh'
        ? await endpoint().refresh('refresh-1')
        : await endpoint().exchangeCode({
            code: 'c',
            codeVerifier: 'v'.repeat(43),
            redirectUri: 'https://a.example/',
          });
    expect(result).toEqual({ ok: false, error: 'invalid_grant' });
  });

  it('fails with UpstreamError on a non-OAuth error page', async () => {
    next = replay(recorded.throttled);
    await expect(endpoint().refresh('refresh-1')).rejects.toThrow(UpstreamError);
  });

  it('rejects an ID token from another issuer (UpstreamError)', async () => {
    next = replay(recorded.refreshWithRotation, {
      ...fresh,
      id_token: idToken({ iss: 'https://evil.example' }),
    });
    await expect(endpoint().refresh('refresh-1')).rejects.toThrow(UpstreamError);
  });

  it('rejects an ID token for another client (UpstreamError)', async () => {
    next = replay(recorded.refreshWithRotation, { ...fresh, id_token: idToken({ aud: 'other-client' }) });
    await expect(endpoint().refresh('refresh-1')).rejects.toThrow(UpstreamError);
  });

  it('refuses an http:// token endpoint unless insecure requests are allowed', async () => {
    next = replay(recorded.refreshWithRotation, fresh);
    await expect(endpoint({ allowInsecureRequests: false }).refresh('refresh-1')).rejects.toThrow(
      UpstreamError,
    );
    expect(received).toHaveLength(0);
  });

  it('fails with UpstreamError when the endpoint is unreachable', async () => {
    await expect(endpoint({ domainUrl: 'http://127.0.0.1:9' }).refresh('refresh-1')).rejects.toThrow(
      UpstreamError,
    );
  });
});

describe('rotation and reuse through the session core on replayed Cognito responses', () => {
  /** What the browser would send back: the Cookie pair of the Set-Cookie the core asked for. */
  function cookieOf(outcome: Outcome): string {
    if (!outcome.cookie || outcome.cookie === 'clear') throw new Error('no cookie set');
    return refreshCookie(outcome.cookie.set, 60).split(';')[0];
  }

  it('rotates on every refresh and revokes the session when a rotated-away token comes back', async () => {
    const world = fakeWorld({ allowedOrigins: ['https://app.example.com'] });
    const deps = { ...world.deps, tokens: endpoint() };
    world.verified.set('access-1', { ok: true, claims: claims({ jti: 'jti-1' }) });
    world.verified.set('access-2', { ok: true, claims: claims({ jti: 'jti-2' }) });

    next = replay(recorded.authorizationCode, { ...fresh, refresh_token: 'refresh-1' });
    const body = JSON.stringify({
      code: 'c',
      codeVerifier: 'v'.repeat(43),
      redirectUri: 'https://app.example.com/',
    });
    const first = cookieOf(await signIn({ body, cookies: [] }, deps));

    next = replay(recorded.refreshWithRotation, {
      ...fresh,
      access_token: 'access-2',
      refresh_token: 'refresh-2',
    });
    const browser = { origin: 'https://app.example.com', csrfHeader: '1' };
    const rotated = await refresh({ ...browser, cookies: [first] }, deps);
    expect(rotated.status).toBe(200);
    expect(parseRefreshCookie([cookieOf(rotated)])).toMatchObject({ refreshToken: 'refresh-2' });

    world.clock.now += 60; // past the 10 s grace period
    const asked = received.length;
    const replayed = await refresh({ ...browser, cookies: [first] }, deps);
    expect(replayed).toMatchObject({
      status: 401,
      body: { error: 'ERR_REFRESH_REUSE' },
      cookie: 'clear',
      reuseDetected: true,
    });
    expect(received).toHaveLength(asked); // caught by the registry before Cognito is asked
    expect(world.denyList.has('session#origin-1')).toBe(true);

    const legitimate = await refresh({ ...browser, cookies: [cookieOf(rotated)] }, deps);
    expect(legitimate).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REVOKED' } });
  });
});
