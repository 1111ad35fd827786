// Events out: the CAEP-aligned event built for each revocation scope, and the publishing listener's retry and report.

import type { RevocationKey, RevocationRecord } from '../../lambdas/shared/ports';
import type { RevocationEvent } from '../../lambdas/shared/revocation-events';
import {
  initiatingEntity,
  RevocationEventPublishing,
  revocationEvent,
} from '../../lambdas/shared/revocation-events';

const NOW = 1_800_000_000;
const ISS = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC';

const record = (overrides: Partial<RevocationRecord> = {}): RevocationRecord => ({
  scope: 'token',
  sub: 'sub-1',
  revokedAt: NOW,
  expiresAt: NOW + 900,
  reason: 'logout',
  actor: 'sub-1',
  ...overrides,
});

describe('revocationEvent', () => {
  it('publishes a token revocation as Token Revoked with the jti as a jwt_id subject', () => {
    const event = revocationEvent({ scope: 'token', jti: 'j1' }, record(), ISS);
    expect(event).toEqual({
      source: 'cognito-guard',
      detailType: 'Token Revoked',
      time: NOW,
      detail: {
        version: '1',
        scope: 'token',
        sub: 'sub-1',
        jti: 'j1',
        reason: 'logout',
        actor: 'sub-1',
        revokedAt: NOW,
        expiresAt: NOW + 900,
        caep: {
          subject: {
            format: 'complex',
            user: { format: 'iss_sub', iss: ISS, sub: 'sub-1' },
            token: { format: 'jwt_id', iss: ISS, jti: 'j1' },
          },
          initiating_entity: 'user',
          reason_admin: { en: 'logout' },
          event_timestamp: NOW,
        },
      },
    });
  });

  it('publishes a session revocation as Session Revoked with the session id', () => {
    const key: RevocationKey = { scope: 'session', sessionId: 's1' };
    const { detailType, detail } = revocationEvent(key, record({ scope: 'session' }), ISS);
    expect(detailType).toBe('Session Revoked');
    expect(detail).toMatchObject({ scope: 'session', sessionId: 's1' });
    expect(detail).not.toHaveProperty('jti');
    expect(detail.caep.subject).toEqual({
      format: 'complex',
      user: { format: 'iss_sub', iss: ISS, sub: 'sub-1' },
      session: { format: 'opaque', id: 's1' },
    });
  });

  it('publishes a user watermark as User Revoked with notBefore and an iss_sub subject', () => {
    const rec = record({
      scope: 'user',
      notBefore: NOW + 1,
      actor: 'iam:arn:aws:iam::1:user/ops',
      reason: 'x',
    });
    const { detailType, detail } = revocationEvent({ scope: 'user', sub: 'sub-1' }, rec, ISS);
    expect(detailType).toBe('User Revoked');
    expect(detail).toMatchObject({ notBefore: NOW + 1, actor: 'iam:arn:aws:iam::1:user/ops' });
    expect(detail.caep.subject).toEqual({ format: 'iss_sub', iss: ISS, sub: 'sub-1' });
    expect(detail.caep.initiating_entity).toBe('admin');
  });

  it.each([
    ['admin:root', 'admin', 'admin'],
    ['iam:arn:aws:iam::1:role/ops', 'cognito:AdminDisableUser', 'admin'],
    ['system', 'refresh-reuse', 'policy'],
    ['system', 'sweep', 'system'],
    ['sub-1', 'logout-all', 'user'],
  ] as const)('maps actor %s / reason %s to initiating_entity %s', (actor, reason, entity) => {
    expect(initiatingEntity({ actor, reason })).toBe(entity);
  });
});

describe('RevocationEventPublishing', () => {
  const key: RevocationKey = { scope: 'token', jti: 'j1' };

  function publishing(failures: number, attempts = 3) {
    const published: RevocationEvent[] = [];
    const reported: Array<{ attempts: number; error: unknown }> = [];
    const waits: number[] = [];
    let calls = 0;
    const listener = new RevocationEventPublishing(
      {
        publish: async (event) => {
          calls += 1;
          if (calls <= failures) throw new Error(`bus down ${calls}`);
          published.push(event);
        },
      },
      { publishFailed: (_event, error, n) => void reported.push({ attempts: n, error }) },
      { issuer: ISS, attempts, backoffMs: 10, sleep: async (ms) => void waits.push(ms) },
    );
    return { listener, published, reported, waits, calls: () => calls };
  }

  it('publishes one event per revocation', async () => {
    const { listener, published, reported } = publishing(0);
    await listener.revoked(key, record());
    expect(published.map((e) => e.detailType)).toEqual(['Token Revoked']);
    expect(reported).toEqual([]);
  });

  it('retries a failed publish with backoff and succeeds', async () => {
    const { listener, published, reported, waits } = publishing(2);
    await listener.revoked(key, record());
    expect(published).toHaveLength(1);
    expect(waits).toEqual([10, 20]);
    expect(reported).toEqual([]);
  });

  it('reports a publish that failed every attempt, and does not throw', async () => {
    const { listener, published, reported, calls } = publishing(99);
    await expect(listener.revoked(key, record())).resolves.toBeUndefined();
    expect(published).toEqual([]);
    expect(calls()).toBe(3);
    expect(reported).toEqual([{ attempts: 3, error: new Error('bus down 3') }]);
  });

  it('does not throw when the reporter itself throws', async () => {
    const listener = new RevocationEventPublishing(
      { publish: async () => Promise.reject(new Error('down')) },
      {
        publishFailed: () => {
          throw new Error('logger broken');
        },
      },
      { issuer: ISS, attempts: 1 },
    );
    await expect(listener.revoked(key, record())).resolves.toBeUndefined();
  });
});
