// The browser session through the token handler: POST /auth/login (the backend keeps state, nonce and the PKCE
// verifier in a sealed cookie), managed login, POST /auth/session { code, state }; silent refresh through the
// HttpOnly sealed cookie; sign-out. The access token lives in a private field of one object, nowhere else.
import { ApiError, callApi, describeReason, revocationCause } from './api.js';

/** A marker, not a secret: "this tab started a sign-in"; the backend's login cookie holds what matters. */
const PENDING_KEY = 'cognito-guard.pending-sign-in';
/** The authorization response parameters managed login may send back (RFC 6749 §4.1.2). */
const CODE = /^[A-Za-z0-9\-._~]{1,2048}$/;
/** A hint, not a credential: "this browser may hold a refresh cookie", so a reload can restore the session. */
const HINT_KEY = 'cognito-guard.session-hint';
/** Refresh this long before the access token expires (at most a quarter of its lifetime). */
const REFRESH_MARGIN_MS = 60_000;
const MIN_REFRESH_DELAY_MS = 5_000;
/** When neither `exp` nor `expires_in` says anything usable. */
const FALLBACK_LIFETIME_MS = 300_000;

/**
 * One signed-in (or not) browser tab. Emits `change` events with `detail.cause`: `signed-in`, `refreshed`,
 * `signed-out` (with `detail.message` telling why).
 */
export class Auth extends EventTarget {
  #config;
  #accessToken = null;
  #idClaims = null;
  #deadline = 0;
  #refreshAt = 0;
  #timer = undefined;
  #refreshing = null;

  constructor(config) {
    super();
    this.#config = config;
  }

  get signedIn() {
    return this.#accessToken !== null;
  }

  /** The current access token, for the API calls and the WebSocket handshake of this page only. */
  get accessToken() {
    return this.#accessToken;
  }

  /** Claims of the ID token, for display only (who you are comes from GET /me). */
  get idClaims() {
    return this.#idClaims;
  }

  /** When the access token expires, in this browser's clock (ms since epoch). */
  get expiresAt() {
    return this.#deadline;
  }

  /** When the silent refresh (and with it the socket's re-authentication) is due, in this browser's clock. */
  get refreshAt() {
    return this.#refreshAt;
  }

  /**
   * POST /auth/login, then to the login page (cognito-local's form offline, managed login in AWS). `reauthenticate`
   * answers a step-up challenge: managed login asks for the password again (`prompt=login`).
   */
  async startSignIn({ reauthenticate = false } = {}) {
    const { authorizeUrl } = await callApi(this.#config.apiUrl, '/auth/login', {
      method: 'POST',
      cookie: true,
      ...(reauthenticate ? { body: { reauthenticate: true } } : {}),
    });
    sessionStorage.setItem(PENDING_KEY, '1');
    location.assign(authorizeUrl);
  }

  /** Back from the login page: the API checks `state` against its login cookie and redeems the code. */
  async completeSignIn(callbackUrl) {
    const pending = sessionStorage.getItem(PENDING_KEY) === '1';
    sessionStorage.removeItem(PENDING_KEY);
    // The code must not linger in the address bar, the history or a bookmark.
    history.replaceState(null, '', callbackUrl.pathname);
    if (!pending)
      throw new Error('No sign-in was started in this tab (or it was already completed). Sign in again.');
    const params = callbackUrl.searchParams;
    if (params.has('error')) {
      throw new Error(
        `The login page refused the sign-in: ${params.get('error_description') ?? params.get('error')}.`,
      );
    }
    const code = params.get('code') ?? '';
    const state = params.get('state') ?? '';
    if (!CODE.test(code) || !CODE.test(state)) throw new Error('The login response is not valid.');
    const tokens = await callApi(this.#config.apiUrl, '/auth/session', {
      method: 'POST',
      body: { code, state },
      cookie: true,
    });
    this.#accept(tokens, 'signed-in');
  }

  /** After a reload: new tokens from the refresh cookie, when this browser may have one. */
  async restore() {
    if (localStorage.getItem(HINT_KEY) !== '1') return false;
    try {
      await this.refresh();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        localStorage.removeItem(HINT_KEY);
        return false;
      }
      throw error;
    }
  }

  /** POST /auth/refresh with the HttpOnly cookie; one refresh at a time. A refused refresh signs this tab out. */
  refresh() {
    this.#refreshing ??= (async () => {
      try {
        const tokens = await callApi(this.#config.apiUrl, '/auth/refresh', { method: 'POST', cookie: true });
        this.#accept(tokens, 'refreshed');
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          const why =
            error.code === 'ERR_TOKEN_MISSING'
              ? 'this browser holds no session cookie (signed out in another tab?)'
              : (describeReason(error.code) ?? 'it is no longer valid');
          const cause = error.code === 'ERR_TOKEN_REVOKED' ? await this.#whoEndedIt() : undefined;
          this.#forget(
            `Signed out: the session could not be renewed because ${why} (${error.code ?? error.status})${cause ? `: ${cause}` : ''}.`,
          );
        }
        throw error;
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /**
   * An authorized API call. A 401 gets one silent refresh and a retry (the token may have just expired); when the
   * refresh is refused too, the tab is signed out and the error says why.
   */
  async call(path, options = {}) {
    if (!this.signedIn) throw new ApiError(401, 'ERR_TOKEN_MISSING', 'not signed in');
    try {
      return await callApi(this.#config.apiUrl, path, { ...options, token: this.#accessToken });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      if (error.code === 'ERR_STEP_UP_REQUIRED') throw error; // a refresh keeps auth_time: only a sign-in helps
      try {
        await this.refresh();
      } catch (refused) {
        // The call's own denial (e.g. ERR_TOKEN_REVOKED) is the real reason when the refresh only found no cookie
        // (signed out in another tab); otherwise the refusal says more (e.g. the session itself was revoked).
        // The call's own denial also wins when it names who ended the session (an administrator, …).
        const noCookie = refused instanceof ApiError && refused.code === 'ERR_TOKEN_MISSING';
        const named = revocationCause(error) !== undefined;
        throw refused instanceof ApiError && !(noCookie && error.code) && !named ? refused : error;
      }
      return callApi(this.#config.apiUrl, path, { ...options, token: this.#accessToken });
    }
  }

  /**
   * POST /auth/logout (this session) or /auth/logout-all (every session of this user). The server revokes the
   * tokens and clears the cookie; then this tab forgets them. Resolves with the managed-login logout URL.
   */
  async signOut({ everywhere = false } = {}) {
    const path = everywhere ? '/auth/logout-all' : '/auth/logout';
    let result;
    try {
      result = await callApi(this.#config.apiUrl, path, {
        method: 'POST',
        token: this.#accessToken,
        cookie: true,
      });
    } catch (error) {
      // 401: the token is already dead server-side; anything else: nothing was revoked, so keep the session.
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      result = {};
    }
    this.#forget(
      everywhere
        ? `Signed out everywhere: ${result.sessionsRevoked ?? 'all'} session(s) revoked; every token issued so far is refused.`
        : 'Signed out: this session was revoked on the server; a copy of the old access token is now refused (401).',
    );
    return result.logoutUrl;
  }

  /**
   * The refresh refusal is the same for every cookie (it tells an unauthenticated caller nothing); the authorizer
   * tells the holder of a correctly signed token who ended its session: ask it with the token still in memory.
   */
  async #whoEndedIt() {
    if (!this.#accessToken) return undefined;
    try {
      await callApi(this.#config.apiUrl, '/me', { token: this.#accessToken });
      return undefined;
    } catch (error) {
      return revocationCause(error);
    }
  }

  #accept(tokens, cause) {
    if (typeof tokens?.accessToken !== 'string') throw new Error('The API answered without an access token.');
    this.#accessToken = tokens.accessToken;
    this.#idClaims = tokens.idToken ? decodeClaims(tokens.idToken) : this.#idClaims;
    const lifetimeMs = tokenLifetimeMs(tokens.expiresIn, decodeClaims(tokens.accessToken));
    this.#deadline = Date.now() + lifetimeMs;
    localStorage.setItem(HINT_KEY, '1');
    clearTimeout(this.#timer);
    this.#refreshAt = Date.now() + refreshDelayMs(lifetimeMs);
    this.#timer = setTimeout(() => {
      this.refresh().catch(() => undefined); // the `change` event reports a refused refresh
    }, this.#refreshAt - Date.now());
    this.dispatchEvent(new CustomEvent('change', { detail: { cause } }));
  }

  #forget(message) {
    clearTimeout(this.#timer);
    this.#accessToken = null;
    this.#idClaims = null;
    this.#deadline = 0;
    this.#refreshAt = 0;
    localStorage.removeItem(HINT_KEY);
    this.dispatchEvent(new CustomEvent('change', { detail: { cause: 'signed-out', message } }));
  }
}

/**
 * How long an access token just received stays valid: the earliest of `expires_in` and the token's own `exp`
 * (a token endpoint's `expires_in` may disagree with the token's own lifetime). Counted from
 * `exp - iat` rather than from `exp` so that a wrong clock in this browser does not matter.
 */
function tokenLifetimeMs(expiresIn, claims) {
  const candidates = [Number(expiresIn), Number(claims?.exp) - Number(claims?.iat)].filter(
    (seconds) => Number.isFinite(seconds) && seconds > 0,
  );
  return candidates.length ? Math.min(...candidates) * 1000 : FALLBACK_LIFETIME_MS;
}

/** Refresh a minute before expiry, or a quarter of the lifetime before it for short-lived tokens. */
function refreshDelayMs(lifetimeMs) {
  return Math.max(MIN_REFRESH_DELAY_MS, lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 4));
}

/** The payload of a JWT, decoded without verification: display only. */
function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}
