// Property-based fuzzing (fast-check) of the other untrusted-input parsers: signaling frames, the refresh cookie,
// the WebSocket handshake. Each never throws, and anything it accepts is inside the schema, restated here.
import fc from 'fast-check';
import { checkHandshake } from '../../lambdas/authorizer/websocket-handshake';
import { AesGcmCookieSealer } from '../../lambdas/adapters/cookie-sealer';
import { openRefreshCookie, REFRESH_COOKIE, refreshCookie } from '../../lambdas/sessions/cookie';
import type { ClientFrame } from '../../lambdas/signaling/frames';
import { MAX_FRAME_BYTES, parseFrame, SIGNAL_KINDS } from '../../lambdas/signaling/frames';
import { SUBPROTOCOL } from '../../lambdas/shared/websocket-routes';

const RUNS = { numRuns: 3000 };

// --- the schema, restated independently of the parser ---
const ROOM = /^[A-Za-z0-9._-]{1,64}$/;
const CONNECTION_ID = /^[A-Za-z0-9+/=_-]{1,128}$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SESSION_ID = /^[A-Za-z0-9-]{1,128}$/;
const REFRESH_TOKEN = /^[A-Za-z0-9\-_.]{1,8192}$/;
const BEARER_TOKEN = /^[A-Za-z0-9\-_.=+/]{1,8192}$/;

const keysAre = (value: object, allowed: readonly string[], required: readonly string[] = allowed) =>
  Object.keys(value).every((k) => allowed.includes(k)) && required.every((k) => k in value);
const optionalString = (v: unknown) => v === undefined || v === null || typeof v === 'string';

function inSchema(frame: ClientFrame): boolean {
  switch (frame.action) {
    case 'join':
      return keysAre(frame, ['action', 'room']) && ROOM.test(frame.room);
    case 'leave':
      return keysAre(frame, ['action']);
    case 'reauth':
      return keysAre(frame, ['action', 'token']) && JWT.test(frame.token) && frame.token.length <= 8192;
    case 'signal': {
      if (!keysAre(frame, ['action', 'to', 'kind', 'payload']) || !CONNECTION_ID.test(frame.to)) return false;
      if (!SIGNAL_KINDS.includes(frame.kind)) return false;
      const payload = frame.payload as Record<string, unknown>;
      if (frame.kind === 'candidate') {
        return (
          keysAre(payload, ['candidate', 'sdpMid', 'sdpMLineIndex', 'usernameFragment'], ['candidate']) &&
          typeof payload.candidate === 'string' &&
          optionalString(payload.sdpMid) &&
          optionalString(payload.usernameFragment) &&
          (payload.sdpMLineIndex === undefined ||
            payload.sdpMLineIndex === null ||
            Number.isInteger(payload.sdpMLineIndex))
        );
      }
      return (
        keysAre(payload, ['type', 'sdp'], ['sdp']) &&
        typeof payload.sdp === 'string' &&
        (payload.type === undefined || payload.type === frame.kind)
      );
    }
    default:
      return false;
  }
}

// --- generators: valid frames, near misses, and anything JSON ---
const token = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
  )
  .map((parts) => parts.join('.'));
const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ action: fc.constant('join'), room: fc.stringMatching(ROOM) }),
  fc.constant({ action: 'leave' }),
  fc.record({ action: fc.constant('reauth'), token }),
  fc.record({
    action: fc.constant('signal'),
    to: fc.stringMatching(CONNECTION_ID),
    kind: fc.constantFrom('offer', 'answer'),
    payload: fc.record({ sdp: fc.string() }),
  }),
  fc.record({
    action: fc.constant('signal'),
    to: fc.stringMatching(CONNECTION_ID),
    kind: fc.constant('candidate'),
    payload: fc.record(
      {
        candidate: fc.string(),
        sdpMid: fc.option(fc.string()),
        sdpMLineIndex: fc.option(fc.integer({ min: 0, max: 64 })),
        usernameFragment: fc.option(fc.string()),
      },
      { requiredKeys: ['candidate'] },
    ),
  }),
);
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'action',
  'toString',
  'room',
  'extra',
);
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.constantFrom('join', 'signal', 'reauth', 'leave', 'offer', 'answer', 'candidate'),
);
/** A valid frame with one field added, removed or replaced by anything. */
const nearMiss = fc.tuple(validFrame, hostileKey, anyValue, fc.boolean()).map(([frame, key, value, drop]) => {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(frame));
  if (drop) delete copy[key];
  else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return JSON.stringify(copy);
});
const anyBody = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  validFrame.map((f) => JSON.stringify(f)),
  nearMiss,
  fc.nat({ max: 20_000 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
);

describe('parseFrame (fuzzed)', () => {
  it('never throws; what it accepts is in the schema and is exactly the JSON it was sent', () => {
    fc.assert(
      fc.property(fc.option(anyBody), (body) => {
        const result = parseFrame(body);
        if (!result.ok) {
          expect(['ERR_FRAME_MALFORMED', 'ERR_FRAME_TOO_LARGE']).toContain(result.code);
          return;
        }
        expect(inSchema(result.frame)).toBe(true);
        expect(Buffer.byteLength(body ?? '', 'utf8')).toBeLessThanOrEqual(MAX_FRAME_BYTES);
        expect(result.frame).toEqual(JSON.parse(body!)); // nothing dropped, nothing added
      }),
      RUNS,
    );
  });

  it('accepts every frame of the schema', () => {
    fc.assert(
      fc.property(validFrame, (frame) => {
        expect(parseFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
      }),
      RUNS,
    );
  });

  it('refuses a frame over the byte limit even when its characters fit, whatever it holds', () => {
    fc.assert(
      fc.property(fc.constantFrom('é', '😀', 'a'), fc.nat({ max: 64 }), (char, extra) => {
        const room = char.repeat(Math.ceil((MAX_FRAME_BYTES + 1) / Buffer.byteLength(char)) + extra);
        const result = parseFrame(JSON.stringify({ action: 'join', room }));
        expect(result).toMatchObject({ ok: false, code: 'ERR_FRAME_TOO_LARGE' });
      }),
      { numRuns: 50 },
    );
  });
});

// --- the refresh cookie ---
const sessionId = fc.stringMatching(SESSION_ID);
const refreshToken = fc.stringMatching(/^[A-Za-z0-9\-_.]{1,300}$/);
const otherCookie = fc
  .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[A-Za-z0-9]{0,12}$/))
  .map(([k, v]) => `${k}=${v}`);
const sealer = new AesGcmCookieSealer({
  current: async () => 'fuzz-key-material-0123456789abcdefghij',
  previous: async () => undefined,
});
const ASYNC_RUNS = { numRuns: 500 };

describe('openRefreshCookie (fuzzed)', () => {
  it('never throws and opens nothing it did not seal', async () => {
    const cookieLine = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc
        .array(
          fc.oneof(
            otherCookie,
            fc.string().map((v) => `${REFRESH_COOKIE}=${v}`),
          ),
          { maxLength: 4 },
        )
        .map((p) => p.join('; ')),
      fc.tuple(sessionId, refreshToken).map(([sid, rt]) => `${REFRESH_COOKIE}=${sid}:${rt}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(cookieLine, { maxLength: 3 }), async (lines) => {
        const parsed = await openRefreshCookie(sealer, lines);
        expect(parsed.kind).not.toBe('present');
      }),
      ASYNC_RUNS,
    );
  });

  it('reads back what refreshCookie sealed, among any other cookies', async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionId,
        refreshToken,
        fc.array(otherCookie, { maxLength: 4 }),
        fc.nat(),
        async (s, r, others, at) => {
          const [pair = ''] = (await refreshCookie(sealer, { sessionId: s, refreshToken: r }, 60)).split(';');
          const all = [...others];
          all.splice(at % (others.length + 1), 0, pair);
          expect(await openRefreshCookie(sealer, [all.join('; ')])).toEqual({
            kind: 'present',
            sessionId: s,
            refreshToken: r,
          });
        },
      ),
      ASYNC_RUNS,
    );
  });

  it('refuses any single-character change of a sealed value', async () => {
    await fc.assert(
      fc.asyncProperty(
        sessionId,
        refreshToken,
        fc.nat(),
        fc.constantFrom('A', 'b', '-', '_', '.'),
        async (s, r, at, c) => {
          const [pair = ''] = (await refreshCookie(sealer, { sessionId: s, refreshToken: r }, 60)).split(';');
          const value = pair.slice(REFRESH_COOKIE.length + 1);
          const i = at % value.length;
          if (value[i] === c) return;
          const changed = value.slice(0, i) + c + value.slice(i + 1);
          expect((await openRefreshCookie(sealer, [`${REFRESH_COOKIE}=${changed}`])).kind).toBe('malformed');
        },
      ),
      ASYNC_RUNS,
    );
  });

  it('treats a second refresh cookie as malformed, never picking one', async () => {
    await fc.assert(
      fc.asyncProperty(sessionId, refreshToken, fc.boolean(), async (s, r, sameLine) => {
        const [one = ''] = (await refreshCookie(sealer, { sessionId: s, refreshToken: r }, 60)).split(';');
        const lines = sameLine ? [`${one}; ${one}`] : [one, one];
        expect(await openRefreshCookie(sealer, lines)).toEqual({ kind: 'malformed' });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to seal anything outside the schema (no header injection)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (s, r) => {
        let built: string;
        try {
          built = await refreshCookie(sealer, { sessionId: s, refreshToken: r }, 60);
        } catch {
          return;
        }
        expect(s).toMatch(SESSION_ID);
        expect(r).toMatch(REFRESH_TOKEN);
        expect(built).toMatch(
          /^__Host-cg_refresh=v1\.[\w-]+\.[\w-]+\.[\w-]+; Max-Age=60; Path=\/; HttpOnly; Secure; SameSite=Strict$/,
        );
      }),
      ASYNC_RUNS,
    );
  });
});

// --- the WebSocket handshake (Sec-WebSocket-Protocol, Origin, query string) ---
const ORIGIN = 'https://app.example.com';
const protocolItem = fc.oneof(
  fc.constant(SUBPROTOCOL),
  token.map((t) => `bearer.${t}`),
  fc.string().map((s) => `bearer.${s}`),
  fc.string(),
);

describe('checkHandshake (fuzzed)', () => {
  it('never throws; ok only with the subprotocol, one bearer token of the token alphabet, an allowed Origin, a clean query', () => {
    fc.assert(
      fc.property(
        fc.option(
          fc.oneof(
            fc.string(),
            fc.array(protocolItem, { maxLength: 4 }).map((items) => items.join(', ')),
          ),
          { nil: undefined },
        ),
        fc.option(fc.constantFrom(ORIGIN, 'https://evil.example', 'null', ''), { nil: undefined }),
        fc.option(fc.dictionary(fc.string({ maxLength: 12 }), fc.string()), { nil: undefined }),
        (protocols, origin, query) => {
          const result = checkHandshake({ protocols, origin, query, allowedOrigins: [ORIGIN] });
          if (!result.ok) return;
          expect(origin === undefined || origin === ORIGIN).toBe(true);
          expect(result.token).toMatch(BEARER_TOKEN);
          const offered = (protocols ?? '').split(',').map((p) => p.trim());
          expect(offered).toContain(SUBPROTOCOL);
          expect(offered.filter((p) => p.startsWith('bearer.'))).toEqual([`bearer.${result.token}`]);
          for (const value of Object.values(query ?? {})) expect(value).not.toMatch(/^(bearer\.)?eyJ/);
        },
      ),
      RUNS,
    );
  });
});
