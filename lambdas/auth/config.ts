// Auth function configuration, read once at cold start; fails fast with a ConfigError.

import type { Env } from '../shared/config';
import { booleanEnv, ConfigError, integerEnv, optionalEnv, requireEnv } from '../shared/config';
import type { SessionsConfig } from '../sessions/config';
import { loadSessionsConfig } from '../sessions/config';
import { dpopModeEnv, replayGuardKind } from '../authorizer/config';
import type { DpopMode, ReplayGuardKind } from '../shared/dpop';
import { WEB_CLIENT_SCOPES } from '../shared/oauth-scopes';
import { AuthEnv } from './env';

export interface AuthConfig extends SessionsConfig {
  /** User-pool domain base URL, no trailing slash. */
  readonly cognitoDomainUrl: string;
  /** Issuer of the pool's tokens (checked on ID tokens by the OAuth client). */
  readonly issuer: string;
  readonly allowInsecureTokenEndpoint: boolean;
  /** Managed login `/logout?client_id=..&logout_uri=..`. */
  readonly logoutUrl: string;
  readonly rotationGraceSeconds: number;
  readonly requireSessionId: boolean;
  readonly jwksUri?: string;
  readonly clientSecretId: string;
  readonly cookieKeySecretId: string;
  readonly redirectUri: string;
  /** What the authorize URL asks for. */
  readonly scopes: readonly string[];
  /** Device binding of sessions (docs/device-binding.md). */
  readonly dpopMode: DpopMode;
  /** Where the proof ids of session routes are remembered. */
  readonly dpopReplayGuard: ReplayGuardKind;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function loadAuthConfig(env: Env): AuthConfig {
  const base = loadSessionsConfig(env, AuthEnv);
  const allowInsecureTokenEndpoint = booleanEnv(env, AuthEnv.allowInsecureTokenEndpoint, false);
  const cognitoDomainUrl = domainUrl(requireEnv(env, AuthEnv.cognitoDomainUrl), allowInsecureTokenEndpoint);
  const logoutUrl = new URL(`${cognitoDomainUrl}/logout`);
  logoutUrl.searchParams.set('client_id', base.clientId);
  logoutUrl.searchParams.set('logout_uri', requireEnv(env, AuthEnv.logoutRedirectUri));
  const jwksUri = optionalEnv(env, AuthEnv.jwksUri);
  return {
    ...base,
    cognitoDomainUrl,
    issuer: `https://cognito-idp.${base.region}.amazonaws.com/${base.userPoolId}`,
    allowInsecureTokenEndpoint,
    logoutUrl: logoutUrl.toString(),
    // Cognito allows 0-60 s; 10 s is the UserPool construct's default.
    rotationGraceSeconds: integerEnv(env, AuthEnv.rotationGraceSeconds, 10, { min: 0, max: 60 }),
    requireSessionId: booleanEnv(env, AuthEnv.requireSessionId, true),
    ...(jwksUri ? { jwksUri } : {}),
    clientSecretId: requireEnv(env, AuthEnv.clientSecretId),
    cookieKeySecretId: requireEnv(env, AuthEnv.cookieKeySecretId),
    redirectUri: requireEnv(env, AuthEnv.redirectUri),
    scopes: WEB_CLIENT_SCOPES,
    dpopMode: dpopModeEnv(env),
    dpopReplayGuard: replayGuardKind(env),
  };
}

/** https, or http on a loopback host when explicitly allowed (the offline emulator); the flag is refused elsewhere. */
function domainUrl(raw: string, allowInsecure: boolean): string {
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  const secure = url?.protocol === 'https:' && !allowInsecure;
  const offline = url?.protocol === 'http:' && LOOPBACK.has(url.hostname) && allowInsecure;
  if (!secure && !offline) {
    throw new ConfigError(
      `${AuthEnv.cognitoDomainUrl} must be an https URL (http only on 127.0.0.1 or localhost, with ${AuthEnv.allowInsecureTokenEndpoint}=true)`,
    );
  }
  return raw.replace(/\/+$/, '');
}
