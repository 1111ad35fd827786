// The SocketCloser revocation listener: finds the affected sockets, sends `revoked`, closes them, counts them.

import type { RevocationKey, RevocationRecord } from '../../lambdas/shared/ports';
import { createObservability } from '../../lambdas/shared/observability';
import type { Connection } from '../../lambdas/signaling/ports';
import { SocketCloser } from '../../lambdas/signaling/socket-closer';
import { MemoryConnections, RecordingSender } from '../helpers/memory-connections';

process.env.POWERTOOLS_METRICS_DISABLED = 'true'; // the spy counts metrics; no EMF lines in the test output

const NOW = 1_800_000_000;
const row = (id: string, sub: string, sessionId: string, jti: string, tokenIat = NOW - 10): Connection => ({
  connectionId: id,
  sub,
  username: sub,
  groups: [],
  sessionId,
  jti,
  tokenExp: NOW + 600,
  tokenIat,
  connectedAt: NOW - 5,
});
const record = (
  scope: RevocationRecord['scope'],
  extra: Partial<RevocationRecord> = {},
): RevocationRecord => ({
  scope,
  sub: 'alice',
  revokedAt: NOW,
  expiresAt: NOW + 600,
  reason: 'logout',
  actor: 'alice',
  ...extra,
});

function setup(gone: string[] = []) {
  const connections = new MemoryConnections([
    row('a1', 'alice', 's1', 'j1'),
    row('a2', 'alice', 's1', 'j2'),
    row('a3', 'alice', 's2', 'j3'),
    row('b1', 'bob', 's9', 'j9'),
  ]);
  const sender = new RecordingSender(new Set(gone));
  const obs = createObservability('test');
  const metrics = jest.spyOn(obs.metrics, 'singleMetric');
  return { connections, sender, closer: new SocketCloser({ connections, sender, obs }), metrics, obs };
}

describe('SocketCloser', () => {
  it.each<[string, RevocationKey, RevocationRecord, string[]]>([
    ['one token (jti)', { scope: 'token', jti: 'j2' }, record('token'), ['a2']],
    ['one session', { scope: 'session', sessionId: 's1' }, record('session'), ['a1', 'a2']],
    ['one user', { scope: 'user', sub: 'alice' }, record('user', { notBefore: NOW + 1 }), ['a1', 'a2', 'a3']],
  ])('closes the sockets of %s and no others', async (_name, key, rec, expected) => {
    const { closer, sender, metrics } = setup();
    await closer.revoked(key, rec);
    expect(sender.closed).toEqual(expected);
    expect(sender.sent).toEqual(
      expected.map((to) => ({
        to,
        frame: { type: 'revoked', reason: 'ERR_TOKEN_REVOKED', scope: key.scope },
      })),
    );
    expect(metrics).toHaveBeenCalledTimes(expected.length);
  });

  it('keeps a user socket whose token was issued after the watermark', async () => {
    const { closer, sender, connections } = setup();
    await connections.put(row('a4', 'alice', 's3', 'j4', NOW + 5));
    await closer.revoked({ scope: 'user', sub: 'alice' }, record('user', { notBefore: NOW + 1 }));
    expect(sender.closed).not.toContain('a4');
  });

  it('treats 410 Gone as already closed and drops the stale row', async () => {
    const { closer, sender, connections } = setup(['a1']);
    await closer.revoked({ scope: 'session', sessionId: 's1' }, record('session'));
    expect(sender.closed).toEqual(['a2']);
    expect((await connections.get(['a1'])).size).toBe(0);
  });

  it('never throws: the revocation is stored already, the failure is logged', async () => {
    const { connections, sender, obs, closer } = setup();
    jest.spyOn(connections, 'listBySession').mockRejectedValue(new Error('store down'));
    const logged = jest.spyOn(obs.logger, 'error').mockImplementation(() => undefined);
    await expect(
      closer.revoked({ scope: 'session', sessionId: 's1' }, record('session')),
    ).resolves.toBeUndefined();
    expect(sender.closed).toEqual([]);
    expect(logged).toHaveBeenCalledWith(
      'closing revoked sockets failed',
      expect.objectContaining({ event: 'socket_close_failed' }),
    );
  });
});
