// Test helper: sign in through cognito-local's login form over real HTTP, as a browser with PKCE would.
import type { AuthorizationServer, Client } from 'oauth4webapi' with { 'resolution-mode': 'import' };
import type { StackOutputs } from '../../local/stack';

export interface Tokens {
  readonly accessToken: string;
  readonly idToken: string;
  readonly refreshToken: string;
}

/** Authorization code + PKCE (S256) through `/oauth2/authorize` (form) and `/oauth2/token`, checked by oauth4webapi. */
export async function signIn(stack: StackOutputs, username: string, password: string): Promise<Tokens> {
  const oauth = await import('oauth4webapi'); // ESM only
  const as: AuthorizationServer = {
    issuer: `https://cognito-idp.${stack.region}.amazonaws.com/${stack.userPoolId}`,
    authorization_endpoint: `${stack.hostedUiUrl}/oauth2/authorize`,
    token_endpoint: stack.tokenEndpoint,
  };
  const client: Client = { client_id: stack.clientId };
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
  fields.set('username', username);
  fields.set('password', password);
  const submitted = await fetch(authorize.origin + '/oauth2/authorize', {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || !location)
    throw new Error(`sign-in of ${username} failed: ${submitted.status}`);
  const callback = new URL(location);
  if (callback.origin + callback.pathname !== stack.redirectUri)
    throw new Error(`unexpected redirect ${callback.origin}`);

  const params = oauth.validateAuthResponse(as, client, callback, state);
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
