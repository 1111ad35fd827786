// The session cookies: attributes, sealed round trip with the real AES-GCM sealer, defensive parsing of whatever a
// client sends, key rotation.

import { AesGcmCookieSealer } from '../../lambdas/adapters/cookie-sealer';
import type { SecretSource } from '../../lambdas/adapters/secrets-manager-secret';
import {
  clearedCookie,
  LOGIN_COOKIE,
  loginCookie,
  openLoginCookie,
  openRefreshCookie,
  REFRESH_COOKIE,
  refreshCookie,
} from '../../lambdas/sessions/cookie';

const value = {
  sessionId: '0f5c2a4e-1b2c-4d5e-8f90-123456789abc',
  refreshToken: 'eyJjdHkiOiJKV1QifQ.aGVs.bG8.d29y.bGQ',
};
const login = {
  state: 's'.repeat(43),
  nonce: 'n'.repeat(43),
  codeVerifier: 'v'.repeat(43),
  expiresAt: 2_000,
};

/** Key material as Secrets Manager would hold it; `rotate()` makes the current value the previous one. */
class Keys implements SecretSource {
  constructor(
    private currentValue = 'first-key-material-0123456789abcdef',
    private previousValue?: string,
  ) {}
  async current() {
    return this.currentValue;
  }
  async previous() {
    return this.previousValue;
  }
  rotate(next: string) {
    this.previousValue = this.currentValue;
    this.currentValue = next;
  }
}

const pair = (line: string) => line.split(';')[0];

describe('refresh cookie', () => {
  const sealer = new AesGcmCookieSealer(new Keys());

  it('is sealed (v1.<key id>.<iv>.<ciphertext>) with __Host- attributes: the refresh token is not in it', async () => {
    const line = await refreshCookie(sealer, value, 604800);
    expect(line).toMatch(
      /^__Host-cg_refresh=v1\.[\w-]{8}\.[\w-]{16}\.[\w-]+; Max-Age=604800; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(line).not.toContain(value.refreshToken);
    expect(line).not.toContain(value.sessionId);
  });

  it('seals the same value differently every time (random IV)', async () => {
    expect(await refreshCookie(sealer, value, 60)).not.toBe(await refreshCookie(sealer, value, 60));
  });

  it('clears with Max-Age=0 and the same attributes', () => {
    expect(clearedCookie(REFRESH_COOKIE)).toBe(
      '__Host-cg_refresh=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('never sets a negative or fractional Max-Age', async () => {
    expect(await refreshCookie(sealer, value, -5)).toContain('Max-Age=0;');
    expect(await refreshCookie(sealer, value, 12.9)).toContain('Max-Age=12;');
  });

  it('refuses to seal a value that is not a session id and refresh token', async () => {
    await expect(
      refreshCookie(sealer, { ...value, refreshToken: 'a; Domain=evil.example' }, 60),
    ).rejects.toThrow();
    await expect(refreshCookie(sealer, { ...value, sessionId: 'a:b' }, 60)).rejects.toThrow();
  });

  it('opens what it sealed, among other cookies and Cookie headers', async () => {
    const sealed = pair(await refreshCookie(sealer, value, 60));
    expect(await openRefreshCookie(sealer, [`theme=dark; ${sealed}; lang=en`])).toEqual({
      kind: 'present',
      ...value,
    });
    expect(await openRefreshCookie(sealer, ['theme=dark', sealed])).toEqual({ kind: 'present', ...value });
  });

  it.each<[string, string[]]>([
    ['no Cookie header', []],
    ['other cookies only', ['theme=dark; cg_refresh=x:y']],
    ['a similar name', ['__Host-cg_refresh2=abc']],
  ])('reports absent for %s', async (_case, headers) => {
    expect(await openRefreshCookie(sealer, headers)).toEqual({ kind: 'absent' });
  });

  it('rejects tampered, truncated, re-purposed, foreign and doubled cookies as malformed', async () => {
    const sealed = pair(await refreshCookie(sealer, value, 60)).slice(REFRESH_COOKIE.length + 1);
    const [version, keyId, iv, body = ''] = sealed.split('.');
    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const loginValue = pair(await loginCookie(sealer, login)).slice(LOGIN_COOKIE.length + 1);
    const foreign = pair(
      await refreshCookie(new AesGcmCookieSealer(new Keys('another-stack-key-material-xyz-0123')), value, 60),
    );
    for (const candidate of [
      `${version}.${keyId}.${iv}.${flip(body, 5)}`,
      `${version}.${keyId}.${flip(iv ?? '', 2)}.${body}`,
      `${version}.${keyId}.${iv}.${body.slice(0, -3)}`,
      `${version}.${keyId}.${iv}`,
      `v2.${keyId}.${iv}.${body}`,
      `${version}.${keyId}.${iv}.${body}.extra`,
      loginValue,
      foreign.slice(REFRESH_COOKIE.length + 1),
      `${value.sessionId}:${value.refreshToken}`,
      '"quoted"',
      '',
      'x'.repeat(20_000),
    ]) {
      expect(await openRefreshCookie(sealer, [`${REFRESH_COOKIE}=${candidate}`])).toEqual({
        kind: 'malformed',
      });
    }
    expect(
      await openRefreshCookie(sealer, [`${REFRESH_COOKIE}=${sealed}; ${REFRESH_COOKIE}=${sealed}`]),
    ).toEqual({
      kind: 'malformed',
    });
  });
});

describe('key rotation', () => {
  it('opens cookies sealed with the previous key, seals with the new one, and refuses keys older than that', async () => {
    const keys = new Keys();
    const sealer = new AesGcmCookieSealer(keys);
    const beforeRotation = pair(await refreshCookie(sealer, value, 60));
    keys.rotate('second-key-material-0123456789abcdef');
    expect(await openRefreshCookie(sealer, [beforeRotation])).toEqual({ kind: 'present', ...value });
    const afterRotation = pair(await refreshCookie(sealer, value, 60));
    expect(afterRotation.split('.')[1]).not.toBe(beforeRotation.split('.')[1]); // a new key id
    keys.rotate('third-key-material-0123456789abcdefg');
    expect(await openRefreshCookie(sealer, [afterRotation])).toEqual({ kind: 'present', ...value });
    expect(await openRefreshCookie(sealer, [beforeRotation])).toEqual({ kind: 'malformed' });
  });
});

describe('login cookie', () => {
  const sealer = new AesGcmCookieSealer(new Keys());

  it('lives 10 minutes and opens until it expires', async () => {
    const line = await loginCookie(sealer, login);
    expect(line).toMatch(
      /^__Host-cg_login=v1\.[\w.-]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
    );
    expect(await openLoginCookie(sealer, [pair(line)], 1_999)).toEqual(login);
    expect(await openLoginCookie(sealer, [pair(line)], 2_000)).toBeUndefined();
  });

  it('refuses a refresh cookie value in the login cookie', async () => {
    const sealed = pair(await refreshCookie(sealer, value, 60)).slice(REFRESH_COOKIE.length + 1);
    expect(await openLoginCookie(sealer, [`${LOGIN_COOKIE}=${sealed}`], 0)).toBeUndefined();
  });
});
