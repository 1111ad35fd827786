// The verification journey: signs in, proves tokens are checked and revocations enforced, and reports each check.

import { splitJwt, withForgedSignature } from './jwt-parts';
import type {
  DeviceKey,
  DeviceKeys,
  HttpAnswer,
  HttpProbe,
  OpenSocket,
  SignedInSession,
  SocketProbe,
  Stopwatch,
  TokenForge,
  VerificationSignIn,
} from './ports';

/** What the journey needs to know about a deployment (from its outputs). */
export interface VerifyTarget {
  /** REST API base URL; routes are appended (`/me`, `/auth/logout`, …). */
  readonly apiUrl: string;
  /** Signaling WebSocket URL. @default - the WebSocket checks fail */
  readonly wsUrl?: string;
  /** Enforcement mode the deployment declares (its outputs). @default - unknown: the mode check fails */
  readonly enforcementMode?: string;
  /** Authorizer result cache TTL the deployment declares. @default - the check fails: unknown delay */
  readonly authorizerCacheTtlSeconds?: number;
  /** Device binding (DPoP) mode the deployment declares. @default - unknown: the device binding checks are skipped */
  readonly deviceBinding?: string;
  /** Where the deployment remembers used proof ids (`table` or `instance`). @default - unknown: the replay check is skipped */
  readonly replayGuard?: string;
}

export interface JourneyDeps {
  readonly signIn: VerificationSignIn;
  readonly http: HttpProbe;
  readonly sockets: SocketProbe;
  readonly forge: TokenForge;
  readonly deviceKeys: DeviceKeys;
  readonly stopwatch: Stopwatch;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface JourneyOptions {
  /** Repetitions of each repeatable probe (p50 over them). @default 3 */
  readonly repetitions?: number;
  /** A socket must close this soon after logout. @default 2000 ms */
  readonly socketCloseMs?: number;
  /** After a failed revocation, keep polling this long to report the delay actually seen. @default 10000 ms */
  readonly maxRevocationDelayMs?: number;
}

/** Stable names of the checks: report lines and the canary's `Check` metric dimension. */
export const CHECKS = {
  mode: 'enforce mode',
  cacheTtl: 'authorizer cache TTL 0',
  signIn: 'sign-in',
  me: 'GET /me with the fresh token',
  noToken: 'no token -> 401',
  forgedSignature: 'forged signature -> 401',
  idToken: 'ID token -> 401',
  expired: 'expired token -> 401',
  otherClient: 'other-client token -> 401',
  boundToken: 'device-bound token with its proof -> 200',
  boundNoProof: 'bound token without a proof -> 401',
  boundOtherKey: "bound token with another key's proof -> 401",
  boundReplayed: 'replayed proof -> 401',
  boundStale: 'stale proof -> 401',
  boundCookie: 'refresh cookie with another key -> 401, session revoked',
  wsOpen: 'WebSocket opens with the token',
  wsRefused: 'WebSocket refused without a token',
  logout: 'logout -> next /me 401',
  wsClosed: 'WebSocket closed after logout',
  logoutAll: 'logout-all -> every session 401',
  cleanup: 'cleanup',
} as const;

export type CheckName = (typeof CHECKS)[keyof typeof CHECKS];

export interface CheckResult {
  readonly name: CheckName;
  /** True also for a skipped check (it did not fail). */
  readonly passed: boolean;
  /** Not run, and why (`reason`): e.g. device binding is off. */
  readonly skipped?: boolean;
  /** Why, in words; never contains a token. */
  readonly reason: string;
  /** Median latency of the probe, when it was timed. */
  readonly p50Ms?: number;
}

export interface JourneyReport {
  readonly checks: readonly CheckResult[];
  /** From the logout answer to the first 401 for the logged-out token; undefined when never seen. */
  readonly revocationDelayMs?: number;
}

interface Outcome {
  readonly passed: boolean;
  readonly skipped?: boolean;
  readonly reason: string;
  readonly samples?: readonly number[];
}

const NO_SESSION = 'not run: sign-in failed';

/** A proof this old is outside every authorizer's `iat` window (60 s past, 10 s ahead; docs/device-binding.md). */
const STALE_PROOF_SECONDS = 300;

/** Why the refresh-cookie check cannot run here (docs/verify.md, "Device binding"). */
const COOKIE_SKIP =
  'needs a token-handler session, which only a managed-login (browser) sign-in creates; the theft rule is tested in test/unit/session-binding.test.ts and test/integration/device-binding-enforce.test.ts';

/** Why the replayed-proof check cannot prove anything for a declared replay guard, or undefined (table). */
function replaySkipReason(guard: string | undefined): string | undefined {
  if (guard === 'table') return undefined;
  if (guard === undefined)
    return 'the outputs do not state the replay guard (a stack from before dpopReplayGuard: redeploy)';
  return `dpopReplayGuard is ${guard}: each Lambda instance remembers only its own proofs, so a replay that reaches another instance passes by design and this check could not tell a healthy deployment from a broken one`;
}

/** Why the device binding checks do not run for a declared mode, or undefined when they do (enforce). */
function bindingSkipReason(mode: string | undefined): string | undefined {
  if (mode === 'enforce') return undefined;
  if (mode === undefined) return 'the outputs do not state device binding (a stack from before it: redeploy)';
  if (mode === 'monitor')
    return 'device binding is monitor: the authorizers log would_deny instead of refusing';
  return `device binding is ${mode}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs every check in order; never throws (a failing probe is a failed check) and always cleans up. */
export async function runJourney(
  target: VerifyTarget,
  deps: JourneyDeps,
  options: JourneyOptions = {},
): Promise<JourneyReport> {
  const repetitions = Math.max(1, options.repetitions ?? 3);
  const socketCloseMs = options.socketCloseMs ?? 2000;
  const maxDelayMs = options.maxRevocationDelayMs ?? 10_000;
  const base = target.apiUrl.replace(/\/+$/, '');
  const url = (path: string) => `${base}${path}`;
  const checks: CheckResult[] = [];
  const sessions: SignedInSession[] = [];
  const sockets: OpenSocket[] = [];
  let revocationDelayMs: number | undefined;

  const record = async (name: CheckName, run: () => Promise<Outcome>) => {
    let outcome: Outcome;
    try {
      outcome = await run();
    } catch (error) {
      outcome = { passed: false, reason: `error: ${errorMessage(error)}` };
    }
    const p50Ms = outcome.samples?.length ? median(outcome.samples) : undefined;
    checks.push({
      name,
      passed: outcome.passed,
      ...(outcome.skipped ? { skipped: true } : {}),
      reason: outcome.reason,
      ...(p50Ms !== undefined ? { p50Ms } : {}),
    });
  };
  /** Runs `probe` `times` times, timing each; returns the answers and the durations. */
  const timed = async <T>(times: number, probe: () => Promise<T>) => {
    const answers: T[] = [];
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
      const start = deps.stopwatch();
      answers.push(await probe());
      samples.push(deps.stopwatch() - start);
    }
    return { answers, samples };
  };
  const me = (token?: string) => deps.http.request('GET', url('/me'), token);
  const refused = async (name: CheckName, token: () => string | undefined, how: string) =>
    record(name, async () => {
      const { answers, samples } = await timed(repetitions, () => me(token()));
      const accepted = answers.find((answer) => answer.status !== 401);
      if (accepted) return { passed: false, reason: `${how}: answered ${describe(accepted)}`, samples };
      return { passed: true, reason: `${how}: ${describe(answers[0])}`, samples };
    });

  /** RFC 9449 checks with a token bound to a key the journey holds; skipped (with the reason) unless enforced. */
  const deviceBindingChecks = async () => {
    const bindingChecks = [
      CHECKS.boundToken,
      CHECKS.boundNoProof,
      CHECKS.boundOtherKey,
      CHECKS.boundReplayed,
      CHECKS.boundStale,
    ] as const;
    const off = bindingSkipReason(target.deviceBinding);
    if (off) {
      for (const name of [...bindingChecks, CHECKS.boundCookie])
        await record(name, async () => ({ passed: true, skipped: true, reason: off }));
      return;
    }
    let key: DeviceKey | undefined;
    let bound: SignedInSession | undefined;
    const meUrl = url('/me');
    const meWith = (token: string, proof?: string) =>
      deps.http.request('GET', meUrl, token, proof === undefined ? {} : { proof });
    const proofBy = (by: DeviceKey, token: string, iat?: number) =>
      by.proof({ method: 'GET', url: meUrl, accessToken: token, ...(iat !== undefined ? { iat } : {}) });
    await record(CHECKS.boundToken, async () => {
      key = await deps.deviceKeys.create();
      const fresh = await deps.signIn.signIn();
      sessions.push(fresh);
      const tokens = await deps.signIn.bind(fresh, key.jkt);
      sessions.push(tokens); // the refresh token may have rotated: both are revoked at cleanup
      const cnf = splitJwt(tokens.accessToken).payload.cnf;
      if (!isObject(cnf) || cnf.jkt !== key.jkt)
        return {
          passed: false,
          reason:
            'GetTokensFromRefreshToken with { jkt } gave a token without that cnf.jkt (is the pre token trigger attached?)',
        };
      bound = tokens;
      const boundKey = key;
      const { answers, samples } = await timed(repetitions, async () =>
        meWith(tokens.accessToken, await proofBy(boundKey, tokens.accessToken)),
      );
      const wrong = answers.find((answer) => answer.status !== 200);
      if (wrong)
        return {
          passed: false,
          reason: `cnf.jkt set, but /me with a fresh proof answered ${describe(wrong)}`,
          samples,
        };
      return { passed: true, reason: 'cnf.jkt = the key; Authorization: DPoP + a fresh proof: 200', samples };
    });
    /** `probe` answers, or says in words why its refusal would prove nothing. */
    const refusedBound = (
      name: CheckName,
      how: string,
      probe: (token: string, key: DeviceKey) => Promise<HttpAnswer | string>,
    ) =>
      record(name, async () => {
        if (!bound || !key) return { passed: false, reason: 'not run: no bound token' };
        const token = bound.accessToken;
        const by = key;
        const { answers, samples } = await timed(repetitions, () => probe(token, by));
        const invalid = answers.find((answer) => typeof answer === 'string');
        if (invalid !== undefined) return { passed: false, reason: `${how}: ${invalid}`, samples };
        const http = answers as HttpAnswer[];
        const accepted = http.find((answer) => answer.status !== 401);
        if (accepted) return { passed: false, reason: `${how}: answered ${describe(accepted)}`, samples };
        return { passed: true, reason: `${how}: ${describe(http[0])}`, samples };
      });
    await refusedBound(CHECKS.boundNoProof, 'Authorization: DPoP, no DPoP header', (token) => meWith(token));
    await refusedBound(CHECKS.boundOtherKey, 'a fresh proof by another key', async (token) =>
      meWith(token, await proofBy(await deps.deviceKeys.create(), token)),
    );
    const replaySkip = replaySkipReason(target.replayGuard);
    if (replaySkip)
      await record(CHECKS.boundReplayed, async () => ({ passed: true, skipped: true, reason: replaySkip }));
    else
      await refusedBound(CHECKS.boundReplayed, 'a proof sent a second time', async (token, by) => {
        const proof = await proofBy(by, token);
        const first = await meWith(token, proof);
        // The first use must pass, or the replay's 401 would prove nothing.
        if (first.status !== 200) return `its first use answered ${describe(first)}`;
        return meWith(token, proof);
      });
    await refusedBound(
      CHECKS.boundStale,
      `a proof with iat ${STALE_PROOF_SECONDS} s ago`,
      async (token, by) =>
        meWith(token, await proofBy(by, token, Math.floor(Date.now() / 1000) - STALE_PROOF_SECONDS)),
    );
    await record(CHECKS.boundCookie, async () => ({ passed: true, skipped: true, reason: COOKIE_SKIP }));
  };

  try {
    // /health says only that the service is up: the outputs declare the mode, the logout check proves it.
    await record(CHECKS.mode, async () => {
      const declared = target.enforcementMode;
      if (declared === undefined)
        return { passed: false, reason: 'the outputs do not state the enforcement mode' };
      if (declared === 'enforce')
        return { passed: true, reason: 'outputs say enforce (the logout check proves it live)' };
      return { passed: false, reason: `outputs say ${declared}: revoked tokens are not denied` };
    });
    await record(CHECKS.cacheTtl, async () => {
      const ttl = target.authorizerCacheTtlSeconds;
      if (ttl === undefined)
        return { passed: false, reason: 'the outputs do not state the cache TTL: revocation delay unknown' };
      if (ttl === 0) return { passed: true, reason: '0 s: a revocation applies to the very next request' };
      return { passed: false, reason: `${ttl} s: a revoked token keeps working for up to ${ttl} s` };
    });

    let first: SignedInSession | undefined;
    await record(CHECKS.signIn, async () => {
      const { answers, samples } = await timed(1, () => deps.signIn.signIn());
      first = answers[0]!;
      sessions.push(first);
      return { passed: true, reason: 'verification user signed in without a browser', samples };
    });
    const session = first;

    await record(CHECKS.me, async () => {
      if (!session) return { passed: false, reason: NO_SESSION };
      const sub = splitJwt(session.accessToken).payload.sub;
      const { answers, samples } = await timed(repetitions, () => me(session.accessToken));
      const wrong = answers.find((answer) => answer.status !== 200 || bodyField(answer, 'sub') !== sub);
      if (wrong)
        return {
          passed: false,
          reason: `expected 200 naming the user, got ${describe(wrong)}${freshRefusalHint(wrong)}`,
          samples,
        };
      return { passed: true, reason: `200 naming ${String(bodyField(answers[0], 'username'))}`, samples };
    });
    await refused(CHECKS.noToken, () => undefined, 'no Authorization header');
    if (session) {
      const forged =
        deps.forge.kind === 'signed' ? 'validly signed' : 'tampered claims, so also a bad signature';
      await refused(
        CHECKS.forgedSignature,
        () => withForgedSignature(session.accessToken),
        'one signature byte changed',
      );
      await refused(CHECKS.idToken, () => session.idToken, 'the ID token of this sign-in');
      await refused(
        CHECKS.expired,
        () => deps.forge.expired(session.accessToken),
        `exp in the past (${forged})`,
      );
      await refused(
        CHECKS.otherClient,
        () => deps.forge.otherClient(session.accessToken),
        `client_id of another client (${forged})`,
      );
    } else {
      for (const name of [CHECKS.forgedSignature, CHECKS.idToken, CHECKS.expired, CHECKS.otherClient]) {
        await record(name, async () => ({ passed: false, reason: NO_SESSION }));
      }
    }

    await deviceBindingChecks();

    let socket: OpenSocket | undefined;
    await record(CHECKS.wsOpen, async () => {
      if (!session) return { passed: false, reason: NO_SESSION };
      if (!target.wsUrl) return { passed: false, reason: 'the outputs carry no WebSocket URL' };
      const wsUrl = target.wsUrl;
      const { answers, samples } = await timed(repetitions, () =>
        deps.sockets.open(wsUrl, session.accessToken),
      );
      const opened = answers.flatMap((attempt) => (attempt.opened ? [attempt.socket] : []));
      sockets.push(...opened);
      const failed = answers.find((attempt) => !attempt.opened);
      if (failed && !failed.opened) return { passed: false, reason: `refused: ${failed.refusal}`, samples };
      for (const extra of opened.slice(0, -1)) extra.close(); // keep one open for the logout check
      socket = opened.at(-1);
      return { passed: true, reason: 'opened with the token in Sec-WebSocket-Protocol', samples };
    });
    await record(CHECKS.wsRefused, async () => {
      if (!target.wsUrl) return { passed: false, reason: 'the outputs carry no WebSocket URL' };
      const wsUrl = target.wsUrl;
      const { answers, samples } = await timed(repetitions, () => deps.sockets.open(wsUrl));
      const opened = answers.flatMap((attempt) => (attempt.opened ? [attempt.socket] : []));
      sockets.push(...opened);
      const refusal = answers.find((attempt) => !attempt.opened);
      if (opened.length > 0)
        return { passed: false, reason: 'a socket without a token was accepted', samples };
      return {
        passed: true,
        reason: `refused: ${refusal && !refusal.opened ? refusal.refusal : ''}`,
        samples,
      };
    });

    let socketClosed: Promise<boolean> | undefined;
    await record(CHECKS.logout, async () => {
      if (!session) return { passed: false, reason: NO_SESSION };
      const { answers, samples } = await timed(1, () =>
        deps.http.request('POST', url('/auth/logout'), session.accessToken),
      );
      const loggedOutAt = deps.stopwatch();
      socketClosed = socket?.closedWithin(socketCloseMs);
      if (answers[0].status !== 200)
        return { passed: false, reason: `logout answered ${describe(answers[0])}`, samples };
      const next = await me(session.accessToken);
      if (next.status === 401) {
        revocationDelayMs = Math.round(deps.stopwatch() - loggedOutAt);
        return {
          passed: true,
          reason: `the very next /me: ${describe(next)}; revocation delay seen ${revocationDelayMs} ms`,
          samples,
        };
      }
      revocationDelayMs = await pollUntilRefused(
        () => me(session.accessToken),
        loggedOutAt,
        maxDelayMs,
        deps,
      );
      const seen =
        revocationDelayMs === undefined
          ? `not refused within ${maxDelayMs} ms`
          : `refused only after ${revocationDelayMs} ms`;
      return { passed: false, reason: `the very next /me answered ${describe(next)}; ${seen}`, samples };
    });
    await record(CHECKS.wsClosed, async () => {
      if (!socketClosed) return { passed: false, reason: 'not run: no socket was open' };
      const closed = await socketClosed;
      return closed
        ? { passed: true, reason: `server closed it within ${socketCloseMs} ms` }
        : { passed: false, reason: `still open ${socketCloseMs} ms after logout` };
    });

    await record(CHECKS.logoutAll, async () => {
      if (!session) return { passed: false, reason: NO_SESSION };
      const others = [await deps.signIn.signIn(), await deps.signIn.signIn()];
      sessions.push(...others);
      for (const other of others) {
        const before = await me(other.accessToken);
        if (before.status !== 200)
          return {
            passed: false,
            reason: `a fresh session got ${describe(before)} before logout-all${freshRefusalHint(before)}`,
          };
      }
      const { answers, samples } = await timed(1, () =>
        deps.http.request('POST', url('/auth/logout-all'), others[0].accessToken),
      );
      if (answers[0].status !== 200)
        return { passed: false, reason: `logout-all answered ${describe(answers[0])}`, samples };
      const after = await Promise.all(others.map((other) => me(other.accessToken)));
      const still = after.filter((answer) => answer.status !== 401);
      if (still.length > 0)
        return {
          passed: false,
          reason: `${still.length} of ${after.length} sessions still allowed: ${describe(still[0])}`,
          samples,
        };
      return {
        passed: true,
        reason: `${after.length} of ${after.length} sessions refused: ${describe(after[0])}`,
        samples,
      };
    });
  } finally {
    for (const open of sockets) open.close();
    await record(CHECKS.cleanup, async () => {
      const results = await Promise.allSettled(
        sessions.map((s) => deps.signIn.revokeRefreshToken(s.refreshToken)),
      );
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) return { passed: false, reason: `RevokeToken failed: ${errorMessage(failed.reason)}` };
      return { passed: true, reason: `${sessions.length} refresh token(s) revoked, sockets closed` };
    });
  }
  return { checks, ...(revocationDelayMs !== undefined ? { revocationDelayMs } : {}) };
}

/** Polls until the answer is 401; returns ms since `since`, or undefined after `maxMs`. */
async function pollUntilRefused(
  probe: () => Promise<HttpAnswer>,
  since: number,
  maxMs: number,
  deps: Pick<JourneyDeps, 'stopwatch' | 'sleep'>,
): Promise<number | undefined> {
  while (deps.stopwatch() - since < maxMs) {
    await deps.sleep(250);
    if ((await probe()).status === 401) return Math.round(deps.stopwatch() - since);
  }
  return undefined;
}

/** Why a deployment refuses a token it just issued (API Gateway's 401 body does not say). */
function freshRefusalHint(answer: HttpAnswer): string {
  return answer.status === 401
    ? ': the authorizer refused a fresh token (revocation store or JWKS unavailable, or the verification client not accepted: see its auth_denied reason)'
    : '';
}

function bodyField(answer: HttpAnswer, field: string): unknown {
  return typeof answer.body === 'object' && answer.body !== null
    ? (answer.body as Record<string, unknown>)[field]
    : undefined;
}

/** `401 ERR_TOKEN_EXPIRED`: the status and the error code of the body, if any. */
function describe(answer: HttpAnswer): string {
  const error = bodyField(answer, 'error') ?? bodyField(answer, 'message');
  return typeof error === 'string' ? `${answer.status} ${error}` : String(answer.status);
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const value = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return Math.round(value);
}

function errorMessage(error: unknown): string {
  return error instanceof Error
    ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
    : String(error);
}
