// The signaling wire protocol: client frames parsed and schema-checked strictly, server frames typed.

import type { ReasonCode, RevocationScope } from '../shared/reasons';

/** Largest client frame in UTF-8 bytes (an SDP offer is a few KB). */
export const MAX_FRAME_BYTES = 16 * 1024;

export const SIGNAL_KINDS = ['offer', 'answer', 'candidate'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/** `offer`/`answer`: RTCSessionDescriptionInit; `candidate`: RTCIceCandidateInit, as their `toJSON()` produce. */
export type SignalPayload =
  | { readonly type?: 'offer' | 'answer'; readonly sdp: string }
  | {
      readonly candidate: string;
      readonly sdpMid?: string | null;
      readonly sdpMLineIndex?: number | null;
      readonly usernameFragment?: string | null;
    };

export type ClientFrame =
  | { readonly action: 'join'; readonly room: string }
  | {
      readonly action: 'signal';
      readonly to: string;
      readonly kind: SignalKind;
      readonly payload: SignalPayload;
    }
  | {
      readonly action: 'reauth';
      readonly token: string;
      /** Device binding: a DPoP proof by the session's key for the socket URL and this token (RFC 9449). */
      readonly proof?: string;
    }
  | { readonly action: 'leave' };

/**
 * Protocol and room errors (not token problems): the frame is refused and changes nothing; the socket stays open,
 * except after `ERR_RATE_LIMITED` when the client keeps sending.
 */
export type FrameErrorCode =
  | 'ERR_FRAME_MALFORMED'
  | 'ERR_FRAME_TOO_LARGE'
  | 'ERR_NOT_IN_ROOM'
  | 'ERR_PEER_NOT_IN_ROOM'
  | 'ERR_ROOM_FULL'
  | 'ERR_ROOM_FORBIDDEN'
  | 'ERR_RATE_LIMITED'
  | 'ERR_UNKNOWN_CONNECTION'
  /** The server failed on this frame for a reason other than the store (a bug): retry; it is logged and counted. */
  | 'ERR_INTERNAL';

/** Another member of the room: the id to address signals to and what the room policy lets others see. */
export interface Peer {
  readonly connectionId: string;
  readonly name: string;
}

export type ServerFrame =
  | { readonly type: 'joined'; readonly room: string; readonly self: string; readonly peers: readonly Peer[] }
  | { readonly type: 'peer-joined'; readonly room: string; readonly peer: Peer }
  | { readonly type: 'peer-left'; readonly room: string; readonly peer: string }
  | { readonly type: 'left'; readonly room: string }
  | {
      readonly type: 'signal';
      readonly from: string;
      readonly kind: SignalKind;
      readonly payload: SignalPayload;
    }
  | { readonly type: 'reauthed'; readonly exp: number }
  | { readonly type: 'error'; readonly reason: ReasonCode | FrameErrorCode; readonly message: string }
  | { readonly type: 'revoked'; readonly reason: 'ERR_TOKEN_REVOKED'; readonly scope: RevocationScope };

export type ParseResult =
  | { readonly ok: true; readonly frame: ClientFrame }
  | {
      readonly ok: false;
      readonly code: 'ERR_FRAME_MALFORMED' | 'ERR_FRAME_TOO_LARGE';
      readonly message: string;
    };

/** A group room `<name>` or a private room `user:<sub>` (see room-policy.ts). */
const ROOM = /^(?:user:[A-Za-z0-9-]{1,64}|[A-Za-z0-9._-]{1,64})$/;
const CONNECTION_ID = /^[A-Za-z0-9+/=_-]{1,128}$/;
const TOKEN = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_CHARS = 8192;
const MAX_PROOF_CHARS = 4096;

type Json = Record<string, unknown>;

/** Parses one client frame: JSON object, known action, exactly the fields of that action, size-limited. */
export function parseFrame(body: string | undefined | null): ParseResult {
  if (!body) return malformed('empty frame');
  if (new TextEncoder().encode(body).length > MAX_FRAME_BYTES) {
    return {
      ok: false,
      code: 'ERR_FRAME_TOO_LARGE',
      message: `frames are limited to ${MAX_FRAME_BYTES} bytes`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return malformed('not JSON');
  }
  if (!isObject(value)) return malformed('not a JSON object');
  switch (value.action) {
    case 'join':
      if (!hasOnly(value, ['action', 'room'])) return malformed('join takes only "room"');
      if (!isString(value.room, ROOM))
        return malformed('room must be user:<sub> or match [A-Za-z0-9._-]{1,64}');
      return { ok: true, frame: { action: 'join', room: value.room } };
    case 'signal':
      return parseSignal(value);
    case 'reauth':
      if (!hasOnly(value, ['action', 'token', 'proof']))
        return malformed('reauth takes only "token" and "proof"');
      if (!isString(value.token, TOKEN) || value.token.length > MAX_TOKEN_CHARS) {
        return malformed('token must be a JWT');
      }
      if (
        value.proof !== undefined &&
        !(isString(value.proof, TOKEN) && value.proof.length <= MAX_PROOF_CHARS)
      ) {
        return malformed('proof must be a compact JWS');
      }
      return {
        ok: true,
        frame: { action: 'reauth', token: value.token, ...(value.proof ? { proof: value.proof } : {}) },
      };
    case 'leave':
      if (!hasOnly(value, ['action'])) return malformed('leave takes no fields');
      return { ok: true, frame: { action: 'leave' } };
    default:
      return malformed('unknown action');
  }
}

function parseSignal(value: Json): ParseResult {
  if (!hasOnly(value, ['action', 'to', 'kind', 'payload']))
    return malformed('signal takes only "to", "kind", "payload"');
  const { to, kind, payload } = value;
  if (!isString(to, CONNECTION_ID)) return malformed('to must be a connection id');
  if (!SIGNAL_KINDS.includes(kind as SignalKind)) return malformed('kind must be offer, answer or candidate');
  const parsed = parsePayload(kind as SignalKind, payload);
  if (!parsed) return malformed(`payload does not match ${kind as SignalKind}`);
  return { ok: true, frame: { action: 'signal', to, kind: kind as SignalKind, payload: parsed } };
}

function parsePayload(kind: SignalKind, payload: unknown): SignalPayload | undefined {
  if (!isObject(payload)) return undefined;
  if (kind !== 'candidate') {
    if (!hasOnly(payload, ['type', 'sdp']) || typeof payload.sdp !== 'string') return undefined;
    if (payload.type !== undefined && payload.type !== kind) return undefined;
    return payload.type ? { type: kind, sdp: payload.sdp } : { sdp: payload.sdp };
  }
  if (!hasOnly(payload, ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'])) return undefined;
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = payload;
  const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';
  if (typeof candidate !== 'string' || !optionalString(sdpMid) || !optionalString(usernameFragment))
    return undefined;
  if (!(sdpMLineIndex === undefined || sdpMLineIndex === null || Number.isInteger(sdpMLineIndex)))
    return undefined;
  return {
    candidate,
    ...(sdpMid !== undefined ? { sdpMid: sdpMid } : {}),
    ...(sdpMLineIndex !== undefined ? { sdpMLineIndex: sdpMLineIndex as number | null } : {}),
    ...(usernameFragment !== undefined ? { usernameFragment: usernameFragment } : {}),
  };
}

function malformed(message: string): ParseResult {
  return { ok: false, code: 'ERR_FRAME_MALFORMED', message };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnly(value: Json, fields: readonly string[]): boolean {
  return Object.keys(value).every((key) => fields.includes(key));
}

function isString(value: unknown, pattern: RegExp): value is string {
  return typeof value === 'string' && pattern.test(value);
}
