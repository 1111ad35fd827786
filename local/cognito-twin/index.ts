// The Cognito twin: cognito-local with Cognito's token endpoint, rotation, revocation, global sign-out and managed
// login's session cookie on top.
import { attachOAuth2Routes } from 'cognito-local/lib/oauth2/routes';
import type { Router } from 'cognito-local/lib/server/Router';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import type { DataStoreFactory } from 'cognito-local/lib/services/dataStore/factory';
import { ClientSettings } from './client-settings';
import { getTokensFromRefreshToken } from './get-tokens';
import type { BrowserRequest, BrowserResponse, ManagedLoginAuthTime } from './managed-login-session';
import { DEFAULT_MANAGED_LOGIN_AUTH_TIME, ManagedLoginSessions } from './managed-login-session';
import { NonceCodeStore } from './nonce-codes';
import { RefreshFamilies } from './refresh-families';
import { twinRouter } from './targets';
import type { TokenRequest, TokenResponse } from './token-endpoint';
import { tokenEndpoint } from './token-endpoint';

/** The Express application cognito-local's createServer returns (typed only as far as the twin uses it). */
export interface ExpressApp {
  get(
    path: string,
    handler: (req: BrowserRequest, res: BrowserResponse, next: (error?: unknown) => void) => void,
  ): void;
  post(
    path: string,
    handler: (
      req: TokenRequest & BrowserRequest,
      res: TokenResponse & BrowserResponse,
      next: (error?: unknown) => void,
    ) => void,
  ): void;
}

export interface CognitoTwinOptions {
  /** What a sign-in through managed login's session cookie puts in `auth_time`. @default 'renewed' */
  readonly managedLoginAuthTime?: ManagedLoginAuthTime;
}

export interface CognitoTwin {
  /** Pass to cognito-local's createServer instead of its router. */
  readonly router: Router;
  /**
   * Adds the token endpoint, nonce capture and the managed-login session cookie, then cognito-local's
   * `/oauth2/authorize` (its login form).
   */
  attachOAuth2(app: ExpressApp): void;
}

/** Builds the twin over cognito-local's services; its state lives in `<dataDir>/cognito-twin.json`. */
export async function createCognitoTwin(
  services: Services,
  inner: Router,
  dataStores: DataStoreFactory,
  ctx: Context,
  options: CognitoTwinOptions = {},
): Promise<CognitoTwin> {
  const store = await dataStores.create(ctx, 'cognito-twin', { Families: {}, Tokens: {}, Rotation: {} });
  const families = new RefreshFamilies(store, ctx);
  const clients = new ClientSettings(store, ctx);
  const codes = new NonceCodeStore();
  const token = tokenEndpoint({ services, codes, families, clients, ctx });
  const authTime = options.managedLoginAuthTime ?? DEFAULT_MANAGED_LOGIN_AUTH_TIME;
  const loginSessions = new ManagedLoginSessions({ services, codes, ctx, authTime });
  const router = twinRouter(inner, { services, families, clients });
  const getTokens = getTokensFromRefreshToken({ services, codes, families, clients });
  return {
    router: (target) => (target === 'GetTokensFromRefreshToken' ? getTokens : router(target)),
    attachOAuth2(app) {
      app.get('/oauth2/authorize', (req, res, next) => {
        codes.remember(req.query.client_id, req.query.state, req.query.nonce);
        loginSessions.authorize(req, res).then((answered) => answered || next(), next);
      });
      app.post('/oauth2/authorize', (req, res, next) => {
        loginSessions.beforePasswordSignIn(req, res).then(() => next(), next);
      });
      // Registered first, so cognito-local's own /oauth2/token (no secret check, no rotation) is never reached.
      app.post('/oauth2/token', (req, res, next) => {
        token(req, res).catch(next);
      });
      attachOAuth2Routes(app as Parameters<typeof attachOAuth2Routes>[0], services, codes);
    },
  };
}
