// Cognito offline: cognito-local composed in-process (data under the stack's data dir, a Cognito-shaped pool) with
// the Cognito twin on top (client secrets, rotation, revocation, global sign-out: see local/cognito-twin/).
import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { RequestListener } from 'node:http';
import { Router } from 'cognito-local/lib/server/Router';
import { DefaultConfig } from 'cognito-local/lib/server/config';
import type { Config } from 'cognito-local/lib/server/config';
import { createServer } from 'cognito-local/lib/server/server';
import { DateClock, MessagesService, TriggersService } from 'cognito-local/lib/services';
import type { Lambda, Services } from 'cognito-local/lib/services';
import { CognitoServiceFactoryImpl } from 'cognito-local/lib/services/cognitoService';
import type { CryptoService } from 'cognito-local/lib/services/crypto';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb';
import { ConsoleMessageSender } from 'cognito-local/lib/services/messageDelivery/consoleMessageSender';
import { MessageDeliveryService } from 'cognito-local/lib/services/messageDelivery/messageDelivery';
import { otp } from 'cognito-local/lib/services/otp';
import { JwtTokenGenerator } from 'cognito-local/lib/services/tokenGenerator';
import { UserPoolServiceFactoryImpl } from 'cognito-local/lib/services/userPoolService';
import pino from 'pino';
import type { AdminEventsOptions } from './cognito-admin-events';
import { withAdminEvents } from './cognito-admin-events';
import { createCognitoTwin } from './cognito-twin';
import type { ExpressApp } from './cognito-twin';
import type { ManagedLoginAuthTime } from './cognito-twin/managed-login-session';
import type { ListenTarget } from './listen';
import { close, listen } from './listen';

export interface LocalCognitoOptions extends Omit<ListenTarget, 'service'> {
  /** Pool and client files (cognito-local's JSON "db"). */
  readonly dir: string;
  readonly region: string;
  /** Cognito-shaped (`<region>_<id>`): aws-jwt-verify derives the issuer and region from it. */
  readonly userPoolId: string;
  /** Log level of cognito-local's own logger. */
  readonly logLevel: 'error' | 'silent';
  /** Gets the CloudTrail-shaped event of each successful admin call (the twin of CloudTrail -> EventBridge). */
  readonly onAdminEvent?: AdminEventsOptions['onEvent'];
  /** What a sign-in through managed login's session cookie puts in `auth_time` (AWS does not say). @default 'renewed' */
  readonly managedLoginAuthTime?: ManagedLoginAuthTime;
}

export interface LocalCognito {
  /** Base URL of the Cognito JSON API, `/oauth2/*` and `/<poolId>/.well-known/jwks.json`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

// No Lambda triggers offline: an inert Lambda and no KMS (loading them would pull in the AWS SDK v2).
const noTriggers: Lambda = {
  enabled: () => false,
  invoke: () => Promise.reject<never>(new Error('Lambda triggers are not available offline')),
};
const noKms = undefined as unknown as CryptoService;

/**
 * The request listener of offline Cognito: cognito-local's API, login form and JWKS with the twin's token endpoint and
 * operations. One value, so a caller can wrap it (e.g. to observe admin API calls) before serving it.
 */
export async function createCognitoListener(
  options: Pick<LocalCognitoOptions, 'dir' | 'region' | 'userPoolId' | 'logLevel' | 'managedLoginAuthTime'>,
): Promise<RequestListener> {
  await mkdir(options.dir, { recursive: true });
  const logger = pino({ level: options.logLevel });
  const ctx = { logger };
  const config: Config = {
    ...DefaultConfig,
    // Tokens carry `iss = https://cognito-idp.<region>.amazonaws.com/<poolId>`, as in AWS.
    TokenConfig: { IssuerDomain: `https://cognito-idp.${options.region}.amazonaws.com` },
    ServerConfig: { development: false },
  };
  const clock = new DateClock();
  const dataStores = new StormDBDataStoreFactory(options.dir);
  const cognito = await new CognitoServiceFactoryImpl(
    options.dir,
    dataStores,
    new UserPoolServiceFactoryImpl(clock, dataStores),
  ).create(ctx, config.UserPoolDefaults);
  const pools = await cognito.listUserPools(ctx);
  if (!pools.some((pool) => pool.Id === options.userPoolId)) {
    // CreateUserPool over the API would make a `local_…` id, which aws-jwt-verify rejects.
    await cognito.createUserPool(ctx, {
      Id: options.userPoolId,
      Name: 'cognito-guard-local',
      UsernameAttributes: ['email'],
    });
  }
  const triggers = new TriggersService(clock, cognito, noTriggers, noKms);
  const services: Services = {
    clock,
    cognito,
    config,
    messages: new MessagesService(triggers, new MessageDeliveryService(new ConsoleMessageSender())),
    otp,
    tokenGenerator: new JwtTokenGenerator(clock, triggers, config.TokenConfig),
    triggers,
  };
  const twin = await createCognitoTwin(services, Router(services), dataStores, ctx, {
    ...(options.managedLoginAuthTime ? { managedLoginAuthTime: options.managedLoginAuthTime } : {}),
  });
  // Without `services` createServer attaches no OAuth routes: the twin attaches its own, then cognito-local's form.
  const server = createServer(twin.router, logger, config.ServerConfig);
  const app = server.application as ExpressApp & RequestListener;
  twin.attachOAuth2(app);
  return app;
}

/** Serves the offline Cognito listener on the given host and port. */
export async function startCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const listener = await createCognitoListener(options);
  const onEvent = options.onAdminEvent;
  const app = onEvent
    ? withAdminEvents(listener, { region: options.region, userPoolId: options.userPoolId, onEvent })
    : listener;
  const server = createHttpServer(app);
  const port = await listen(server, { ...options, service: 'Cognito (cognito-local + twin)' });
  return { url: `http://${options.host}:${port}`, port, stop: () => close(server) };
}
