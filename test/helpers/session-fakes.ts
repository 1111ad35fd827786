// Hand-written fakes for the session cores: in-memory stores, a scripted token endpoint and identity provider.

import type { AccessClaims } from '../../lambdas/shared/claims';
import type { PutOutcome, RevocationKey, RevocationRecord, VerifyResult } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import type { AuthCoreConfig, AuthDeps } from '../../lambdas/sessions/auth-core';
import { LOGIN_COOKIE, REFRESH_COOKIE } from '../../lambdas/sessions/cookie';
import { refreshFingerprint } from '../../lambdas/sessions/refresh-registry';
import type { LoginCookieValue } from '../../lambdas/sessions/cookie';
import type {
  AuthorizationStart,
  CookiePurpose,
  CookieSealer,
  GlobalSignOutResult,
  GrantResult,
  SessionRecord,
  SessionRefresh,
  SessionRevocation,
  SessionStore,
} from '../../lambdas/sessions/ports';

export const NOW = 1_800_000_000;

/** A transparent "sealer": `<purpose>.<base64url plaintext>`; opens only its own purpose (tests read the values). */
export class FakeSealer implements CookieSealer {
  async seal(purpose: CookiePurpose, plaintext: string): Promise<string> {
    return `${purpose}.${Buffer.from(plaintext).toString('base64url')}`;
  }
  async open(purpose: CookiePurpose, sealed: string): Promise<string | undefined> {
    const [kind, body, extra] = sealed.split('.');
    return kind === purpose && body && extra === undefined
      ? Buffer.from(body, 'base64url').toString()
      : undefined;
  }
}

/** `Cookie` header value with a (fake-)sealed refresh cookie. */
export function refreshCookieHeader(sessionId: string, refreshToken: string): string {
  const plain = JSON.stringify({ sid: sessionId, rt: refreshToken });
  return `${REFRESH_COOKIE}=refresh.${Buffer.from(plain).toString('base64url')}`;
}

/** `Cookie` header value with a (fake-)sealed login cookie. */
export function loginCookieHeader(value: LoginCookieValue): string {
  return `${LOGIN_COOKIE}=login.${Buffer.from(JSON.stringify(value)).toString('base64url')}`;
}

/** What the fake authorization server generates for every login. */
export const AUTHORIZATION: AuthorizationStart = {
  authorizeUrl: 'https://auth.example.com/oauth2/authorize?client_id=client',
  state: 's'.repeat(43),
  nonce: 'n'.repeat(43),
  codeVerifier: 'v'.repeat(43),
};

/** The plaintext of a fake-sealed `Set-Cookie` line, or '' for a deleting one. */
export function openedCookie(line: string | undefined): Record<string, unknown> | '' {
  const value = (line ?? '').split(';')[0].split('=')[1] ?? '';
  if (!value) return '';
  return JSON.parse(Buffer.from(value.split('.')[1] ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
}
export const WEEK = 7 * 86400;

/** An active session of ALICE (`origin-1`), created 100 s ago, holding refresh token `rt-1` and access token `jti-0`. */
export function activeSession(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    sessionId: 'origin-1',
    sessionIdSource: 'origin_jti',
    sub: ALICE,
    username: ALICE,
    createdAt: NOW - 100,
    refreshedAt: NOW - 100,
    refreshFingerprint: refreshFingerprint('rt-1'),
    rotated: [],
    status: 'active',
    latestJti: 'jti-0',
    latestJtiExpiresAt: NOW + 800,
    expiresAt: NOW - 100 + WEEK,
    ...overrides,
  };
}

export class MemorySessions implements SessionStore {
  readonly items = new Map<string, SessionRecord>();

  async create(record: SessionRecord): Promise<boolean> {
    if (this.items.has(record.sessionId)) return false;
    this.items.set(record.sessionId, record);
    return true;
  }
  async get(sessionId: string): Promise<SessionRecord | undefined> {
    return this.items.get(sessionId);
  }
  async listBySub(sub: string): Promise<readonly SessionRecord[]> {
    return [...this.items.values()].filter((item) => item.sub === sub);
  }
  async refresh(sessionId: string, expected: string, change: SessionRefresh): Promise<boolean> {
    const item = this.items.get(sessionId);
    if (!item || item.status !== 'active' || item.refreshFingerprint !== expected) return false;
    this.items.set(sessionId, { ...item, ...change });
    return true;
  }
  async markRevoked(sessionId: string, revocation: SessionRevocation): Promise<boolean> {
    const item = this.items.get(sessionId);
    if (!item) return false;
    this.items.set(sessionId, { ...revocation, ...item, status: 'revoked' });
    return true;
  }
}

/** Deny-list writer and reader in one, keyed like the DynamoDB table. */
export class MemoryDenyList {
  readonly entries = new Map<string, RevocationRecord>();
  /** Fault injection: every write throws (a full item, throttling, an outage), reads still work. */
  failWrites = false;

  async put(key: RevocationKey, record: RevocationRecord): Promise<PutOutcome> {
    if (this.failWrites) throw new Error('injected: revocation not stored');
    const current = this.entries.get(keyOf(key))?.notBefore;
    if (record.notBefore !== undefined && current !== undefined && current >= record.notBefore)
      return 'superseded';
    this.entries.set(keyOf(key), record);
    return 'stored';
  }
  async lookup(
    claims: Pick<AccessClaims, 'jti' | 'originJti' | 'sub'>,
  ): Promise<readonly RevocationRecord[]> {
    const keys = [
      `jti#${claims.jti}`,
      `user#${claims.sub}`,
      ...(claims.originJti ? [`session#${claims.originJti}`] : []),
    ];
    return keys.flatMap((key) => this.entries.get(key) ?? []);
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
}

function keyOf(key: RevocationKey): string {
  switch (key.scope) {
    case 'token':
      return `jti#${key.jti}`;
    case 'session':
      return `session#${key.sessionId}`;
    case 'user':
      return `user#${key.sub}`;
  }
}

export const ALICE = 'aaaaaaaa-1111-2222-3333-444444444444';

/** Claims of an access token as the verifier would return them. */
export function claims(overrides: Partial<AccessClaims> = {}): AccessClaims {
  return {
    sub: ALICE,
    username: ALICE,
    jti: 'jti-1',
    originJti: 'origin-1',
    clientId: 'client',
    iat: NOW,
    exp: NOW + 900,
    groups: [],
    scopes: [],
    ...overrides,
  };
}

export interface FakeWorld {
  readonly deps: AuthDeps;
  readonly sessions: MemorySessions;
  readonly denyList: MemoryDenyList;
  /** Access token string => what the verifier says. */
  readonly verified: Map<string, VerifyResult>;
  /** Scripted answers of the token endpoint. */
  readonly grants: { code?: GrantResult; refresh?: GrantResult };
  readonly calls: {
    revoked: string[];
    signedOut: string[];
    refreshed: string[];
    exchanged: { code: string; state: string; expected: unknown }[];
  };
  globalSignOut: GlobalSignOutResult;
  clock: { now: number };
}

export const CONFIG: AuthCoreConfig = {
  refreshTokenValiditySeconds: WEEK,
  rotationGraceSeconds: 10,
  requireSessionId: true,
  allowedOrigins: ['https://app.example.com'],
  logoutUrl: 'https://auth.example.com/logout?client_id=client&logout_uri=https%3A%2F%2Fapp.example.com%2F',
};

export function fakeWorld(config: Partial<AuthCoreConfig> = {}): FakeWorld {
  const sessions = new MemorySessions();
  const denyList = new MemoryDenyList();
  const verified = new Map<string, VerifyResult>();
  const grants: FakeWorld['grants'] = {};
  const calls: FakeWorld['calls'] = { revoked: [], signedOut: [], refreshed: [], exchanged: [] };
  const clock = { now: NOW };
  const clockPort = { nowSeconds: () => clock.now };
  const world: FakeWorld = {
    sessions,
    denyList,
    verified,
    grants,
    calls,
    globalSignOut: 'signed-out',
    clock,
    deps: {
      sessions,
      denyList,
      clock: clockPort,
      revocations: new RevocationService(denyList, clockPort, { refreshTokenValiditySeconds: WEEK }),
      newSessionId: () => 'server-session-1',
      config: { ...CONFIG, ...config },
      verifier: {
        verify: async (token) => verified.get(token) ?? { ok: false, reason: 'ERR_TOKEN_SIGNATURE' },
      },
      sealer: new FakeSealer(),
      tokens: {
        startAuthorization: async () => AUTHORIZATION,
        exchangeCode: async (grant) => {
          calls.exchanged.push(grant);
          if (grant.state !== grant.expected.state) return { ok: false, error: 'invalid_state' };
          return grants.code ?? { ok: false, error: 'invalid_grant' };
        },
        refresh: async (token) => {
          calls.refreshed.push(token);
          return grants.refresh ?? { ok: false, error: 'invalid_grant' };
        },
      },
      idp: {
        revokeRefreshToken: async (token) => void calls.revoked.push(token),
        globalSignOut: async (username) => {
          calls.signedOut.push(username);
          return world.globalSignOut;
        },
      },
    },
  };
  return world;
}
