// Boots the whole offline stack in this process: dynalite, cognito-local, the REST shim over the real handlers.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { ApiEnv } from '../lambdas/api/env';
import { AuthEnv } from '../lambdas/auth/env';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { SignalingEnv } from '../lambdas/signaling/env';
import type { TableName } from '../lambdas/shared/table-schemas';
import { startCognito } from './cognito';
import { startDynamo } from './dynamo';
import { loadHandlers } from './handlers';
import { close, listen } from './listen';
import { createRestShim } from './rest-shim';
import type { DemoUser } from './seed';
import { DEMO_USERS, REFRESH_TOKEN_DAYS, seedUserPool } from './seed';
import { createStaticSite } from './static-site';
import { createWsShim, loadWsHandlers } from './ws-shim';
import { localAwsEnv } from './aws-env';

const REGION = 'us-east-1';
const USER_POOL_ID = `${REGION}_LocalPool`;
const STAGE = 'local';
const HOST = '127.0.0.1';

/** Offline table name => the env variable that carries it; a new table in TABLE_SCHEMAS must be wired here. */
const TABLE_ENV: Record<TableName, string> = {
  Revocations: AuthorizerEnv.revocationTable,
  Connections: SignalingEnv.connectionsTable,
  Sessions: AuthEnv.sessionsTable,
};

/** The offline twin of `cdk deploy --outputs-file`, written to `<dataDir>/stack.json`. */
export interface StackOutputs {
  readonly apiUrl: string;
  /** The signaling WebSocket (the ws shim). */
  readonly wsUrl: string | null;
  readonly hostedUiUrl: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly users: readonly DemoUser[];
}

export interface StackPorts {
  readonly dynamo: number;
  readonly cognito: number;
  readonly api: number;
  readonly ws: number;
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
  /** Access and ID token lifetime of the web client; short values let tests watch refreshes. @default 900 (15 min) */
  readonly accessTokenValiditySeconds?: number;
}

export interface OfflineStack {
  readonly outputs: StackOutputs;
  readonly ports: StackPorts;
  /** Fault injection (tests): take DynamoDB or Cognito down alone, bring it back on the same port and data. */
  readonly services: { readonly dynamo: RestartableService; readonly cognito: RestartableService };
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
    const cognitoOptions = {
      dir: join(options.dataDir, 'cognito'),
      host: HOST,
      port: ports.cognito ?? 0,
      envName: 'COGNITO_PORT',
      region: REGION,
      userPoolId: USER_POOL_ID,
      logLevel: options.quiet ? ('silent' as const) : ('warn' as const),
    };
    const cognito = await startCognito(cognitoOptions);
    const cognitoService = restartable(cognito, () =>
      startCognito({ ...cognitoOptions, port: cognito.port }),
    );
    stops.push(() => cognitoService.stop());
    // Listen first: with port 0 the redirect URI is known only once the port is.
    const api = createServer();
    const apiPort = await listen(api, {
      service: 'REST API shim',
      host: HOST,
      port: ports.api ?? 0,
      envName: 'API_PORT',
    });
    stops.push(() => close(api));
    const ws = await createWsShim({
      host: HOST,
      port: ports.ws ?? 0,
      envName: 'WS_PORT',
      region: REGION,
      stage: STAGE,
      handlers: loadWsHandlers,
      sweepIntervalMs: options.sweepIntervalMs,
    });
    stops.push(() => ws.stop());

    // `localhost`, not 127.0.0.1: the page's origin, the CORS allowlist and the callback URL must agree.
    const apiUrl = `http://localhost:${apiPort}`;
    const redirectUri = `${apiUrl}/`;
    const clientId = await seedUserPool({
      cognitoUrl: cognito.url,
      region: REGION,
      userPoolId: USER_POOL_ID,
      redirectUri,
      accessTokenValiditySeconds: options.accessTokenValiditySeconds,
    });
    const outputs: StackOutputs = {
      apiUrl,
      wsUrl: ws.url,
      hostedUiUrl: cognito.url,
      tokenEndpoint: `${cognito.url}/oauth2/token`,
      jwksUri: `${cognito.url}/${USER_POOL_ID}/.well-known/jwks.json`,
      region: REGION,
      userPoolId: USER_POOL_ID,
      clientId,
      redirectUri,
      users: DEMO_USERS,
    };

    setRuntimeEnv(outputs, dynamo.endpoint, ws.connectionsEndpoint, [apiUrl], options.quiet ?? false);
    const handlers = loadHandlers();
    ws.start();
    const site = await createStaticSite({
      webDir: join(__dirname, '..', 'web'),
      config: {
        ...outputs,
        users: outputs.users.map(({ username, groups }) => ({ username, groups })),
        // cognito-local has no /logout page: the page stays put after sign-out instead of following logoutUrl.
        followLogoutUrl: false,
      },
      // The page talks to its own origin (REST API) and the signaling socket; the code exchange is server-side.
      connectSources: [new URL(ws.url).origin],
    });
    api.on(
      'request',
      createRestShim({
        handlers,
        site,
        region: REGION,
        stage: STAGE,
        allowedOrigins: [apiUrl],
        maxBodyBytes: options.maxBodyBytes,
      }),
    );
    await writeFile(join(options.dataDir, 'stack.json'), `${JSON.stringify(outputs, null, 2)}\n`, {
      mode: 0o600,
    });
    return {
      outputs,
      ports: { dynamo: dynamo.port, cognito: cognito.port, api: apiPort, ws: ws.port },
      services: { dynamo: dynamoService, cognito: cognitoService },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The handlers' configuration: endpoints and names only, no local-mode switch in runtime code. Handlers read it
 * once at import, so a second stack in the same process must come back with the same values.
 */
function setRuntimeEnv(
  outputs: StackOutputs,
  dynamoEndpoint: string,
  connectionsEndpoint: string,
  allowedOrigins: readonly string[],
  quiet: boolean,
) {
  const env: Record<string, string> = {
    ...localAwsEnv({ region: outputs.region, dynamo: dynamoEndpoint, cognito: outputs.hostedUiUrl }),
    [AuthorizerEnv.userPoolId]: outputs.userPoolId,
    [AuthorizerEnv.clientId]: outputs.clientId,
    [AuthorizerEnv.jwksUri]: outputs.jwksUri,
    // cognito-local's tokens carry no origin_jti: per-session revocation is unavailable for them offline.
    [AuthorizerEnv.requireSessionId]: 'false',
    [ApiEnv.allowedOrigins]: allowedOrigins.join(','),
    [SignalingEnv.connectionsEndpoint]: connectionsEndpoint,
    [AuthEnv.cognitoDomainUrl]: outputs.hostedUiUrl,
    // cognito-local speaks http on 127.0.0.1; the auth function refuses http anywhere else.
    [AuthEnv.allowInsecureTokenEndpoint]: 'true',
    [AuthEnv.logoutRedirectUri]: outputs.redirectUri,
    [AuthEnv.refreshTokenValiditySeconds]: String(REFRESH_TOKEN_DAYS * 86400),
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
