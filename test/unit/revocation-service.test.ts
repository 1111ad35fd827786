// The revocation service: what each kind of revocation writes, with a fake writer and a frozen clock.

import type { RevocationKey, RevocationRecord } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';

const NOW = 1_800_000_000;
const WEEK = 7 * 24 * 3600;

function service() {
  const written: Array<[RevocationKey, RevocationRecord]> = [];
  const heard: RevocationKey[] = [];
  const svc = new RevocationService(
    { put: async (key, record) => void written.push([key, record]) },
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
