// Managed login's session cookie, which cognito-local lacks: after a password sign-in, /oauth2/authorize signs the
// browser in again without asking for an hour after the cookie's last use, unless the request says `prompt=login`.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Services } from 'cognito-local/lib/services';
import type { Context } from 'cognito-local/lib/services/context';
import type { NonceCodeStore } from './nonce-codes';

/**
 * The `auth_time` of tokens from a cookie sign-in, which AWS does not document (docs/rooms.md, "What `auth_time`
 * holds"): `original` keeps the password sign-in's time (what OIDC's definition implies), `renewed` stamps the
 * cookie sign-in's own time (then nothing in the tokens tells it from a password sign-in).
 */
export type ManagedLoginAuthTime = 'original' | 'renewed';

/** The twin's default: the case in which only `prompt=login` stops a cookie sign-in (the twin must not flatter). */
export const DEFAULT_MANAGED_LOGIN_AUTH_TIME: ManagedLoginAuthTime = 'renewed';

/**
 * "When your user signs in with managed login, Amazon Cognito sets session cookies that are valid for 1 hour"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html);
 * reusing the session resets it to 1 hour (https://repost.aws/knowledge-center/cognito-logout-endpoint-globalsignoutapi).
 */
export const MANAGED_LOGIN_SESSION_SECONDS = 3600;

/** The cookie's name on the user pool domain (real managed login's is `cognito` too; its value is opaque). */
export const MANAGED_LOGIN_COOKIE = 'cognito';

const MAX_SESSIONS = 1000;

/** The parts of an Express request and response the session reads and writes. */
export interface BrowserRequest {
  readonly headers: IncomingHttpHeaders;
  readonly query: Record<string, unknown>;
  readonly body?: Record<string, unknown>;
}
export interface BrowserResponse {
  redirect(url: string): void;
  append(name: string, value: string): void;
}

interface LoginSession {
  readonly userPoolId: string;
  /** cognito-local's `Username` (with email sign-in: the sub). */
  readonly username: string;
  /** Epoch seconds of the password sign-in. */
  readonly authTime: number;
  readonly expiresAt: number;
}

export interface ManagedLoginDeps {
  readonly services: Pick<Services, 'cognito' | 'clock'>;
  readonly codes: NonceCodeStore;
  readonly ctx: Context;
  readonly authTime: ManagedLoginAuthTime;
}

/**
 * The sessions of one twin, in memory (a restart signs every browser out). `AdminUserGlobalSignOut` leaves them
 * alone, as in AWS: "This operation doesn't clear the managed login session cookie"
 * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminUserGlobalSignOut.html).
 */
export class ManagedLoginSessions {
  private readonly sessions = new Map<string, LoginSession>();

  constructor(private readonly deps: ManagedLoginDeps) {}

  /**
   * Before cognito-local's POST /oauth2/authorize (the login form): if it accepts the password (it answers with a
   * redirect), the browser gets a session cookie with it.
   */
  async beforePasswordSignIn(req: BrowserRequest, res: BrowserResponse): Promise<void> {
    const { client_id: clientId, username } = req.body ?? {};
    if (typeof clientId !== 'string' || typeof username !== 'string') return;
    const client = await this.deps.services.cognito.getAppClient(this.deps.ctx, clientId);
    if (!client) return;
    const pool = await this.deps.services.cognito.getUserPool(this.deps.ctx, client.UserPoolId);
    const user = await pool.getUserByUsername(this.deps.ctx, username);
    if (!user) return;
    const redirect = res.redirect.bind(res);
    res.redirect = (url: string) => {
      res.append('Set-Cookie', this.start(client.UserPoolId, user.Username));
      redirect(url);
    };
  }

  /**
   * GET /oauth2/authorize with a live session cookie and without `prompt=login`: a code at once, no form. Anything
   * else (no cookie, `prompt=login`, a request cognito-local would refuse) goes on to cognito-local's login form.
   */
  async authorize(req: BrowserRequest, res: BrowserResponse): Promise<boolean> {
    const q = req.query;
    if (q.prompt === 'login' || q.response_type !== 'code' || q.code_challenge_method !== 'S256')
      return false;
    const [clientId, redirectUri, codeChallenge] = [q.client_id, q.redirect_uri, q.code_challenge];
    if (typeof clientId !== 'string' || typeof redirectUri !== 'string' || typeof codeChallenge !== 'string')
      return false;
    const client = await this.deps.services.cognito.getAppClient(this.deps.ctx, clientId);
    if (!client || !(client.CallbackURLs ?? []).includes(redirectUri)) return false;
    const id = cookieValue(req.headers.cookie);
    const session = id ? this.resume(id, client.UserPoolId) : undefined;
    if (!id || !session) return false;
    const state = typeof q.state === 'string' ? q.state : undefined;
    const now = this.now();
    const code = this.deps.codes.create(
      {
        clientId,
        userPoolId: session.userPoolId,
        username: session.username,
        redirectUri,
        codeChallenge,
        scope: typeof q.scope === 'string' ? q.scope : '',
        state,
      },
      this.deps.authTime === 'original' ? session.authTime : now,
    );
    const callback = new URL(redirectUri);
    callback.searchParams.set('code', code);
    if (state) callback.searchParams.set('state', state);
    res.append('Set-Cookie', cookieLine(id));
    res.redirect(callback.toString());
    return true;
  }

  private start(userPoolId: string, username: string): string {
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value ?? '');
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    this.sessions.set(id, {
      userPoolId,
      username,
      authTime: now,
      expiresAt: now + MANAGED_LOGIN_SESSION_SECONDS,
    });
    return cookieLine(id);
  }

  /** The live session `id` names in this pool, its hour started again; undefined when unknown or expired. */
  private resume(id: string, userPoolId: string): LoginSession | undefined {
    const session = this.sessions.get(id);
    const now = this.now();
    if (!session || session.userPoolId !== userPoolId || session.expiresAt <= now) return undefined;
    const resumed = { ...session, expiresAt: now + MANAGED_LOGIN_SESSION_SECONDS };
    this.sessions.set(id, resumed);
    return resumed;
  }

  private now(): number {
    return Math.floor(this.deps.services.clock.get().getTime() / 1000);
  }
}

/** Offline speaks http, so no `Secure`; the user pool domain is its own site, hence `SameSite=Lax` (top-level GETs). */
function cookieLine(id: string): string {
  return `${MANAGED_LOGIN_COOKIE}=${id}; Max-Age=${MANAGED_LOGIN_SESSION_SECONDS}; Path=/; HttpOnly; SameSite=Lax`;
}

function cookieValue(header: string | undefined): string | undefined {
  for (const pair of (header ?? '').split(';')) {
    const [name, ...value] = pair.trim().split('=');
    if (name === MANAGED_LOGIN_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}
