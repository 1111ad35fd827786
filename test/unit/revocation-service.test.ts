// The revocation service: what each kind of revocation writes, with a fake writer and a frozen clock.

import type { RevocationKey, RevocationRecord } from '../../lambdas/shared/ports';
import { FOLD_MARGIN_SECONDS } from '../../lambdas/shared/deny-list-item';
import { CLOCK_SKEW_SECONDS, FOLD_REASON, RevocationService } from '../../lambdas/shared/revocation-service';

const NOW = 1_800_000_000;
const WEEK = 7 * 24 * 3600;

function service() {
  const written: Array<[RevocationKey, RevocationRecord]> = [];
  const heard: RevocationKey[] = [];
  const svc = new RevocationService(
    { put: async (key, record) => (written.push([key, record]), 'stored' as const) },
    { nowSeconds: () => NOW },
    { refreshTokenValiditySeconds: WEEK },
    [{ revoked: async (key) => void heard.push(key) }],
  );
  return { svc, written, heard };
}

const by = { actor: 'user-1', reason: 'logout' };

describe('RevocationService', () => {
  it('revokes one token until its own expiry', async () => {
    const { svc, written, heard } = service();
    await svc.revokeToken({ jti: 'j1', sub: 'user-1', exp: NOW + 500 }, by);
    expect(written).toEqual([
      [
        { scope: 'token', jti: 'j1' },
        {
          scope: 'token',
          sub: 'user-1',
          revokedAt: NOW,
          expiresAt: NOW + 500,
          reason: 'logout',
          actor: 'user-1',
        },
      ],
    ]);
    expect(heard).toEqual([{ scope: 'token', jti: 'j1' }]);
  });

  it('revokes an ended session only as long as the tokens it already minted, plus clock skew', async () => {
    const { svc, written } = service();
    await svc.revokeSession({ sessionId: 's1', sub: 'user-1', tokensValidFor: 900 }, by);
    expect(written[0][1].expiresAt).toBe(NOW + 900 + CLOCK_SKEW_SECONDS);
    // never longer than a refresh token could live
    await svc.revokeSession({ sessionId: 's2', sub: 'user-1', tokensValidFor: 2 * WEEK }, by);
    expect(written[1][1].expiresAt).toBe(NOW + WEEK);
  });

  it('folds an item past its budget: a watermark 61 s ahead, announced with its own reason', async () => {
    const written: Array<[RevocationKey, RevocationRecord]> = [];
    const heard: RevocationRecord[] = [];
    const svc = new RevocationService(
      {
        put: async (key, record) => {
          written.push([key, record]);
          return key.scope === 'user' ? 'stored' : 'over-budget';
        },
      },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: WEEK },
      [{ revoked: async (_key, record) => void heard.push(record) }],
    );
    await svc.revokeSession({ sessionId: 's1', sub: 'user-1', tokensValidFor: 900 }, by);
    expect(written.map(([key]) => key.scope)).toEqual(['session', 'user']);
    expect(written[1][1]).toMatchObject({
      notBefore: NOW + FOLD_MARGIN_SECONDS + 1,
      expiresAt: NOW + FOLD_MARGIN_SECONDS + 1 + WEEK,
      reason: FOLD_REASON,
      actor: 'system',
    });
    expect(heard.map((record) => record.reason)).toEqual(['logout', FOLD_REASON]);
  });

  it('tells every listener when a write fails (counted, alarmed), then fails the caller', async () => {
    const failed: Array<[RevocationKey, string]> = [];
    const svc = new RevocationService(
      { put: async () => Promise.reject(new Error('Item size has exceeded the maximum allowed size')) },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: WEEK },
      [
        {
          revoked: async () => undefined,
          notStored: async (key, _record, error) => void failed.push([key, (error as Error).message]),
        },
      ],
    );
    await expect(svc.revokeSession({ sessionId: 's1', sub: 'user-1' }, by)).rejects.toThrow(
      'maximum allowed size',
    );
    expect(failed).toEqual([
      [{ scope: 'session', sessionId: 's1' }, 'Item size has exceeded the maximum allowed size'],
    ]);
  });

  it('keeps the stored revocation when the fold fails (the next write folds)', async () => {
    const svc = new RevocationService(
      {
        put: async (key) => {
          if (key.scope === 'user') throw new Error('throttled');
          return 'over-budget';
        },
      },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: WEEK },
    );
    await expect(svc.revokeToken({ jti: 'j1', sub: 'user-1', exp: NOW + 500 }, by)).resolves.toMatchObject({
      scope: 'token',
    });
  });

  it('revokes a session for as long as its refresh token could live when its record may still mint tokens', async () => {
    const { svc, written } = service();
    await svc.revokeSession({ sessionId: 's1', sub: 'user-1' }, { actor: 'system', reason: 'refresh-reuse' });
    expect(written[0]).toEqual([
      { scope: 'session', sessionId: 's1' },
      {
        scope: 'session',
        sub: 'user-1',
        revokedAt: NOW,
        expiresAt: NOW + WEEK,
        reason: 'refresh-reuse',
        actor: 'system',
      },
    ]);
  });

  it('revokes a user with a watermark that also covers tokens issued in the current second', async () => {
    const { svc, written } = service();
    await svc.revokeUser({ sub: 'user-1' }, { actor: 'admin:root', reason: 'admin' });
    expect(written[0]).toEqual([
      { scope: 'user', sub: 'user-1' },
      {
        scope: 'user',
        sub: 'user-1',
        revokedAt: NOW,
        notBefore: NOW + 1,
        expiresAt: NOW + 1 + WEEK,
        reason: 'admin',
        actor: 'admin:root',
      },
    ]);
  });

  it('does not notify listeners when the write fails', async () => {
    const heard: RevocationKey[] = [];
    const svc = new RevocationService(
      { put: async () => Promise.reject(new Error('store down')) },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: WEEK },
      [{ revoked: async (key) => void heard.push(key) }],
    );
    await expect(svc.revokeToken({ jti: 'j1', sub: 'u', exp: NOW + 1 }, by)).rejects.toThrow('store down');
    expect(heard).toEqual([]);
  });
});

describe('RevocationService user watermarks', () => {
  function withStoredWatermark(notBefore: number) {
    const heard: RevocationKey[] = [];
    const svc = new RevocationService(
      {
        put: async (_key, record) =>
          record.notBefore !== undefined && record.notBefore <= notBefore ? 'superseded' : 'stored',
      },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: WEEK },
      [{ revoked: async (key) => void heard.push(key) }],
    );
    return { svc, heard };
  }

  it('dates the watermark from when the change happened, not from when it was heard of', async () => {
    const { svc, heard } = withStoredWatermark(0);
    const record = await svc.revokeUser(
      { sub: 'u' },
      { actor: 'iam:x', reason: 'cognito:AdminDisableUser' },
      NOW - 30,
    );
    expect(record).toMatchObject({ notBefore: NOW - 29, expiresAt: NOW - 29 + WEEK, revokedAt: NOW });
    expect(heard).toEqual([{ scope: 'user', sub: 'u' }]);
  });

  it('never dates a watermark in the future', async () => {
    const { svc } = withStoredWatermark(0);
    const record = await svc.revokeUser({ sub: 'u' }, by, NOW + 3600);
    expect(record.notBefore).toBe(NOW + 1);
  });

  it('tells no listener when an equal or later watermark already stands', async () => {
    const { svc, heard } = withStoredWatermark(NOW + 1);
    await svc.revokeUser({ sub: 'u' }, by, NOW);
    await svc.revokeUser({ sub: 'u' }, by, NOW - 100);
    expect(heard).toEqual([]);
  });
});
