// Pure checks of a WebSocket handshake: Origin allowlist, no token in the query string, token from the subprotocols.

import type { ReasonCode } from '../shared/reasons';
import { SUBPROTOCOL } from '../shared/websocket-routes';
import { parseBearer } from './authorize';

export interface HandshakeRequest {
  /** `Sec-WebSocket-Protocol`; null when sent more than once. */
  readonly protocols: string | undefined | null;
  /** `Origin`; null when sent more than once. Browsers always send it; other clients may not. */
  readonly origin: string | undefined | null;
  readonly query: Readonly<Record<string, string | undefined>> | null | undefined;
  readonly allowedOrigins: readonly string[];
}

export type Handshake =
  | { readonly ok: true; readonly token: string }
  | { readonly ok: false; readonly reason: ReasonCode; readonly detail: string; readonly token?: string };

const BEARER_PREFIX = 'bearer.';
const TOKEN_PARAMS = new Set([
  'token',
  'access_token',
  'accesstoken',
  'id_token',
  'bearer',
  'authorization',
  'jwt',
  'auth',
]);
const JWT_SHAPE = /^(bearer\.)?eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/; // a JWT starts with base64url('{"')

/** Extracts the bearer token offered as `Sec-WebSocket-Protocol: cognito-guard.v1, bearer.<token>`. */
export function checkHandshake(request: HandshakeRequest): Handshake {
  if (request.origin === null) return refuse('ERR_ORIGIN', 'Origin sent more than once');
  if (request.origin !== undefined && !request.allowedOrigins.includes(request.origin)) {
    return refuse('ERR_ORIGIN', 'Origin not allowed');
  }
  // Query strings end up in access logs, proxies and browser history: refuse, even next to a valid subprotocol.
  const leaked = Object.entries(request.query ?? {}).some(
    ([name, value]) => TOKEN_PARAMS.has(name.toLowerCase()) || JWT_SHAPE.test(value ?? ''),
  );
  if (leaked)
    return refuse(
      'ERR_TOKEN_MALFORMED',
      'token in query string refused: send it as subprotocol bearer.<token>',
    );
  if (request.protocols === undefined || request.protocols === '') {
    return refuse('ERR_TOKEN_MISSING', 'no Sec-WebSocket-Protocol header');
  }
  if (request.protocols === null)
    return refuse('ERR_TOKEN_MALFORMED', 'Sec-WebSocket-Protocol sent more than once');
  const offered = request.protocols.split(',').map((p) => p.trim());
  if (!offered.includes(SUBPROTOCOL))
    return refuse('ERR_TOKEN_MALFORMED', `subprotocol ${SUBPROTOCOL} not offered`);
  const bearers = offered.filter((p) => p.startsWith(BEARER_PREFIX));
  if (bearers.length === 0) return refuse('ERR_TOKEN_MISSING', 'no bearer.<token> subprotocol');
  if (bearers.length > 1) return refuse('ERR_TOKEN_MALFORMED', 'more than one bearer.<token> subprotocol');
  // Same character set and length limit as an Authorization header.
  const { token, malformed } = parseBearer(`Bearer ${bearers[0].slice(BEARER_PREFIX.length)}`);
  if (malformed || !token) return refuse('ERR_TOKEN_MALFORMED', 'bearer subprotocol is not a token');
  return { ok: true, token };
}

function refuse(reason: ReasonCode, detail: string): Handshake {
  return { ok: false, reason, detail };
}
