// A browser-like client of the offline stack: managed-login form with PKCE, POST /auth/session, cookie jar, CSRF header.
import { createHash, randomBytes } from 'node:crypto';
import type { StackOutputs } from '../../local/stack';

export interface DemoCredentials {
  readonly username: string;
  readonly password: string;
}

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One signed-in browser tab: the access token it keeps in memory and its refresh cookie. */
export class BrowserClient {
  readonly cookies = new Map<string, string>();
  accessToken = '';

  constructor(private readonly stack: StackOutputs) {}

  async call(
    method: string,
    path: string,
    options: { bearer?: boolean; body?: unknown } = {},
  ): Promise<Answer> {
    const headers = new Headers({ Origin: this.stack.apiUrl, 'X-CognitoGuard-CSRF': '1' });
    if (options.bearer ?? true) headers.set('Authorization', `Bearer ${this.accessToken}`);
    if (this.cookies.size) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    if (options.body) headers.set('Content-Type', 'application/json');
    const response = await fetch(`${this.stack.apiUrl}${path}`, {
      method,
      headers,
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      if (/Max-Age=0\b/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(name.length + 1));
    }
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  /** Managed login (cognito-local's form, PKCE S256), then the code goes to POST /auth/session. */
  async signIn(user: DemoCredentials): Promise<void> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authorize = new URL(`${this.stack.hostedUiUrl}/oauth2/authorize`);
    authorize.search = new URLSearchParams({
      client_id: this.stack.clientId,
      redirect_uri: this.stack.redirectUri,
      response_type: 'code',
      scope: 'openid email profile',
      state: randomBytes(16).toString('base64url'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    const page = await (await fetch(authorize)).text();
    const fields = new URLSearchParams(
      [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
        m[1],
        m[2].replace(/&amp;/g, '&'),
      ]),
    );
    fields.set('username', user.username);
    fields.set('password', user.password);
    const submitted = await fetch(`${authorize.origin}/oauth2/authorize`, {
      method: 'POST',
      body: fields,
      redirect: 'manual',
    });
    const code = new URL(submitted.headers.get('location') ?? 'x:').searchParams.get('code');
    if (!code) throw new Error(`no authorization code for ${user.username}: ${submitted.status}`);
    const answer = await this.call('POST', '/auth/session', {
      bearer: false,
      body: { code, codeVerifier: verifier, redirectUri: this.stack.redirectUri },
    });
    if (answer.status !== 200) throw new Error(`sign-in failed: ${JSON.stringify(answer.body)}`);
    this.accessToken = answer.body.accessToken as string;
  }
}
