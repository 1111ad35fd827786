// The oauth4webapi token-endpoint adapter against a local server replaying Cognito-shaped /oauth2/token responses
// (error pages, foreign ID tokens); the real grants against the offline Cognito are in cognito-twin.test.ts.

import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OAuthTokenEndpoint } from '../../lambdas/adapters/oauth-token-endpoint';
import { UpstreamError } from '../../lambdas/sessions/ports';
import recorded from '../fixtures/cognito-token-responses.json';
import { rsaTestKey, signRs256, TEST_CLIENT_ID, TEST_ISSUER } from '../helpers/jwt';
import { fixedSecret } from '../helpers/cognito-twin';

type Recording = { status: number; body: unknown };

const key = rsaTestKey('kid-1');
let server: Server;
let baseUrl: string;
let next: Recording;
const received: { body: URLSearchParams; authorization?: string }[] = [];
const SECRET = 'theclientsecret0123456789'; // Cognito secrets are lowercase alphanumerics
const BASIC = `Basic ${Buffer.from(`${TEST_CLIENT_ID}:${SECRET}`).toString('base64')}`;
const EXPECTED = { state: 's'.repeat(43), nonce: 'n'.repeat(43), codeVerifier: 'v'.repeat(43) };

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
    clientSecret: fixedSecret(SECRET),
    redirectUri: 'https://app.example.com/',
    scopes: ['openid', 'email', 'profile'],
    allowInsecureRequests: true,
    ...overrides,
  });
}

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ body: new URLSearchParams(body), authorization: request.headers.authorization });
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
  it('builds the authorize URL with fresh state, nonce, an S256 challenge of a fresh verifier and prompt=login', async () => {
    const [one, two] = [await endpoint().startAuthorization(), await endpoint().startAuthorization()];
    expect(one.state).not.toBe(two.state);
    const url = new URL(one.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${baseUrl}/oauth2/authorize`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: TEST_CLIENT_ID,
      redirect_uri: 'https://app.example.com/',
      response_type: 'code',
      scope: 'openid email profile',
      state: one.state,
      nonce: one.nonce,
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
      // Every sign-in asks for the password: a managed-login cookie never mints a session (docs/sessions.md).
      prompt: 'login',
    });
    expect(one.authorizeUrl).not.toContain(one.codeVerifier);
  });

  it('exchanges a code with PKCE and client_secret_basic, checking state and nonce', async () => {
    next = replay(recorded.authorizationCode, { ...fresh, id_token: idToken({ nonce: EXPECTED.nonce }) });
    const result = await endpoint().exchangeCode({
      code: 'the-code',
      state: EXPECTED.state,
      expected: EXPECTED,
    });
    expect(result).toEqual({
      ok: true,
      tokens: {
        accessToken: 'access-1',
        idToken: expect.any(String),
        refreshToken: 'refresh-2',
        expiresIn: 900,
      },
    });
    const [sent] = received;
    expect(sent?.authorization).toBe(BASIC);
    expect(Object.fromEntries(sent.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      code_verifier: 'v'.repeat(43),
      redirect_uri: 'https://app.example.com/',
    });
  });

  it('refuses a code whose state is not the expected one, without a request', async () => {
    const result = await endpoint().exchangeCode({ code: 'c', state: 'x'.repeat(43), expected: EXPECTED });
    expect(result).toEqual({ ok: false, error: 'invalid_state' });
    expect(received).toHaveLength(0);
  });

  it('rejects an ID token without the expected nonce (UpstreamError)', async () => {
    next = replay(recorded.authorizationCode, { ...fresh, id_token: idToken({ nonce: 'other' }) });
    await expect(
      endpoint().exchangeCode({ code: 'c', state: EXPECTED.state, expected: EXPECTED }),
    ).rejects.toThrow(UpstreamError);
  });

  it('returns the rotated refresh token of a refresh grant', async () => {
    next = replay(recorded.refreshWithRotation, fresh);
    const result = await endpoint().refresh('refresh-1');
    expect(result).toMatchObject({
      ok: true,
      tokens: { accessToken: 'access-1', refreshToken: 'refresh-2' },
    });
    expect(received[0]?.authorization).toBe(BASIC);
    expect(Object.fromEntries(received[0].body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
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
        : await endpoint().exchangeCode({ code: 'c', state: EXPECTED.state, expected: EXPECTED });
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
