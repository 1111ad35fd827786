// Boots the whole offline stack in this process: dynalite, cognito-local + twin, Secrets Manager, and one origin
// (page, /api, /ws) over the real handlers.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiEnv } from '../lambdas/api/env';
import { AdminEnv } from '../lambdas/admin/env';
import { AuthEnv } from '../lambdas/auth/env';
import type { EnforcementMode } from '../lambdas/authorizer/authorize';
import { dpopModeEnv, enforcementMode, replayGuardKind } from '../lambdas/authorizer/config';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { EventsEnv } from '../lambdas/events/env';
import type { DpopMode, ReplayGuardKind } from '../lambdas/shared/dpop';
import { API_STAGE_NAME, EDGE_PATHS, WS_STAGE_NAME } from '../lambdas/shared/edge';
import { DEFAULT_STEP_UP_MAX_AGE_SECONDS } from '../lambdas/shared/route-policy';
import type { WebConfig } from '../lambdas/shared/edge';
import { DEFAULT_MAX_CONNECTIONS_PER_USER, SignalingEnv } from '../lambdas/signaling/env';
import type { TableName } from '../lambdas/shared/table-schemas';
import type { ManagedLoginAuthTime } from './cognito-twin/managed-login-session';
import { startCognito } from './cognito';
import type { CloudTrailApiCallEvent } from './cognito-admin-events';
import { startDynamo } from './dynamo';
import { loadHandlers, type Handlers } from './handlers';
import { close, listen } from './listen';
import { createOrigin } from './origin';
import { createRestShim } from './rest-shim';
import type { LocalSecretsManager } from './secrets-manager';
import { startSecretsManager } from './secrets-manager';
import type { DemoUser } from './seed';
import { DEMO_USERS, REFRESH_TOKEN_DAYS, seedUserPool } from './seed';
import { seedVerification } from './seed-verification';
import { createStaticSite } from './static-site';
import { createWsShim, loadWsHandlers } from './ws-shim';
import { localAwsEnv } from './aws-env';

const REGION = 'us-east-1';
const USER_POOL_ID = `${REGION}_LocalPool`;
const HOST = '127.0.0.1';
/**
 * CloudTrail delivers management events to EventBridge asynchronously, after the call has returned
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html): the twin raises them a
 * moment later too, so a caller's own follow-up writes (our admin route's watermark) come first, as in AWS.
 */
const CLOUDTRAIL_DELIVERY_MS = 250;
/** The web client's refresh-token rotation grace period (RetryGracePeriodSeconds), as in the CDK stage default. */
const ROTATION_GRACE_SECONDS = 10;

/** Secrets Manager names offline: the web client's secret and the cookie-sealing key material. */
export const LOCAL_SECRETS = {
  clientSecret: 'cognito-guard/web-client-secret',
  cookieKey: 'cognito-guard/cookie-key',
} as const;

/** Offline table name => the env variable that carries it; a new table in TABLE_SCHEMAS must be wired here. */
const TABLE_ENV: Record<TableName, string> = {
  Revocations: AuthorizerEnv.revocationTable,
  Connections: SignalingEnv.connectionsTable,
  Sessions: AuthEnv.sessionsTable,
};

/** The offline twin of `cdk deploy --outputs-file`, written to `<dataDir>/stack.json`. */
export interface StackOutputs {
  /** The one URL to open: the page, with the API at `/api` and the socket at `/ws` (AppUrl in AWS). */
  readonly appUrl: string;
  /** `<appUrl>/api`: the REST API base, route paths append to it (`${apiUrl}/me`). */
  readonly apiUrl: string;
  /** `ws://localhost:<port>/ws`: the signaling WebSocket on the same origin. */
  readonly wsUrl: string | null;
  readonly hostedUiUrl: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly users: readonly DemoUser[];
  /** cognito-local's Cognito API (AdminInitiateAuth for `npm run verify`). */
  readonly cognitoApiUrl: string;
  /** The verification app client (AdminInitiateAuth only), also accepted by the authorizers. */
  readonly verifyClientId: string;
  /** The user `npm run verify` signs in as (in AWS its password is in Secrets Manager). */
  readonly verifyUser: DemoUser;
  /** What the authorizers run with: `enforce` unless ENFORCEMENT_MODE says otherwise. */
  readonly enforcementMode: EnforcementMode;
  /** The shim never caches authorizer results: a revocation applies to the very next request. */
  readonly authorizerCacheTtlSeconds: number;
  /** Device binding (DPoP) as the authorizers run it: DPOP_MODE (`npm start` sets `enforce`), else `monitor`. */
  readonly dpopMode: DpopMode;
  /** Where used proof ids are remembered: DPOP_REPLAY_GUARD, else `table` (as in AWS by default). */
  readonly dpopReplayGuard: ReplayGuardKind;
  /** How recent a sign-in the admin revoke routes need (step-up, STEP_UP_MAX_AGE_SECONDS). */
  readonly stepUpMaxAgeSeconds: number;
}

export interface StackPorts {
  readonly dynamo: number;
  readonly cognito: number;
  /** The one origin: page, `/api`, `/ws`. */
  readonly app: number;
  /** The internal @connections endpoint the handlers post to (API Gateway's management API in AWS). */
  readonly connections: number;
  /** The offline Secrets Manager. @default 0 (any free port) */
  readonly secrets?: number;
}

export interface OfflineStackOptions {
  /** Everything the stack stores: DynamoDB (LevelDB), cognito-local's JSON files, stack.json. */
  readonly dataDir: string;
  /** 0 picks a free port. @default all 0 */
  readonly ports?: Partial<StackPorts>;
  /** Silence cognito-local, Powertools logs and EMF metrics (tests). @default false */
  readonly quiet?: boolean;
  /** Largest request body the shim accepts. @default 64 KiB */
  readonly maxBodyBytes?: number;
  /** How often the signaling sweep runs (the EventBridge rule's minute in AWS). @default 60 000 ms */
  readonly sweepIntervalMs?: number;
  /** The refresh-token rotation grace period of the twin and the auth function. @default 10 */
  readonly rotationGraceSeconds?: number;
  /** Access and ID token lifetime of the web client; short values let tests watch refreshes. @default 900 (15 min) */
  readonly accessTokenValiditySeconds?: number;
  /** How recent a sign-in the step-up routes require; short values let tests watch a sign-in age. @default 900 */
  readonly stepUpMaxAgeSeconds?: number;
  /** What the twin's sign-in through managed login's session cookie puts in `auth_time`. @default 'renewed' */
  readonly managedLoginAuthTime?: ManagedLoginAuthTime;
  /**
   * Most signaling sockets per user (the stage's `maxConnectionsPerUser`).
   * @default MAX_CONNECTIONS_PER_USER from the environment, else 10
   */
  readonly maxConnectionsPerUser?: number;
  /** Measurement hooks (`npm run bench`): what the handlers see as DynamoDB, and the REST handlers themselves. */
  readonly instrument?: StackInstrumentation;
}

/** Lets the bench count what the handlers do at the wire and per invocation, without touching their code. */
export interface StackInstrumentation {
  /** The DynamoDB endpoint given to the handlers (e.g. a counting proxy in front of dynalite). */
  dynamoEndpoint?(dynalite: string): Promise<string>;
  /** The REST handlers the shim calls (e.g. wrapped to count invocations). */
  handlers?(handlers: Handlers): Handlers;
}

export interface OfflineStack {
  readonly outputs: StackOutputs;
  readonly ports: StackPorts;
  /** Fault injection (tests): take DynamoDB or Cognito down alone, bring it back on the same port and data. */
  readonly services: { readonly dynamo: RestartableService; readonly cognito: RestartableService };
  /** Offline Secrets Manager (the client secret and cookie key live there, never in env or stack.json). */
  readonly secrets: LocalSecretsManager;
  stop(): Promise<void>;
}

/** A backing service that can be stopped and started again while the rest of the stack keeps running. */
export interface RestartableService {
  readonly running: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
}

let running = false;
let loadedEnv: string | undefined;

/** Starts everything, seeds idempotently, loads the real handlers; one stack per process. */
export async function startOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
  if (running) throw new Error('an offline stack is already running in this process');
  running = true;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // the seed already uses the SDK
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne();
    running = false;
  };
  try {
    const ports = options.ports ?? {};
    const dynamoOptions = {
      dir: join(options.dataDir, 'dynamodb'),
      host: HOST,
      port: ports.dynamo ?? 0,
      envName: 'DYNAMO_PORT',
    };
    const dynamo = await startDynamo(dynamoOptions);
    const dynamoService = restartable(dynamo, () => startDynamo({ ...dynamoOptions, port: dynamo.port }));
    stops.push(() => dynamoService.stop());
    // Admin calls that arrive before the handlers load are the seed's own setup, never an operator's change.
    let applyAdminEvent: ((event: CloudTrailApiCallEvent) => Promise<void>) | undefined = undefined;
    let handlersLoadedAt = Infinity;
    // A stopping stack drops events not yet delivered and waits for those being applied (nothing runs after stop).
    const pendingEvents = new Set<NodeJS.Timeout>();
    const deliveries = new Set<Promise<void>>();
    stops.push(async () => {
      for (const timer of pendingEvents) clearTimeout(timer);
      await Promise.all(deliveries);
    });
    const cognitoOptions = {
      onAdminEvent: (event: CloudTrailApiCallEvent, startedAt: Date) => {
        const apply = applyAdminEvent;
        if (!apply || startedAt.getTime() < handlersLoadedAt) return; // decided by when the call arrived
        const timer = setTimeout(() => {
          pendingEvents.delete(timer);
          const delivery = apply(event).catch(() => undefined);
          deliveries.add(delivery);
          void delivery.finally(() => deliveries.delete(delivery));
        }, CLOUDTRAIL_DELIVERY_MS);
        pendingEvents.add(timer);
      },
      dir: join(options.dataDir, 'cognito'),
      host: HOST,
      port: ports.cognito ?? 0,
      envName: 'COGNITO_PORT',
      region: REGION,
      userPoolId: USER_POOL_ID,
      // cognito-local logs every refused call (unknown user, wrong password) at warn with a stack trace: noise.
      logLevel: options.quiet ? ('silent' as const) : ('error' as const),
      ...(options.managedLoginAuthTime ? { managedLoginAuthTime: options.managedLoginAuthTime } : {}),
    };
    const cognito = await startCognito(cognitoOptions);
    const cognitoService = restartable(cognito, () =>
      startCognito({ ...cognitoOptions, port: cognito.port }),
    );
    stops.push(() => cognitoService.stop());
    const secrets = await startSecretsManager({
      file: join(options.dataDir, 'secrets.json'),
      host: HOST,
      port: ports.secrets ?? 0,
      envName: 'SECRETS_PORT',
    });
    stops.push(() => secrets.stop());
    // Listen first (with port 0 the redirect URI is known only once the port is); 503 until everything is ready.
    const origin = createOrigin();
    const appPort = await listen(origin.server, {
      service: 'the offline origin (page, /api, /ws)',
      host: HOST,
      port: ports.app ?? 0,
      envName: 'API_PORT',
    });
    stops.push(() => close(origin.server));
    const ws = await createWsShim({
      host: HOST,
      port: ports.connections ?? 0,
      envName: 'CONNECTIONS_PORT',
      path: EDGE_PATHS.ws,
      region: REGION,
      stage: WS_STAGE_NAME,
      handlers: loadWsHandlers,
      sweepIntervalMs: options.sweepIntervalMs,
    });
    stops.push(() => ws.stop());

    // `localhost`, not 127.0.0.1: the page's origin, the CORS allowlist and the callback URL must agree.
    const appUrl = `http://localhost:${appPort}`;
    const redirectUri = `${appUrl}/`;
    const rotationGraceSeconds = options.rotationGraceSeconds ?? ROTATION_GRACE_SECONDS;
    const { clientId, clientSecret } = await seedUserPool({
      cognitoUrl: cognito.url,
      region: REGION,
      userPoolId: USER_POOL_ID,
      redirectUri,
      rotationGraceSeconds,
      accessTokenValiditySeconds: options.accessTokenValiditySeconds,
    });
    if ((await secrets.current(LOCAL_SECRETS.clientSecret)) !== clientSecret) {
      await secrets.put(LOCAL_SECRETS.clientSecret, clientSecret);
    }
    // Generated once per data dir, like a Secrets Manager generated secret; rotate with PutSecretValue.
    if ((await secrets.current(LOCAL_SECRETS.cookieKey)) === undefined) {
      await secrets.put(LOCAL_SECRETS.cookieKey, randomBytes(32).toString('base64url'));
    }
    const verification = await seedVerification({
      cognitoUrl: cognito.url,
      region: REGION,
      userPoolId: USER_POOL_ID,
    });
    const outputs: StackOutputs = {
      appUrl,
      apiUrl: `${appUrl}${EDGE_PATHS.api}`,
      wsUrl: `ws://localhost:${appPort}${EDGE_PATHS.ws}`,
      hostedUiUrl: cognito.url,
      tokenEndpoint: `${cognito.url}/oauth2/token`,
      jwksUri: `${cognito.url}/${USER_POOL_ID}/.well-known/jwks.json`,
      region: REGION,
      userPoolId: USER_POOL_ID,
      clientId,
      redirectUri,
      users: DEMO_USERS,
      cognitoApiUrl: cognito.url,
      verifyClientId: verification.clientId,
      verifyUser: verification.user,
      enforcementMode: enforcementMode(process.env),
      authorizerCacheTtlSeconds: 0,
      // DPOP_MODE when set (checked as the handlers check it), else `monitor`.
      dpopMode: dpopModeEnv(process.env, 'monitor'),
      dpopReplayGuard: replayGuardKind(process.env),
      stepUpMaxAgeSeconds: options.stepUpMaxAgeSeconds ?? DEFAULT_STEP_UP_MAX_AGE_SECONDS,
    };

    setRuntimeEnv(
      outputs,
      {
        dynamo: (await options.instrument?.dynamoEndpoint?.(dynamo.endpoint)) ?? dynamo.endpoint,
        connections: ws.connectionsEndpoint,
        secrets: secrets.url,
      },
      [appUrl],
      rotationGraceSeconds,
      options.quiet ?? false,
      options.dataDir,
      options.stepUpMaxAgeSeconds,
      options.maxConnectionsPerUser,
    );
    const loaded = loadHandlers();
    const handlers = options.instrument?.handlers?.(loaded) ?? loaded;
    applyAdminEvent = handlers.cognitoEvents; // it logs its own failures (cognito_change_failed)
    handlersLoadedAt = Date.now();
    ws.start();
    const site = await createStaticSite({ webDir: join(__dirname, '..', 'web'), config: webConfig(outputs) });
    const api = createRestShim({
      handlers,
      region: REGION,
      stage: API_STAGE_NAME,
      allowedOrigins: [appUrl],
      maxBodyBytes: options.maxBodyBytes,
    });
    origin.serve({ api, upgrade: ws.upgrade, site });
    await writeFile(join(options.dataDir, 'stack.json'), `${JSON.stringify(outputs, null, 2)}\n`, {
      mode: 0o600,
    });
    return {
      outputs,
      ports: {
        dynamo: dynamo.port,
        cognito: cognito.port,
        app: appPort,
        connections: ws.port,
        secrets: secrets.port,
      },
      services: { dynamo: dynamoService, cognito: cognitoService },
      secrets,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The page's config.json: paths relative to the page, as the deployed one. */
function webConfig(outputs: StackOutputs): WebConfig {
  return {
    apiUrl: EDGE_PATHS.api,
    wsUrl: EDGE_PATHS.ws,
    hostedUiUrl: outputs.hostedUiUrl,
    region: outputs.region,
    userPoolId: outputs.userPoolId,
    clientId: outputs.clientId,
    redirectUri: outputs.redirectUri,
    // cognito-local has no /logout page: the page stays put after sign-out instead of following logoutUrl.
    followLogoutUrl: false,
    users: outputs.users.map(({ username, groups }) => ({ username, groups })),
    stepUpMaxAgeSeconds: outputs.stepUpMaxAgeSeconds,
  };
}

/**
 * The handlers' configuration: endpoints and names only, no local-mode switch in runtime code. Handlers read it
 * once at import, so a second stack in the same process must come back with the same values.
 */
function setRuntimeEnv(
  outputs: StackOutputs,
  endpoints: { readonly dynamo: string; readonly connections: string; readonly secrets: string },
  allowedOrigins: readonly string[],
  rotationGraceSeconds: number,
  quiet: boolean,
  dataDir: string,
  stepUpMaxAgeSeconds: number | undefined,
  maxConnectionsPerUser: number | undefined,
) {
  const env: Record<string, string> = {
    ...localAwsEnv({ region: outputs.region, dynamo: endpoints.dynamo, cognito: outputs.hostedUiUrl }),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secrets,
    [AuthorizerEnv.userPoolId]: outputs.userPoolId,
    [AuthorizerEnv.clientId]: outputs.clientId,
    [AuthorizerEnv.verificationClientId]: outputs.verifyClientId,
    [AuthorizerEnv.jwksUri]: outputs.jwksUri,
    // The twin puts origin_jti in every token, as Cognito does with revocation on: required, as in AWS.
    [AuthorizerEnv.requireSessionId]: 'true',
    [ApiEnv.allowedOrigins]: allowedOrigins.join(','),
    [SignalingEnv.connectionsEndpoint]: endpoints.connections,
    [AuthEnv.cognitoDomainUrl]: outputs.hostedUiUrl,
    // cognito-local speaks http on 127.0.0.1; the auth function refuses http anywhere else.
    [AuthEnv.allowInsecureTokenEndpoint]: 'true',
    [AuthEnv.logoutRedirectUri]: outputs.redirectUri,
    [AuthEnv.refreshTokenValiditySeconds]: String(REFRESH_TOKEN_DAYS * 86400),
    // Events out: the envelope EventBridge would deliver, one JSON line per revocation (`tail -f` it).
    [EventsEnv.eventsFile]: join(dataDir, 'events.jsonl'),
    [EventsEnv.issuer]: `https://cognito-idp.${outputs.region}.amazonaws.com/${outputs.userPoolId}`,
    [AuthEnv.rotationGraceSeconds]: String(rotationGraceSeconds),
    // Device binding (the twin always runs the pre token trigger): sessions a proof started are bound. `monitor`
    // (the default here: tests and scripts sign in without a key) keeps sign-ins without a proof working;
    // `npm start` sets DPOP_MODE=enforce (local/main.ts).
    [AuthEnv.dpopMode]: outputs.dpopMode,
    [AuthEnv.dpopReplayGuard]: outputs.dpopReplayGuard,
    [AuthorizerEnv.appUrl]: outputs.appUrl,
    [AuthEnv.redirectUri]: outputs.redirectUri,
    // Names of secrets in the offline Secrets Manager, never their values.
    [AuthEnv.clientSecretId]: LOCAL_SECRETS.clientSecret,
    [AuthEnv.cookieKeySecretId]: LOCAL_SECRETS.cookieKey,
    ...(stepUpMaxAgeSeconds !== undefined
      ? { [AdminEnv.stepUpMaxAgeSeconds]: String(stepUpMaxAgeSeconds) }
      : {}),
    [SignalingEnv.maxConnectionsPerUser]: String(
      maxConnectionsPerUser ??
        process.env[SignalingEnv.maxConnectionsPerUser] ??
        DEFAULT_MAX_CONNECTIONS_PER_USER,
    ),
    ...Object.fromEntries(Object.entries(TABLE_ENV).map(([table, name]) => [name, table])),
    ...(quiet ? { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } : {}),
  };
  const fingerprint = JSON.stringify(env);
  if (loadedEnv !== undefined && loadedEnv !== fingerprint) {
    throw new Error(
      'the handlers were loaded with another configuration in this process: reuse the same ports',
    );
  }
  loadedEnv = fingerprint;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, env);
}

/** Wraps a started service so it can be stopped and started again (same port, same data). */
function restartable(
  first: { stop(): Promise<void> },
  start: () => Promise<{ stop(): Promise<void> }>,
): RestartableService {
  let current: { stop(): Promise<void> } | undefined = first;
  return {
    get running() {
      return current !== undefined;
    },
    async stop() {
      const stopping = current;
      current = undefined;
      await stopping?.stop();
    },
    async start() {
      current ??= await start();
    },
  };
}
