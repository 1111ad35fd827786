// The $connect handshake checks: Origin allowlist, query-string tokens refused, token taken from the subprotocols.

import type { HandshakeRequest } from '../../lambdas/authorizer/websocket-handshake';
import { checkHandshake } from '../../lambdas/authorizer/websocket-handshake';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const base: HandshakeRequest = {
  protocols: `cognito-guard.v1, bearer.${TOKEN}`,
  origin: 'https://app.example.com',
  query: null,
  allowedOrigins: ['https://app.example.com'],
};

describe('checkHandshake', () => {
  it('takes the token from the bearer subprotocol', () => {
    expect(checkHandshake(base)).toEqual({ ok: true, token: TOKEN });
  });

  it('accepts a client that sends no Origin (not a browser)', () => {
    expect(checkHandshake({ ...base, origin: undefined })).toEqual({ ok: true, token: TOKEN });
  });

  it('accepts unrelated query parameters', () => {
    expect(checkHandshake({ ...base, query: { room: 'r1', v: '1.2.3' } })).toMatchObject({ ok: true });
  });

  it.each<[string, Partial<HandshakeRequest>, string, RegExp]>([
    ['a foreign Origin', { origin: 'https://evil.example' }, 'ERR_ORIGIN', /Origin/],
    ['a repeated Origin', { origin: null }, 'ERR_ORIGIN', /more than once/],
    [
      'a token in the query string',
      { query: { access_token: TOKEN } },
      'ERR_TOKEN_MALFORMED',
      /query string/,
    ],
    ['a JWT under any query name', { query: { x: TOKEN } }, 'ERR_TOKEN_MALFORMED', /query string/],
    [
      'a bearer subprotocol in the query string',
      { query: { p: `bearer.${TOKEN}` } },
      'ERR_TOKEN_MALFORMED',
      /query string/,
    ],
    ['no subprotocol header', { protocols: undefined }, 'ERR_TOKEN_MISSING', /no Sec-WebSocket-Protocol/],
    ['a repeated subprotocol header', { protocols: null }, 'ERR_TOKEN_MALFORMED', /more than once/],
    ['no cognito-guard.v1', { protocols: `bearer.${TOKEN}` }, 'ERR_TOKEN_MALFORMED', /not offered/],
    ['no bearer subprotocol', { protocols: 'cognito-guard.v1' }, 'ERR_TOKEN_MISSING', /bearer/],
    [
      'two bearer subprotocols',
      { protocols: `cognito-guard.v1, bearer.${TOKEN}, bearer.${TOKEN}` },
      'ERR_TOKEN_MALFORMED',
      /more than one/,
    ],
    ['an empty bearer', { protocols: 'cognito-guard.v1, bearer.' }, 'ERR_TOKEN_MALFORMED', /not a token/],
    [
      'an oversized bearer',
      { protocols: `cognito-guard.v1, bearer.${'a'.repeat(9000)}` },
      'ERR_TOKEN_MALFORMED',
      /not a token/,
    ],
  ])('denies %s', (_name, change, reason, detail) => {
    const result = checkHandshake({ ...base, ...change });
    expect(result).toMatchObject({ ok: false, reason });
    expect(result.ok ? '' : result.detail).toMatch(detail);
  });
});
