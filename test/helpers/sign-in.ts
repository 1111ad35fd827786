// Test helper: sign in through cognito-local's login form over real HTTP, as a browser with PKCE would.
import type { AuthorizationServer, Client } from 'oauth4webapi' with { 'resolution-mode': 'import' };
import type { DemoUser } from '../../local/seed';
import type { StackOutputs } from '../../local/stack';

export interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
}

/** What the page would POST to /auth/session (with its redirect URI). */
export interface AuthorizationCode {
  readonly code: string;
  readonly codeVerifier: string;
}

/** One of the seeded demo users by the local part of its email (`alice`, `bob`, `admin`). */
export function demoUser(stack: StackOutputs, name: 'alice' | 'bob' | 'admin'): DemoUser {
  return stack.users.find((u) => u.username.startsWith(`${name}@`))!;
}

/** Authorization code + PKCE (S256) through `/oauth2/authorize` (form) and `/oauth2/token`, checked by oauth4webapi. */
export async function signIn(stack: StackOutputs, username: string, password: string): Promise<Tokens> {
  const oauth = await import('oauth4webapi'); // ESM only
  const { as, client } = authorizationServer(stack);
  const { params, codeVerifier } = await authorize(stack, { username, password });
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    stack.redirectUri,
    codeVerifier,
    {
      [oauth.allowInsecureRequests]: true, // cognito-local speaks http on 127.0.0.1
    },
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  if (!result.id_token || !result.refresh_token)
    throw new Error('token response without id or refresh token');
  return { accessToken: result.access_token, idToken: result.id_token, refreshToken: result.refresh_token };
}

/** Managed login through cognito-local's form (PKCE S256), stopping at the authorization code (the page would POST it). */
export async function authorizationCode(
  stack: StackOutputs,
  user: { username: string; password: string },
): Promise<AuthorizationCode> {
  const { params, codeVerifier } = await authorize(stack, user);
  return { code: params.get('code')!, codeVerifier };
}

function authorizationServer(stack: StackOutputs): { as: AuthorizationServer; client: Client } {
  return {
    as: {
      issuer: `https://cognito-idp.${stack.region}.amazonaws.com/${stack.userPoolId}`,
      authorization_endpoint: `${stack.hostedUiUrl}/oauth2/authorize`,
      token_endpoint: stack.tokenEndpoint,
    },
    client: { client_id: stack.clientId },
  };
}

/** The login form for `user`; the callback's parameters as validated by oauth4webapi (state, no error, a code). */
async function authorize(
  stack: StackOutputs,
  user: { username: string; password: string },
): Promise<{ params: URLSearchParams; codeVerifier: string }> {
  const oauth = await import('oauth4webapi'); // ESM only
  const { as, client } = authorizationServer(stack);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorize = new URL(as.authorization_endpoint!);
  authorize.search = new URLSearchParams({
    client_id: stack.clientId,
    redirect_uri: stack.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();

  const page = await fetch(authorize);
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${await page.text()}`);
  const fields = new URLSearchParams(hiddenFields(await page.text()));
  fields.set('username', user.username);
  fields.set('password', user.password);
  const submitted = await fetch(authorize.origin + '/oauth2/authorize', {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location)
    throw new Error(`sign-in of ${user.username} failed: ${submitted.status}`);
  const callback = new URL(location);
  if (callback.origin + callback.pathname !== stack.redirectUri)
    throw new Error(`unexpected redirect ${callback.origin}`);

  const params = oauth.validateAuthResponse(as, client, callback, state);
  if (!params.get('code')) throw new Error(`no code for ${user.username}: ${submitted.status}`);
  return { params, codeVerifier };
}

function hiddenFields(html: string): [string, string][] {
  const decode = (value: string) =>
    value
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  return [...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
    m[1],
    decode(m[2]),
  ]);
}
