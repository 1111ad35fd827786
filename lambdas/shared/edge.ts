// The one origin: where the API and the WebSocket live under the page's origin, the headers every answer carries,
// and the shape of the page's config.json. Read by the CloudFront construct and by the offline server alike.

/**
 * Path prefixes under the page's origin. In AWS the API Gateway stages are named after them (`api`, `ws`), so
 * CloudFront forwards `/api/me` unchanged to the REST stage `api`, resource `/me`: nothing rewrites paths there.
 */
export const EDGE_PATHS = { api: '/api', ws: '/ws' } as const;

/** REST API stage name: the first segment of `EDGE_PATHS.api`. */
export const API_STAGE_NAME = EDGE_PATHS.api.slice(1);
/** WebSocket API stage name: the first segment of `EDGE_PATHS.ws`. */
export const WS_STAGE_NAME = EDGE_PATHS.ws.slice(1);

/** The route-table path behind an edge path (`/api/me` => `/me`); undefined for a path outside `/api/`. */
export function apiRoutePath(path: string): string | undefined {
  const prefix = `${EDGE_PATHS.api}/`;
  return path.startsWith(prefix) ? path.slice(EDGE_PATHS.api.length) : undefined;
}

/** HSTS lifetime: two years, the preload list's minimum is one. */
export const HSTS_MAX_AGE_SECONDS = 63_072_000;

/**
 * The page's Content-Security-Policy: no inline script or style, no framing, no form posts; the page talks only to
 * its own origin (the API at `/api`, the socket at `/ws`). Sign-in is a top-level navigation, not a connection.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Headers on every answer of the origin (page, API, socket handshake refusals): CloudFront's response-headers
 * policy in AWS, the offline server's own headers locally.
 */
export const EDGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // The redirect back from the login page carries the authorization code in the URL.
  'Referrer-Policy': 'no-referrer',
};

/** What the page reads from `/config.json`: written at deploy time in AWS, served by the offline server locally. */
export interface WebConfig {
  /** Where the REST API is, relative to the page (`/api`). */
  readonly apiUrl: string;
  /** Where the signaling socket is, relative to the page (`/ws`); null when signaling is off. */
  readonly wsUrl: string | null;
  /** Managed login base URL (`/oauth2/authorize`, `/logout`). */
  readonly hostedUiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The registered callback URL: the page's own origin + `/`. */
  readonly redirectUri: string;
  /** Navigate to managed login's `/logout` after sign-out (its own session cookie goes too). */
  readonly followLogoutUrl: boolean;
  /** Demo users to list on the page (offline only). */
  readonly users: readonly { readonly username: string; readonly groups: readonly string[] }[];
  /** How recent a sign-in the admin revoke routes need: the page shows when they will ask again. */
  readonly stepUpMaxAgeSeconds?: number;
}
