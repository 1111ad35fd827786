// The session functions' API Gateway adapter: request parts in; response, Set-Cookie, log line and metric out.

import type { APIGatewayProxyEvent } from 'aws-lambda';
import { failure, respond, sessionRequest } from '../../lambdas/sessions/http-adapter';
import { UpstreamError } from '../../lambdas/sessions/ports';
import { createObservability, tokenFingerprint } from '../../lambdas/shared/observability';
import { captureLogs } from '../helpers/capture-logs';

const REFRESH_TOKEN = 'eyJjdHkiOiJKV1QifQ.secret.refresh.token.value';

function event(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    httpMethod: 'POST',
    resource: '/auth/refresh',
    path: '/auth/refresh',
    headers: {},
    multiValueHeaders: {},
    body: null,
    isBase64Encoded: false,
    requestContext: { identity: { sourceIp: '203.0.113.9', userAgent: 'jest' } },
    ...overrides,
  } as APIGatewayProxyEvent;
}

describe('sessionRequest', () => {
  it('collects every Cookie header value, the Origin, the CSRF header and a base64 body', () => {
    const request = sessionRequest(
      event({
        headers: { origin: 'https://app.example.com', 'x-cognitoguard-csrf': '1', Cookie: 'b=2' },
        multiValueHeaders: { Cookie: ['a=1', 'b=2'] },
        body: Buffer.from('{"code":"c"}').toString('base64'),
        isBase64Encoded: true,
      }),
    );
    expect(request).toEqual({
      body: '{"code":"c"}',
      origin: 'https://app.example.com',
      csrfHeader: '1',
      cookies: ['a=1', 'b=2'],
      client: { ip: '203.0.113.9', userAgent: 'jest' },
    });
  });

  it("records the viewer's address CloudFront forwards rather than the edge's, and caps the User-Agent", () => {
    const request = sessionRequest(
      event({
        headers: { 'CloudFront-Viewer-Address': '198.51.100.7:44321', 'User-Agent': 'x'.repeat(300) },
      }),
    );
    expect(request.client).toEqual({ ip: '198.51.100.7', userAgent: 'x'.repeat(256) });
  });

  it('passes the DPoP header on, and two DPoP headers as a value no proof rule accepts', () => {
    expect(sessionRequest(event({ headers: { DPoP: 'a.b.c' } })).dpop).toBe('a.b.c');
    const two = sessionRequest(
      event({ headers: { DPoP: 'a.b.c' }, multiValueHeaders: { DPoP: ['a.b.c', 'd.e.f'] } }),
    );
    expect(two.dpop).toBe('ambiguous');
  });

  it('falls back to the single-value Cookie header', () => {
    expect(sessionRequest(event({ headers: { cookie: 'a=1' }, multiValueHeaders: {} })).cookies).toEqual([
      'a=1',
    ]);
  });
});

describe('respond', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.stop());

  it('logs one auth_denied line with a fingerprint (never the token), emits the reuse metric, clears the cookie', () => {
    const obs = createObservability('auth');
    const response = respond(
      {
        status: 401,
        body: { error: 'ERR_REFRESH_REUSE', message: 'reused' },
        cookies: ['__Host-cg_refresh=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict'],
        denial: { reason: 'ERR_REFRESH_REUSE', sub: 'sub-1', sessionId: 's-1', token: REFRESH_TOKEN },
        reuseDetected: true,
      },
      event(),
      obs,
      { 'Access-Control-Allow-Origin': 'https://app.example.com' },
    );
    expect(response.statusCode).toBe(401);
    expect(response.multiValueHeaders).toEqual({
      'Set-Cookie': ['__Host-cg_refresh=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict'],
    });
    expect(response.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://app.example.com',
      'Cache-Control': 'no-store',
    });
    const denied = logs.lines().filter((line) => line.event === 'auth_denied');
    expect(denied).toEqual([
      expect.objectContaining({
        reason: 'ERR_REFRESH_REUSE',
        route: 'POST /auth/refresh',
        sub: 'sub-1',
        sessionId: 's-1',
        sourceIp: '203.0.113.9',
        tokenFingerprint: tokenFingerprint(REFRESH_TOKEN),
      }),
    ]);
    expect(logs.text()).toContain('RefreshReuseDetected');
    expect(logs.text()).not.toContain('secret.refresh');
  });

  it('sends every Set-Cookie line of the outcome and logs the session event', () => {
    const lines = [
      '__Host-cg_refresh=v1.k.iv.sealed; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Strict',
      '__Host-cg_login=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    ];
    const response = respond(
      {
        status: 200,
        body: { accessToken: 'a' },
        cookies: lines,
        event: { event: 'session_created', sub: 'sub-1', sessionId: 's-1' },
      },
      event(),
      createObservability('auth'),
      {},
    );
    expect(response.multiValueHeaders?.['Set-Cookie']).toEqual(lines);
    expect(logs.lines().find((line) => line.event === 'session_created')).toMatchObject({
      sub: 'sub-1',
      sessionId: 's-1',
    });
    expect(logs.text()).not.toContain('secret.refresh');
  });
});

describe('failure', () => {
  let logs: ReturnType<typeof captureLogs>;
  beforeEach(() => (logs = captureLogs()));
  afterEach(() => logs.stop());

  it('answers 502 ERR_UPSTREAM for Cognito failures', () => {
    const response = failure(new UpstreamError('token endpoint: timeout'), createObservability('auth'), {});
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body)).toEqual({
      error: 'ERR_UPSTREAM',
      message: 'Cognito is unavailable; retry',
    });
  });

  it('answers 503 ERR_STORE_UNAVAILABLE for anything else and logs only the error name and message', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED'), {
      cause: { refresh_token: REFRESH_TOKEN },
    });
    const response = failure(error, createObservability('auth'), {});
    expect(response.statusCode).toBe(503);
    expect(logs.lines().find((line) => line.event === 'session_error')).toMatchObject({
      errorName: 'Error',
      errorMessage: 'connect ECONNREFUSED',
    });
    expect(logs.text()).not.toContain('secret.refresh');
  });
});
