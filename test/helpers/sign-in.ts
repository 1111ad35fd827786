// Test helper: sign in through the offline Cognito's login form over real HTTP, as a browser (via the auth function)
// or as the confidential client itself (PKCE + client secret) would.
import type { AuthorizationServer, Client } from 'oauth4webapi' with { 'resolution-mode': 'import' };
import { WEB_CLIENT_SCOPES } from '../../lambdas/shared/oauth-scopes';
import type { DemoUser } from '../../local/seed';
import type { OfflineStack, StackOutputs } from '../../local/stack';
import { LOCAL_SECRETS } from '../../local/stack';

export interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
}

/** One of the seeded demo users by the local part of its email (`alice`, `bob`, `admin`). */
export function demoUser(stack: StackOutputs, name: 'alice' | 'bob' | 'admin'): DemoUser {
  return stack.users.find((u) => u.username.startsWith(`${name}@`))!;
}

/** The web client's secret, read from the offline Secrets Manager as the auth function reads it. */
export async function clientSecret(stack: Pick<OfflineStack, 'secrets'>): Promise<string> {
  const secret = await stack.secrets.current(LOCAL_SECRETS.clientSecret);
  if (!secret) throw new Error('the offline stack holds no client secret');
  return secret;
}

/**
 * Authorization code + PKCE (S256) through `/oauth2/authorize` (form) and `/oauth2/token` with the client secret,
 * checked by oauth4webapi: what the auth function does, for tests that need raw tokens (`scope`: what the page asks).
 */
export async function signIn(
  stack: Pick<OfflineStack, 'outputs' | 'secrets'>,
  username: string,
  password: string,
  scope: readonly string[] = WEB_CLIENT_SCOPES,
): Promise<Tokens> {
  const oauth = await import('oauth4webapi'); // ESM only
  const { as, client } = authorizationServer(stack.outputs);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const authorize = new URL(as.authorization_endpoint!);
  authorize.search = new URLSearchParams({
    client_id: stack.outputs.clientId,
    redirect_uri: stack.outputs.redirectUri,
    response_type: 'code',
    scope: scope.join(' '),
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await loginForm(stack.outputs, authorize.toString(), { username, password });
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.ClientSecretBasic(await clientSecret(stack)),
    params,
    stack.outputs.redirectUri,
    codeVerifier,
    { [oauth.allowInsecureRequests]: true }, // the offline Cognito speaks http on 127.0.0.1
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  if (!result.id_token || !result.refresh_token)
    throw new Error('token response without id or refresh token');
  return { accessToken: result.access_token, idToken: result.id_token, refreshToken: result.refresh_token };
}

/** The issuer and endpoints of the offline pool, and the web client, as oauth4webapi wants them. */
export function authorizationServer(stack: StackOutputs): { as: AuthorizationServer; client: Client } {
  return {
    as: {
      issuer: `https://cognito-idp.${stack.region}.amazonaws.com/${stack.userPoolId}`,
      authorization_endpoint: `${stack.hostedUiUrl}/oauth2/authorize`,
      token_endpoint: stack.tokenEndpoint,
    },
    client: { client_id: stack.clientId },
  };
}

/**
 * Opens `authorizeUrl` (the login form), submits `user`'s credentials, returns the callback URL (code, state).
 * `onSubmitted` sees the form post's answer (e.g. the managed-login session cookie it sets).
 */
export async function loginForm(
  stack: StackOutputs,
  authorizeUrl: string,
  user: { username: string; password: string },
  onSubmitted?: (response: Response) => void,
): Promise<URL> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${await page.text()}`);
  const fields = new URLSearchParams(hiddenFields(await page.text()));
  fields.set('username', user.username);
  fields.set('password', user.password);
  const submitted = await fetch(new URL(authorizeUrl).origin + '/oauth2/authorize', {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
  onSubmitted?.(submitted);
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location)
    throw new Error(`sign-in of ${user.username} failed: ${submitted.status}`);
  const callback = new URL(location);
  if (callback.origin + callback.pathname !== stack.redirectUri)
    throw new Error(`unexpected redirect ${callback.origin}`);
  return callback;
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
