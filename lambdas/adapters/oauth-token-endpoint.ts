// TokenEndpoint adapter over oauth4webapi: Cognito's /oauth2/token for a public client (PKCE), errors translated here.

import type * as OAuth from 'oauth4webapi' with { 'resolution-mode': 'import' };
import type { GrantResult, TokenEndpoint } from '../sessions/ports';
import { UpstreamError } from '../sessions/ports';

export interface OAuthTokenEndpointConfig {
  /** Base URL of the user pool domain (managed login), e.g. `https://<prefix>.auth.<region>.amazoncognito.com`. */
  readonly domainUrl: string;
  /** Issuer of the pool's ID tokens: `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  readonly issuer: string;
  readonly clientId: string;
  /** Allow http:// (the offline emulator only; the config loader refuses it for any other host). @default false */
  readonly allowInsecureRequests?: boolean;
  /** Request timeout. @default 3000 ms */
  readonly timeoutMs?: number;
}

type OAuthLibrary = typeof OAuth;
let library: Promise<OAuthLibrary> | undefined;
/** oauth4webapi ships ESM only: loaded once with a dynamic import (bundled by esbuild, transformed by Jest). */
const loadOAuth = (): Promise<OAuthLibrary> => (library ??= import('oauth4webapi'));

/** Talks to the token endpoint of one user-pool domain as one public app client. Create once per process. */
export class OAuthTokenEndpoint implements TokenEndpoint {
  private readonly as: OAuth.AuthorizationServer;
  private readonly client: OAuth.Client;

  constructor(private readonly config: OAuthTokenEndpointConfig) {
    const base = config.domainUrl.replace(/\/+$/, '');
    this.as = { issuer: config.issuer, token_endpoint: `${base}/oauth2/token` };
    this.client = { client_id: config.clientId };
  }

  async exchangeCode(grant: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<GrantResult> {
    return this.grant(async (oauth) => {
      // The page checked `state` before posting the code; the code still goes through the library's validation.
      const params = oauth.validateAuthResponse(
        this.as,
        this.client,
        new URLSearchParams({ code: grant.code }),
        oauth.skipStateCheck,
      );
      const response = await oauth.authorizationCodeGrantRequest(
        this.as,
        this.client,
        oauth.None(), // public client: no secret, PKCE instead
        params,
        grant.redirectUri,
        grant.codeVerifier,
        this.options(oauth),
      );
      return oauth.processAuthorizationCodeResponse(this.as, this.client, response);
    });
  }

  async refresh(refreshToken: string): Promise<GrantResult> {
    return this.grant(async (oauth) => {
      const response = await oauth.refreshTokenGrantRequest(
        this.as,
        this.client,
        oauth.None(),
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

  /** OAuth error bodies become values; anything else (network, bad JSON, ID token claims) is an UpstreamError. */
  private async grant(
    call: (oauth: OAuthLibrary) => Promise<OAuth.TokenEndpointResponse>,
  ): Promise<GrantResult> {
    const oauth = await loadOAuth();
    let body: OAuth.TokenEndpointResponse;
    try {
      body = await call(oauth);
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
