// The revocation service: what each kind of revocation writes, with a fake writer and a frozen clock.

import type { RevocationKey, RevocationRecord } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';

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

  it('revokes a session for as long as its refresh token could live', async () => {
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
