// Typed deployment settings: defaults merged with the CDK context key `stage`, validated before any construct.
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ENFORCEMENT_MODES, type EnforcementMode } from '../lambdas/authorizer/authorize';
import { DPOP_MODES, type DpopMode, REPLAY_GUARD_KINDS, type ReplayGuardKind } from '../lambdas/shared/dpop';
import { DEFAULT_STEP_UP_MAX_AGE_SECONDS } from '../lambdas/shared/route-policy';
import { DEFAULT_MAX_CONNECTIONS_PER_USER } from '../lambdas/signaling/env';
import type { EdgeDomain } from './constructs/edge';

/** Settings of one deployment of the stack (README: "Configuration"). */
export interface StageConfig {
  /**
   * Cognito managed-login domain prefix: `https://<prefix>.auth.<region>.amazoncognito.com`, unique per region across
   * all AWS accounts. @default - `guard-` and the first 12 hex digits of the stack's id (unique per deployment)
   */
  readonly domainPrefix?: string;
  /** Access token lifetime (5..1440). @default 15 */
  readonly accessTokenMinutes: number;
  /** ID token lifetime (5..1440). @default 15 */
  readonly idTokenMinutes: number;
  /** Refresh token lifetime (1..3650). @default 7 */
  readonly refreshTokenDays: number;
  /** Refresh-token rotation: how long the previous refresh token stays usable (0..60). @default 10 */
  readonly refreshRotationGraceSeconds: number;
  /** OAuth redirect URLs after sign-in besides the app's own `<AppUrl>/` (always first). @default [] */
  readonly callbackUrls: readonly string[];
  /** OAuth redirect URLs after sign-out besides `<AppUrl>/` (always first). @default [] */
  readonly logoutUrls: readonly string[];
  /** Browser origins (scheme://host[:port]) allowed besides the app's own (CORS, socket Origin). @default [] */
  readonly allowedOrigins: readonly string[];
  /**
   * Accept `http://localhost` in the three lists above (for running the page locally against a deployment).
   * @default false
   */
  readonly allowLocalhost: boolean;
  /** Serve the app on your own domain (certificate in us-east-1). @default - the distribution's cloudfront.net name */
  readonly customDomain?: EdgeDomain;
  /** An existing CLOUDFRONT-scope WAF web ACL (us-east-1) to attach to the distribution. @default - none */
  readonly webAclArn?: string;
  /**
   * Refuse (403) REST and WebSocket calls that reach `*.execute-api.amazonaws.com` without CloudFront: both APIs
   * require an API key only the distribution sends. `false` for clients that call execute-api directly. @default true
   */
  readonly refuseDirectApiCalls: boolean;
  /** REST authorizer result cache TTL (0..3600); this is the revocation delay. @default 0 */
  readonly authorizerCacheTtlSeconds: number;
  /** Step-up (RFC 9470): the admin revoke routes need a sign-in at most this old (60..86400 s). @default 900 */
  readonly stepUpMaxAgeSeconds: number;
  /** Most signaling WebSockets one user may have open at once; `$connect` refuses more (1..1000). @default 10 */
  readonly maxConnectionsPerUser: number;
  /** Stage-wide steady-state request rate (requests/second). @default 50 */
  readonly throttleRateLimit: number;
  /** Stage-wide burst capacity (requests). @default 100 */
  readonly throttleBurstLimit: number;
  /** CloudWatch Logs retention of Lambda and access logs (a value CloudWatch accepts). @default 30 */
  readonly logRetentionDays: RetentionDays;
  /** Whether anyone may sign up through managed login. @default false */
  readonly selfSignUp: boolean;
  /** Fate of the user pool and the revocation table on stack deletion. @default 'retain' */
  readonly removalPolicy: 'retain' | 'destroy';
  /**
   * `enforce` denies revoked tokens; `monitor` allows them and logs `would_deny` (deny-list rollout). Forged,
   * malformed, wrongly issued and expired tokens are denied in both modes. @default 'enforce'
   */
  readonly enforcementMode: EnforcementMode;
  /**
   * Device binding (DPoP, RFC 9449; docs/device-binding.md): `off` mints unbound tokens; `monitor` and `enforce`
   * attach the pre token generation trigger (V2_0) that binds access tokens to the page's device key. @default 'off'
   */
  readonly dpop: DpopMode;
  /**
   * Where used DPoP proof ids are remembered (docs/device-binding.md#replay): `table`, one conditional write per
   * proof, refuses a replay on every Lambda instance; `instance`, free, refuses it only on the instance that saw the
   * proof. Only used when `dpop` is not `off`. @default 'table'
   */
  readonly dpopReplayGuard: ReplayGuardKind;
  /** Email address subscribed to the alarm topic (confirm the subscription mail). @default - no subscription */
  readonly alarmEmail?: string;
  /** Denials (client-caused reasons, summed) within one alarm period that page (1..1000000). @default 100 */
  readonly authDeniedAlarmThreshold: number;
  /** Length of the AuthDenied spike alarm's period in minutes (1..60). @default 5 */
  readonly authDeniedAlarmPeriodMinutes: number;
  /**
   * Create a WAF web ACL at the distribution (covering the page, the API and the WebSocket) that blocks (429) a
   * client IP sending more than this many requests per 5 minutes (10..2000000000). CLOUDFRONT-scope web ACLs live
   * in us-east-1: `bin/app.ts` adds a small stack there when the app deploys elsewhere. Off by default: WAF bills
   * per web ACL, per rule and per million requests. @default - no WAF
   */
  readonly wafRateLimit?: number;
  /**
   * EventBridge sees Cognito API calls only while a CloudTrail trail logs this region's write management events.
   * `create` adds a single-region trail; `existing` relies on one you already have (e.g. an organization trail).
   * @default 'create'
   */
  readonly cognitoEventsTrail: 'create' | 'existing';
  /**
   * Deploy what `npm run verify` signs in with: an app client only AdminInitiateAuth (IAM) can use, and a verification
   * user whose password Secrets Manager generates (about $0.40 a month for the secret). @default false
   */
  readonly verification: boolean;
  /**
   * Run the verification journey every `everyMinutes` (1..720) minutes in a Lambda and alarm when any check fails.
   * Turns `verification` on. Off by default: see docs/verify.md for its cost. @default - no canary
   */
  readonly canary?: { readonly everyMinutes: number };
}

/** A stage config that cannot be deployed; the message names the key and the rule. */
export class StageConfigError extends Error {
  constructor(message: string) {
    super(`invalid stage config: ${message}`);
    this.name = 'StageConfigError';
  }
}

export const DEFAULT_STAGE_CONFIG: StageConfig = {
  accessTokenMinutes: 15,
  idTokenMinutes: 15,
  refreshTokenDays: 7,
  refreshRotationGraceSeconds: 10,
  callbackUrls: [],
  logoutUrls: [],
  allowedOrigins: [],
  allowLocalhost: false,
  refuseDirectApiCalls: true,
  authorizerCacheTtlSeconds: 0,
  stepUpMaxAgeSeconds: DEFAULT_STEP_UP_MAX_AGE_SECONDS,
  maxConnectionsPerUser: DEFAULT_MAX_CONNECTIONS_PER_USER,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  logRetentionDays: RetentionDays.ONE_MONTH,
  selfSignUp: false,
  removalPolicy: 'retain',
  enforcementMode: 'enforce',
  dpop: 'off',
  dpopReplayGuard: 'table',
  authDeniedAlarmThreshold: 100,
  authDeniedAlarmPeriodMinutes: 5,
  cognitoEventsTrail: 'create',
  verification: false,
};

type Check = (value: unknown, key: string) => void;

const integer =
  (min: number, max: number): Check =>
  (value, key) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new StageConfigError(`${key} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
    }
  };

const boolean: Check = (value, key) => {
  if (typeof value !== 'boolean') throw new StageConfigError(`${key} must be true or false`);
};

const oneOf =
  (allowed: readonly unknown[]): Check =>
  (value, key) => {
    if (!allowed.includes(value)) {
      throw new StageConfigError(`${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
  };

const urlList =
  (kind: 'redirect' | 'origin'): Check =>
  (value, key) => {
    if (!Array.isArray(value)) throw new StageConfigError(`${key} must be a list of URLs`);
    for (const item of value) {
      const url = typeof item === 'string' && URL.canParse(item) ? new URL(item) : undefined;
      const localhost = url?.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname);
      const secure = url?.protocol === 'https:' || localhost;
      const shapeOk = kind === 'redirect' ? !url?.hash : url?.origin === item;
      if (!url || !secure || !shapeOk) {
        const shape = kind === 'origin' ? 'an origin (scheme://host[:port])' : 'a URL without fragment';
        throw new StageConfigError(
          `${key}: ${JSON.stringify(item)} must be ${shape}, https or http://localhost`,
        );
      }
    }
  };

const domainPrefix: Check = (value, key) => {
  const ok = typeof value === 'string' && /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(value);
  if (!ok) throw new StageConfigError(`${key} must be lowercase letters, digits and inner hyphens (1..63)`);
  if (/aws|amazon|cognito/.test(value)) {
    throw new StageConfigError(`${key} must not contain "aws", "amazon" or "cognito" (reserved by Cognito)`);
  }
};

const optionalEmail: Check = (value, key) => {
  if (value === undefined) return;
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new StageConfigError(`${key} must be an email address, got ${JSON.stringify(value)}`);
  }
};

const canary: Check = (value, key) => {
  const keys = typeof value === 'object' && value !== null ? Object.keys(value) : [];
  if (keys.length !== 1 || keys[0] !== 'everyMinutes') {
    throw new StageConfigError(`${key} must be { "everyMinutes": <1..720> }`);
  }
  integer(1, 720)((value as { everyMinutes: unknown }).everyMinutes, `${key}.everyMinutes`);
};

const customDomain: Check = (value, key) => {
  const domain = value as Partial<EdgeDomain> | undefined;
  if (typeof domain !== 'object' || domain === null) throw new StageConfigError(`${key} must be an object`);
  if (
    typeof domain.domainName !== 'string' ||
    !/^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$/.test(domain.domainName)
  )
    throw new StageConfigError(`${key}.domainName must be a lowercase DNS name`);
  if (
    typeof domain.certificateArn !== 'string' ||
    !/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(domain.certificateArn)
  )
    throw new StageConfigError(
      `${key}.certificateArn must be an ACM certificate ARN in us-east-1 (CloudFront reads only there)`,
    );
  const zone = domain.hostedZone;
  if (zone !== undefined && (typeof zone?.hostedZoneId !== 'string' || typeof zone.zoneName !== 'string'))
    throw new StageConfigError(`${key}.hostedZone needs hostedZoneId and zoneName`);
};

const webAclArn: Check = (value, key) => {
  if (
    typeof value !== 'string' ||
    !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[\w-]+$/.test(value)
  )
    throw new StageConfigError(
      `${key} must be the ARN of a CLOUDFRONT-scope web ACL (us-east-1, global/webacl/...)`,
    );
};

const optional =
  (check: Check): Check =>
  (value, key) => {
    if (value !== undefined) check(value, key);
  };

const checks: Record<keyof StageConfig, Check> = {
  domainPrefix: optional(domainPrefix),
  accessTokenMinutes: integer(5, 1440),
  idTokenMinutes: integer(5, 1440),
  refreshTokenDays: integer(1, 3650),
  refreshRotationGraceSeconds: integer(0, 60),
  callbackUrls: urlList('redirect'),
  logoutUrls: urlList('redirect'),
  allowedOrigins: urlList('origin'),
  allowLocalhost: boolean,
  customDomain: optional(customDomain),
  webAclArn: optional(webAclArn),
  refuseDirectApiCalls: boolean,
  authorizerCacheTtlSeconds: integer(0, 3600),
  stepUpMaxAgeSeconds: integer(60, 86_400),
  maxConnectionsPerUser: integer(1, 1000),
  throttleRateLimit: integer(1, 10000),
  throttleBurstLimit: integer(0, 5000),
  logRetentionDays: oneOf(Object.values(RetentionDays).filter((days) => typeof days === 'number')),
  selfSignUp: boolean,
  removalPolicy: oneOf(['retain', 'destroy']),
  enforcementMode: oneOf(ENFORCEMENT_MODES),
  dpop: oneOf(DPOP_MODES),
  dpopReplayGuard: oneOf(REPLAY_GUARD_KINDS),
  alarmEmail: optionalEmail,
  authDeniedAlarmThreshold: integer(1, 1_000_000),
  authDeniedAlarmPeriodMinutes: integer(1, 60),
  wafRateLimit: optional(integer(10, 2_000_000_000)),
  cognitoEventsTrail: oneOf(['create', 'existing']),
  verification: boolean,
  canary: optional(canary),
};

/**
 * Merges `overrides` (the CDK context value `stage`: an object, or its JSON text from `-c stage='{...}'`)
 * over the defaults. Unknown keys are rejected so a typo cannot silently keep a default.
 */
export function loadStageConfig(overrides: unknown = {}): StageConfig {
  let parsed = overrides;
  if (typeof overrides === 'string') {
    try {
      parsed = JSON.parse(overrides);
    } catch {
      throw new StageConfigError('context "stage" must be a JSON object');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StageConfigError('context "stage" must be a JSON object');
  }
  for (const key of Object.keys(parsed)) {
    if (!(key in checks)) throw new StageConfigError(`unknown key ${key}`);
  }
  const config = { ...DEFAULT_STAGE_CONFIG, ...(parsed as Partial<StageConfig>) };
  for (const [key, check] of Object.entries(checks)) check(config[key as keyof StageConfig], key);
  if (!config.allowLocalhost) {
    for (const key of ['callbackUrls', 'logoutUrls', 'allowedOrigins'] as const) {
      const local = config[key].find((url) => new URL(url).protocol === 'http:');
      if (local) {
        throw new StageConfigError(
          `${key}: ${JSON.stringify(local)} is a localhost URL; a deployment accepts one only with allowLocalhost: true`,
        );
      }
    }
  }
  // The REST authorizer's cache keys on the Authorization header alone: a cached Allow would serve a copied bound
  // token without its DPoP proof ever being checked.
  if (config.dpop !== 'off' && config.authorizerCacheTtlSeconds > 0)
    throw new StageConfigError(
      `authorizerCacheTtlSeconds ${config.authorizerCacheTtlSeconds} with dpop "${config.dpop}": API Gateway would answer a cached Allow for a copied device-bound token without checking its DPoP proof (the cache keys on Authorization only); set authorizerCacheTtlSeconds to 0 or dpop to "off"`,
    );
  if (config.webAclArn !== undefined && config.wafRateLimit !== undefined)
    throw new StageConfigError(
      'set either webAclArn (your web ACL) or wafRateLimit (one created for you), not both',
    );
  return config;
}

/** The CDK removal policy for the stateful resources. */
export function statefulRemovalPolicy(config: StageConfig): RemovalPolicy {
  return config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
