// The auth function's config: https token endpoint, http only on loopback with the explicit flag, typed settings.

import { loadAuthConfig } from '../../lambdas/auth/config';
import { AuthEnv } from '../../lambdas/auth/env';
import { ConfigError } from '../../lambdas/shared/config';

const env = {
  [AuthEnv.userPoolId]: 'eu-west-1_AbCd123',
  [AuthEnv.clientId]: 'client123',
  [AuthEnv.revocationTable]: 'Revocations',
  [AuthEnv.sessionsTable]: 'Sessions',
  [AuthEnv.allowedOrigins]: 'https://app.example.com, https://admin.example.com',
  [AuthEnv.cognitoDomainUrl]: 'https://login.auth.eu-west-1.amazoncognito.com/',
  [AuthEnv.logoutRedirectUri]: 'https://app.example.com/',
  [AuthEnv.redirectUri]: 'https://app.example.com/',
  [AuthEnv.clientSecretId]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:web-client-AbCdEf',
  [AuthEnv.cookieKeySecretId]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:cookie-key-AbCdEf',
};

describe('loadAuthConfig', () => {
  it('derives the issuer and the managed-login logout URL, with defaults matching the CDK client', () => {
    expect(loadAuthConfig(env)).toMatchObject({
      region: 'eu-west-1',
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCd123',
      cognitoDomainUrl: 'https://login.auth.eu-west-1.amazoncognito.com',
      logoutUrl:
        'https://login.auth.eu-west-1.amazoncognito.com/logout?client_id=client123&logout_uri=https%3A%2F%2Fapp.example.com%2F',
      allowedOrigins: ['https://app.example.com', 'https://admin.example.com'],
      allowInsecureTokenEndpoint: false,
      refreshTokenValiditySeconds: 604800,
      rotationGraceSeconds: 10,
      requireSessionId: true,
      redirectUri: 'https://app.example.com/',
      scopes: ['openid', 'email', 'profile', 'cognito-guard/signaling', 'cognito-guard/admin'],
    });
  });

  it.each([AuthEnv.clientSecretId, AuthEnv.cookieKeySecretId, AuthEnv.redirectUri])(
    'fails fast without %s (the secrets are named, never given)',
    (name) => {
      expect(() => loadAuthConfig({ ...env, [name]: undefined })).toThrow(ConfigError);
    },
  );

  it('allows http on 127.0.0.1 or localhost only with the explicit offline flag', () => {
    for (const url of ['http://127.0.0.1:9229', 'http://localhost:9229']) {
      const offline = {
        ...env,
        [AuthEnv.cognitoDomainUrl]: url,
        [AuthEnv.allowInsecureTokenEndpoint]: 'true',
      };
      expect(loadAuthConfig(offline).allowInsecureTokenEndpoint).toBe(true);
    }
  });

  it.each<[string, Record<string, string>]>([
    ['http without the flag', { [AuthEnv.cognitoDomainUrl]: 'http://127.0.0.1:9229' }],
    [
      'the flag on a non-loopback host',
      { [AuthEnv.cognitoDomainUrl]: 'http://cognito.internal', [AuthEnv.allowInsecureTokenEndpoint]: 'true' },
    ],
    ['the flag left on with https', { [AuthEnv.allowInsecureTokenEndpoint]: 'true' }],
    ['a domain that is not a URL', { [AuthEnv.cognitoDomainUrl]: 'login.example.com' }],
    ['a pool id without a region', { [AuthEnv.userPoolId]: 'local_AbCd' }],
    ['no allowed origin', { [AuthEnv.allowedOrigins]: '' }],
    ['a grace period above 60 s', { [AuthEnv.rotationGraceSeconds]: '61' }],
    ['a refresh validity below an hour', { [AuthEnv.refreshTokenValiditySeconds]: '60' }],
    ['no logout redirect', { [AuthEnv.logoutRedirectUri]: '' }],
  ])('fails fast on %s', (_case, overrides) => {
    expect(() => loadAuthConfig({ ...env, ...overrides })).toThrow(ConfigError);
  });
});
