// The refresh cookie: attributes, round trip, and defensive parsing of whatever a client sends.

import { clearedRefreshCookie, parseRefreshCookie, refreshCookie } from '../../lambdas/sessions/cookie';

const value = {
  sessionId: '0f5c2a4e-1b2c-4d5e-8f90-123456789abc',
  refreshToken: 'eyJjdHkiOiJKV1QifQ.aGVs.bG8.d29y.bGQ',
};

describe('refresh cookie', () => {
  it('carries the session id and refresh token with __Host- attributes', () => {
    expect(refreshCookie(value, 604800)).toBe(
      `__Host-cg_refresh=${value.sessionId}:${value.refreshToken}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Strict`,
    );
  });

  it('clears with Max-Age=0 and the same attributes', () => {
    expect(clearedRefreshCookie()).toBe(
      '__Host-cg_refresh=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('never sets a negative or fractional Max-Age', () => {
    expect(refreshCookie(value, -5)).toContain('Max-Age=0;');
    expect(refreshCookie(value, 12.9)).toContain('Max-Age=12;');
  });

  it('refuses to build a cookie from a value that could inject attributes', () => {
    expect(() => refreshCookie({ ...value, refreshToken: 'a; Domain=evil.example' }, 60)).toThrow();
    expect(() => refreshCookie({ ...value, sessionId: 'a:b' }, 60)).toThrow();
  });

  it('parses what it built, among other cookies', () => {
    const pair = refreshCookie(value, 60).split(';')[0];
    expect(parseRefreshCookie([`theme=dark; ${pair}; lang=en`])).toEqual({ kind: 'present', ...value });
  });

  it('finds the cookie in any of several Cookie headers', () => {
    expect(
      parseRefreshCookie(['theme=dark', `__Host-cg_refresh=${value.sessionId}:${value.refreshToken}`]),
    ).toEqual({
      kind: 'present',
      ...value,
    });
  });

  it.each<[string, string[]]>([
    ['no Cookie header', []],
    ['other cookies only', ['theme=dark; cg_refresh=x:y']],
    ['a similar name', ['__Host-cg_refresh2=abc:def']],
  ])('reports absent for %s', (_case, headers) => {
    expect(parseRefreshCookie(headers)).toEqual({ kind: 'absent' });
  });

  it.each<[string, string]>([
    ['two refresh cookies', `__Host-cg_refresh=a:b; __Host-cg_refresh=c:d`],
    ['no separator', '__Host-cg_refresh=abcdef'],
    ['empty session id', '__Host-cg_refresh=:token'],
    ['empty token', '__Host-cg_refresh=session:'],
    ['a quoted value', '__Host-cg_refresh="session:token"'],
    ['an empty value', '__Host-cg_refresh='],
    ['a token with odd characters', '__Host-cg_refresh=session:tok<script>en'],
    ['an overlong session id', `__Host-cg_refresh=${'s'.repeat(129)}:token`],
    ['an overlong token', `__Host-cg_refresh=session:${'t'.repeat(8193)}`],
  ])('rejects %s as malformed', (_case, header) => {
    expect(parseRefreshCookie([header])).toEqual({ kind: 'malformed' });
  });
});
