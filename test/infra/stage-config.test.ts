// Stage config: defaults, overrides from the `stage` context value, and rejection of undeployable settings.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_STAGE_CONFIG, StageConfigError, loadStageConfig } from '../../lib/stage-config';

describe('loadStageConfig', () => {
  it('uses the documented defaults when no stage context is given', () => {
    const config = loadStageConfig();

    expect(config).toEqual(DEFAULT_STAGE_CONFIG);
    expect(config).toMatchObject({
      accessTokenMinutes: 15,
      idTokenMinutes: 15,
      refreshTokenDays: 7,
      refreshRotationGraceSeconds: 10,
      authorizerCacheTtlSeconds: 0,
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      logRetentionDays: RetentionDays.ONE_MONTH,
      selfSignUp: false,
      removalPolicy: 'retain',
      // Extras only: the distribution's URL is always allowed (test/infra/edge.test.ts).
      allowedOrigins: [],
      callbackUrls: [],
      logoutUrls: [],
      allowLocalhost: false,
      enforcementMode: 'enforce',
      authDeniedAlarmThreshold: 100,
      authDeniedAlarmPeriodMinutes: 5,
      maxConnectionsPerUser: 10,
    });
    expect(config.alarmEmail).toBeUndefined();
    // No fixed managed-login prefix: prefixes are unique per region across accounts, so the stack derives one.
    expect(config.domainPrefix).toBeUndefined();
  });

  it('accepts monitor mode, an alarm email and alarm tuning', () => {
    const config = loadStageConfig({
      enforcementMode: 'monitor',
      alarmEmail: 'oncall@example.com',
      authDeniedAlarmThreshold: 500,
      authDeniedAlarmPeriodMinutes: 1,
    });

    expect(config).toMatchObject({
      enforcementMode: 'monitor',
      alarmEmail: 'oncall@example.com',
      authDeniedAlarmThreshold: 500,
      authDeniedAlarmPeriodMinutes: 1,
    });
  });

  it('merges a JSON string from `-c stage=...` over the defaults', () => {
    const config = loadStageConfig('{"domainPrefix":"acme-auth","accessTokenMinutes":30}');

    expect(config.domainPrefix).toBe('acme-auth');
    expect(config.accessTokenMinutes).toBe(30);
    expect(config.refreshTokenDays).toBe(7);
  });

  it('accepts an object from cdk.json context and https URLs', () => {
    const config = loadStageConfig({
      allowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
      callbackUrls: ['https://app.example.com/callback'],
      allowLocalhost: true,
      authorizerCacheTtlSeconds: 60,
    });

    expect(config.allowedOrigins).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(config.authorizerCacheTtlSeconds).toBe(60);
  });

  it.each([
    ['a cache TTL above 3600 s', { authorizerCacheTtlSeconds: 3601 }, /authorizerCacheTtlSeconds/],
    ['a negative cache TTL', { authorizerCacheTtlSeconds: -1 }, /authorizerCacheTtlSeconds/],
    ['an access token shorter than 5 minutes', { accessTokenMinutes: 4 }, /accessTokenMinutes/],
    ['a fractional refresh lifetime', { refreshTokenDays: 1.5 }, /refreshTokenDays/],
    [
      'a rotation grace period above 60 s',
      { refreshRotationGraceSeconds: 61 },
      /refreshRotationGraceSeconds/,
    ],
    ['a domain prefix containing "cognito"', { domainPrefix: 'cognito-guard-demo' }, /reserved/],
    ['a domain prefix with capitals', { domainPrefix: 'Acme' }, /domainPrefix/],
    ['a plain-http callback off localhost', { callbackUrls: ['http://app.example.com/'] }, /callbackUrls/],
    ['an origin with a path', { allowedOrigins: ['https://app.example.com/app'] }, /allowedOrigins/],
    ['an origin list that is not a list', { allowedOrigins: 'https://app.example.com' }, /allowedOrigins/],
    ['a log retention CloudWatch does not offer', { logRetentionDays: 31 }, /logRetentionDays/],
    ['an unknown removal policy', { removalPolicy: 'snapshot' }, /removalPolicy/],
    ['a misspelt key', { acessTokenMinutes: 30 }, /unknown key acessTokenMinutes/],
    ['a string where a number belongs', { throttleRateLimit: '50' }, /throttleRateLimit/],
    ['an unknown enforcement mode', { enforcementMode: 'audit' }, /enforcementMode/],
    ['an alarm email without a domain', { alarmEmail: 'oncall' }, /alarmEmail/],
    ['a zero AuthDenied threshold', { authDeniedAlarmThreshold: 0 }, /authDeniedAlarmThreshold/],
    ['an alarm period above an hour', { authDeniedAlarmPeriodMinutes: 61 }, /authDeniedAlarmPeriodMinutes/],
    ['a socket cap of zero', { maxConnectionsPerUser: 0 }, /maxConnectionsPerUser/],
  ])('rejects %s', (_case, overrides, message) => {
    expect(() => loadStageConfig(overrides)).toThrow(StageConfigError);
    expect(() => loadStageConfig(overrides)).toThrow(message);
  });

  it('rejects stage context that is not a JSON object', () => {
    expect(() => loadStageConfig('{not json')).toThrow(/must be a JSON object/);
    expect(() => loadStageConfig('[1]')).toThrow(/must be a JSON object/);
  });
});
