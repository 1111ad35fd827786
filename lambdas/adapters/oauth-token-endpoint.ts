// TokenEndpoint adapter over oauth4webapi: Cognito's /oauth2/authorize URL and /oauth2/token for the confidential
// web client (client_secret_basic + PKCE + state + nonce), errors translated here.

import type * as OAuth from 'oauth4webapi' with { 'resolution-mode': 'import' };
import type { AuthorizationStart, GrantResult, TokenEndpoint } from '../sessions/ports';
import { UpstreamError } from '../sessions/ports';
import type { SecretSource } from './secrets-manager-secret';

export interface OAuthTokenEndpointConfig {
  /** Base URL of the user pool domain (managed login), e.g. `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly domainUrl: string;
  /** Issuer of the pool's ID tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;
  readonly clientId: string;
  /** The app client's secret, read when first needed (never from the environment). */
  readonly clientSecret: SecretSource;
  /** Where managed login sends the browser back with `code` and `state` (the page). */
  readonly redirectUri: string;
  /** Scopes the authorize URL asks for: what the API needs. */
  readonly scopes: readonly string[];
  /** Allow http:// (the offline emulator only; the config loader refuses it for any other host). @default false */
  readonly allowInsecureRequests?: boolean;
  /** Request timeout. @default 3000 ms */
  readonly timeoutMs?: number;
}

type OAuthLibrary = typeof OAuth;
let library: Promise<OAuthLibrary> | undefined;
/** oauth4webapi ships ESM only: loaded once with a dynamic import (bundled by esbuild, transformed by Jest). */
const loadOAuth = (): Promise<OAuthLibrary> => (library ??= import('oauth4webapi'));

/** Talks to one user-pool domain as one confidential app client. Create once per process. */
export class OAuthTokenEndpoint implements TokenEndpoint {
  private readonly as: OAuth.AuthorizationServer;
  private readonly client: OAuth.Client;

  constructor(private readonly config: OAuthTokenEndpointConfig) {
    const base = config.domainUrl.replace(/\/+$/, '');
    this.as = {
      issuer: config.issuer,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
    };
    this.client = { client_id: config.clientId };
  }

  async startAuthorization(): Promise<AuthorizationStart> {
    const oauth = await loadOAuth();
    const [state, nonce, codeVerifier] = [
      oauth.generateRandomState(),
      oauth.generateRandomNonce(),
      oauth.generateRandomCodeVerifier(),
    ];
    const url = new URL(this.as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      response_type: 'code',
      scope: this.config.scopes.join(' '),
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      // OIDC `prompt=login` on every sign-in: managed login asks for credentials even within its own session
      // cookie's hour, which AdminUserGlobalSignOut does not end (docs/sessions.md). Essentials plan, managed login:
      // https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
      prompt: 'login',
    }).toString();
    return { authorizeUrl: url.toString(), state, nonce, codeVerifier };
  }

  async exchangeCode(grant: {
    code: string;
    state: string;
    expected: Pick<AuthorizationStart, 'state' | 'nonce' | 'codeVerifier'>;
  }): Promise<GrantResult> {
    const oauth = await loadOAuth();
    let params: URLSearchParams;
    try {
      // `state` must be the one sealed in this browser's login cookie: another one is refused before any request.
      params = oauth.validateAuthResponse(
        this.as,
        this.client,
        new URLSearchParams({ code: grant.code, state: grant.state }),
        grant.expected.state,
      );
    } catch (error) {
      if (error instanceof oauth.OperationProcessingError) return { ok: false, error: 'invalid_state' };
      throw error;
    }
    return this.grant(async (_, auth) => {
      const response = await oauth.authorizationCodeGrantRequest(
        this.as,
        this.client,
        auth,
        params,
        this.config.redirectUri,
        grant.expected.codeVerifier,
        this.options(oauth),
      );
      return oauth.processAuthorizationCodeResponse(this.as, this.client, response, {
        expectedNonce: grant.expected.nonce,
      });
    });
  }

  async refresh(refreshToken: string): Promise<GrantResult> {
    return this.grant(async (oauth, auth) => {
      const response = await oauth.refreshTokenGrantRequest(
        this.as,
        this.client,
        auth,
        refreshToken,
        this.options(oauth),
      );
      return oauth.processRefreshTokenResponse(this.as, this.client, response);
    });
  }

  private options(oauth: OAuthLibrary): OAuth.TokenEndpointRequestOptions {
    return {
      signal: AbortSignal.timeout(this.config.timeoutMs ?? 3000),
      ...(this.config.allowInsecureRequests ? { [oauth.allowInsecureRequests]: true } : {}),
    };
  }

  /**
   * OAuth error bodies become values; anything else (network, bad JSON, ID token claims such as a wrong nonce) is
   * an UpstreamError. The client authenticates with client_secret_basic (the token endpoint's Basic header).
   */
  private async grant(
    call: (oauth: OAuthLibrary, auth: OAuth.ClientAuth) => Promise<OAuth.TokenEndpointResponse>,
  ): Promise<GrantResult> {
    const oauth = await loadOAuth();
    const auth = oauth.ClientSecretBasic(await this.config.clientSecret.current());
    let body: OAuth.TokenEndpointResponse;
    try {
      body = await call(oauth, auth);
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError) return { ok: false, error: error.error };
      // Never pass the library's `cause` on: it can hold the response body or ID token claims.
      throw new UpstreamError(`token endpoint: ${(error as Error).message}`);
    }
    if (typeof body.expires_in !== 'number') throw new UpstreamError('token endpoint: no expires_in');
    return {
      ok: true,
      tokens: {
        accessToken: body.access_token,
        ...(body.id_token ? { idToken: body.id_token } : {}),
        ...(body.refresh_token ? { refreshToken: body.refresh_token } : {}),
        expiresIn: body.expires_in,
      },
    };
  }
}
