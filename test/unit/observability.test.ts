// Observability helpers: metric dimensions stay bounded, cold start counted once, every revocation logged and counted.

import { countColdStart, createObservability, recordDenied } from '../../lambdas/shared/observability';
import { RevocationRecorder } from '../../lambdas/shared/revocation-metrics';
import { FOLD_REASON } from '../../lambdas/shared/revocation-service';
import { captureLogs, type CapturedLogs } from '../helpers/capture-logs';

interface Emf {
  readonly _aws: {
    readonly CloudWatchMetrics: { readonly Namespace: string; readonly Dimensions: string[][] }[];
  };
  readonly [key: string]: unknown;
}

let logs: CapturedLogs;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.stop());

const emf = () => logs.lines().filter((line) => '_aws' in line) as unknown as Emf[];

describe('recordDenied', () => {
  it('emits AuthDenied by Reason and by Function, with the fixed service value and no user id', () => {
    const obs = createObservability('authorizer');

    recordDenied(obs, {
      reason: 'ERR_TOKEN_EXPIRED',
      route: 'GET /me',
      sub: 'user-123',
      jti: 'jti-9',
      token: 'a.b.c',
    });

    const [blob] = emf();
    expect(blob._aws.CloudWatchMetrics[0]).toEqual(
      expect.objectContaining({
        Namespace: 'CognitoGuard',
        Dimensions: [
          ['service', 'Reason'],
          ['service', 'Function'],
        ],
      }),
    );
    expect(blob).toMatchObject({
      service: 'cognito-guard',
      Reason: 'ERR_TOKEN_EXPIRED',
      Function: 'authorizer',
      AuthDenied: 1,
    });
    expect(JSON.stringify(blob)).not.toMatch(/user-123|jti-9/);
    expect(logs.lines()).toContainEqual(
      expect.objectContaining({
        event: 'auth_denied',
        service: 'authorizer',
        reason: 'ERR_TOKEN_EXPIRED',
        sub: 'user-123',
      }),
    );
  });
});

describe('countColdStart', () => {
  const initType = process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  afterEach(() => {
    if (initType === undefined) delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    else process.env.AWS_LAMBDA_INITIALIZATION_TYPE = initType;
  });

  it('emits ColdStart with the function name on the first invocation only', () => {
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand'; // as Lambda sets it
    const obs = createObservability('auth');

    countColdStart(obs);
    countColdStart(obs);

    const coldStarts = emf().filter((blob) => 'ColdStart' in blob);
    expect(coldStarts).toEqual([
      expect.objectContaining({ service: 'cognito-guard', function_name: 'auth', ColdStart: 1 }),
    ]);
  });
});

describe('RevocationRecorder', () => {
  const record = { revokedAt: 100, expiresAt: 200, reason: 'logout', actor: 'user-1', sub: 'user-1' };

  it.each([
    ['token', { scope: 'token', jti: 'jti-1' } as const, { jti: 'jti-1' }],
    ['session', { scope: 'session', sessionId: 'session-1' } as const, { sessionId: 'session-1' }],
    ['user', { scope: 'user', sub: 'user-1' } as const, {}],
  ])('logs one revoked line and one TokensRevoked{Scope=%s}', async (scope, key, ids) => {
    const recorder = new RevocationRecorder(createObservability('auth'));

    await recorder.revoked(key, { ...record, scope: key.scope });

    expect(logs.lines().filter((line) => line.event === 'revoked')).toEqual([
      expect.objectContaining({ scope, actor: 'user-1', reason: 'logout', sub: 'user-1', ...ids }),
    ]);
    const [blob] = emf();
    expect(blob._aws.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'Scope']]);
    expect(blob).toMatchObject({ Scope: scope, TokensRevoked: 1 });
  });

  it('logs one revocation_not_stored line (no token) and one RevocationWritesFailed when a write fails', async () => {
    const recorder = new RevocationRecorder(createObservability('auth'));

    await recorder.notStored(
      { scope: 'session', sessionId: 'session-1' },
      { ...record, scope: 'session' },
      new Error('throttled'),
    );

    expect(logs.lines().filter((line) => line.event === 'revocation_not_stored')).toEqual([
      expect.objectContaining({
        scope: 'session',
        sessionId: 'session-1',
        sub: 'user-1',
        errorMessage: 'throttled',
      }),
    ]);
    expect(emf()).toEqual([expect.objectContaining({ RevocationWritesFailed: 1 })]);
  });

  it('counts a fold as DenyListFolded besides TokensRevoked{Scope=user}', async () => {
    const recorder = new RevocationRecorder(createObservability('auth'));

    await recorder.revoked(
      { scope: 'user', sub: 'user-1' },
      { ...record, scope: 'user', reason: FOLD_REASON },
    );

    expect(emf()).toEqual([
      expect.objectContaining({ Scope: 'user', TokensRevoked: 1 }),
      expect.objectContaining({ DenyListFolded: 1 }),
    ]);
  });
});
