// Test helper: a browser-like client of the offline stack that remembers every secret it handled (for log greps).
import { REFRESH_COOKIE } from '../../lambdas/sessions/cookie';
import type { DemoUser } from '../../local/seed';
import type { StackOutputs } from '../../local/stack';
import type { DeviceKey } from './dpop';
import { proofFor } from './dpop';
import { decodePayload } from './mint-token';
import { loginForm } from './sign-in';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The answer's Set-Cookie lines, as sent. */
  readonly setCookies: string[];
}

/** One browser: cookie jar, in-memory access token, Origin; `secrets` collects every credential it saw. */
export class BrowserSession {
  readonly cookies = new Map<string, string>();
  readonly secrets = new Set<string>();
  accessToken = '';
  origin: string;
  /** Sent as `User-Agent` when set (the device a session record shows). */
  userAgent?: string;
  /** The device key: every call then carries a fresh `DPoP` proof by it, as the page's calls do. */
  device?: DeviceKey;

  constructor(private readonly stack: StackOutputs) {
    this.origin = stack.appUrl;
  }

  /** As the demo page does: POST /auth/login, the login form, then POST /auth/session { code, state }. */
  async signIn(user: DemoUser): Promise<Answer> {
    const { code, state } = await this.authorize(user);
    const answer = await this.completeSignIn({ code, state });
    if (answer.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(answer.body)}`);
    this.accessToken = answer.body.accessToken as string;
    this.secrets.add(this.accessToken).add(answer.body.idToken as string);
    return answer;
  }

  /** POST /auth/login (the login cookie lands in the jar), then the login form: the callback's code and state. */
  async authorize(user: DemoUser): Promise<{ code: string; state: string }> {
    const started = await this.call('POST', '/auth/login', { bearer: false });
    if (started.status !== 200) throw new Error(`login failed: ${JSON.stringify(started.body)}`);
    const callback = await loginForm(this.stack, started.body.authorizeUrl as string, user);
    const code = callback.searchParams.get('code') ?? '';
    const state = callback.searchParams.get('state') ?? '';
    this.secrets.add(code);
    return { code, state };
  }

  /** POST /auth/session { code, state } with this browser's cookies. */
  async completeSignIn(body: { code: string; state: string }): Promise<Answer> {
    const answer = await this.call('POST', '/auth/session', { body, bearer: false });
    if (answer.status === 200) this.accessToken = answer.body.accessToken as string;
    return answer;
  }

  async refresh(options: { csrf?: boolean } = {}): Promise<Answer> {
    const answer = await this.call('POST', '/auth/refresh', { ...options, bearer: false });
    if (answer.status === 200) this.accessToken = answer.body.accessToken as string;
    return answer;
  }

  /** A request as the page makes it; `bearer` sends the access token, `authorization` any header value. */
  async call(
    method: string,
    path: string,
    options: { csrf?: boolean; body?: unknown; bearer?: boolean; authorization?: string } = {},
  ): Promise<Answer> {
    const headers = new Headers({ Origin: this.origin });
    if (options.csrf ?? true) headers.set('X-CognitoGuard-CSRF', '1');
    if (this.userAgent) headers.set('User-Agent', this.userAgent);
    const authorization =
      options.authorization ?? ((options.bearer ?? true) ? `Bearer ${this.accessToken}` : undefined);
    if (authorization) headers.set('Authorization', authorization);
    if (this.device) {
      const accessToken = authorization?.split(' ')[1];
      const url = `${this.stack.apiUrl}${path}`;
      headers.set(
        'DPoP',
        await proofFor(this.device, { method, url, ...(accessToken ? { accessToken } : {}) }),
      );
    }
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (options.body) headers.set('Content-Type', 'application/json');
    for (const value of [authorization, headers.get('Cookie'), ...this.cookies.values()])
      if (value) this.secrets.add(value);
    const response = await fetch(`${this.stack.apiUrl}${path}`, {
      method,
      headers,
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(name.length + 1);
      if (/Max-Age=0\b/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
      if (value) this.secrets.add(value); // sealed: the refresh token inside is never seen in clear
    }
    const body = (await response.json()) as Record<string, unknown>;
    for (const key of ['accessToken', 'idToken']) {
      const value = body[key];
      if (typeof value === 'string') this.secrets.add(value);
    }
    return { status: response.status, body, setCookies };
  }

  me(): Promise<Answer> {
    return this.call('GET', '/me');
  }

  get refreshCookie(): string {
    return this.cookies.get(REFRESH_COOKIE) ?? '';
  }

  /** The sign-in session of the current access token (`origin_jti`). */
  get sessionId(): string {
    return decodePayload(this.accessToken).origin_jti as string;
  }

  /** The user id in the current access token. */
  get sub(): string {
    return decodePayload(this.accessToken).sub as string;
  }
}
