// Cognito offline: cognito-local composed in-process with its data under the stack's data dir and a Cognito-shaped pool.
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
import type { ListenTarget } from './listen';
import { close, listen } from './listen';

export interface LocalCognitoOptions extends Omit<ListenTarget, 'service'> {
  /** Pool and client files (cognito-local's JSON "db"). */
  readonly dir: string;
  readonly region: string;
  /** Cognito-shaped (`<region>_<id>`): aws-jwt-verify derives the issuer and region from it. */
  readonly userPoolId: string;
  /** Log level of cognito-local's own logger. */
  readonly logLevel: 'warn' | 'silent';
  /** Gets the CloudTrail-shaped event of each successful admin call (the twin of CloudTrail -> EventBridge). */
  readonly onAdminEvent?: AdminEventsOptions['onEvent'];
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

/** Mirrors cognito-local's createDefaultServer, with our data dir, issuer and logger, then ensures the pool exists. */
export async function startCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
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
  const cognitoLocal = createServer(Router(services), logger, config.ServerConfig, services)
    .application as RequestListener;
  const onEvent = options.onAdminEvent;
  const app = onEvent ? withAdminEvents(cognitoLocal, { region: options.region, onEvent }) : cognitoLocal;
  const server = createHttpServer(app);
  const port = await listen(server, { ...options, service: 'Cognito (cognito-local)' });
  return { url: `http://${options.host}:${port}`, port, stop: () => close(server) };
}
