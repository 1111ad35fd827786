// Events in: CloudTrail-recorded Cognito calls (AWS samples and AWS-documented fields, see the fixture) mapped to user revocations.

import type { RevocationKey, RevocationRecord } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import { applyCognitoChange, UnattributableChangeError } from '../../lambdas/events/cognito-changes';
import {
  actorOf,
  cognitoChange,
  REVOKING_COGNITO_CALLS,
  USER_REVOKING_CALLS,
} from '../../lambdas/events/cognito-trail';
import fixtures from '../fixtures/cloudtrail-cognito-events.json';

const POOL = 'us-east-1_EXAMPLE';
const SUB = '3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const DISABLED_AT = Date.parse('2026-11-30T09:15:01Z') / 1000;

type Event = typeof fixtures.adminDisableUserByRole;
const disable: Event = fixtures.adminDisableUserByRole;
const withDetail = (detail: Record<string, unknown>, base: Event = disable) => ({
  ...base,
  detail: { ...base.detail, ...detail },
});

describe('cognitoChange', () => {
  it('maps AdminDisableUser by an assumed role to a revocation of the pool sub, dated by eventTime', () => {
    expect(cognitoChange(disable, POOL)).toEqual({
      kind: 'revoke',
      change: {
        call: 'AdminDisableUser',
        sub: SUB,
        actor: 'iam:arn:aws:sts::123456789012:assumed-role/OpsAdmin/ops-session',
        reason: 'cognito:AdminDisableUser',
        changedAt: DISABLED_AT,
        eventId: 'b2c3d4e5-6789-01ab-cdef-EXAMPLE22222',
      },
    });
  });

  it('maps AdminRemoveUserFromGroup by an IAM user (console) to a revocation of that user', () => {
    expect(cognitoChange(fixtures.adminRemoveUserFromGroupByUser, POOL)).toMatchObject({
      kind: 'revoke',
      change: {
        call: 'AdminRemoveUserFromGroup',
        sub: SUB,
        actor: 'iam:arn:aws:iam::123456789012:user/Alice',
      },
    });
  });

  it.each(REVOKING_COGNITO_CALLS)('revokes on %s', (call) => {
    expect(cognitoChange(withDetail({ eventName: call }), POOL)).toMatchObject({ kind: 'revoke' });
  });

  it.each([
    ['changePassword', 'ChangePassword', '2026-11-30T10:00:00Z'],
    ['confirmForgotPassword', 'ConfirmForgotPassword', '2026-11-30T10:05:00Z'],
    ['globalSignOut', 'GlobalSignOut', '2026-11-30T10:10:00Z'],
    ['deleteUser', 'DeleteUser', '2026-11-30T10:15:00Z'],
  ] as const)(
    'revokes every session of the user on %s, their own call: the record names the user by sub and no pool',
    (fixture, call, eventTime) => {
      expect(cognitoChange(fixtures[fixture], POOL)).toEqual({
        kind: 'revoke',
        change: {
          call,
          sub: SUB,
          actor: SUB,
          reason: `cognito:${call}`,
          changedAt: Date.parse(eventTime) / 1000,
          eventId: fixtures[fixture].detail.eventID,
        },
      });
    },
  );

  it.each(USER_REVOKING_CALLS)('ignores %s when the record names another pool', (call) => {
    const other = withDetail({ additionalEventData: { sub: SUB, userPoolId: 'us-east-1_OTHER' } }, {
      ...fixtures.changePassword,
      detail: { ...fixtures.changePassword.detail, eventName: call },
    } as never);
    expect(cognitoChange(other, POOL)).toMatchObject({ kind: 'ignore', because: 'other-pool', call });
  });

  it('ignores an admin call whose request names no pool (admin calls must name ours)', () => {
    const noPool = withDetail({ requestParameters: { username: 'HIDDEN_DUE_TO_SECURITY_REASONS' } });
    expect(cognitoChange(noPool, POOL)).toMatchObject({ kind: 'ignore', because: 'other-pool' });
  });

  it('rejects a user call without a sub as unattributable (it reaches the dead-letter queue)', () => {
    const anonymous = { ...fixtures.changePassword, detail: { ...fixtures.changePassword.detail } };
    delete (anonymous.detail as { additionalEventData?: unknown }).additionalEventData;
    expect(cognitoChange(anonymous, POOL)).toMatchObject({ kind: 'ignore', because: 'no-sub' });
  });

  it.each([
    ['revokeToken', 'RevokeToken'],
    ['updateUserAttributes', 'UpdateUserAttributes'],
  ] as const)(
    'ignores %s: it names no session to end, or takes no right from an access token',
    (fixture, call) => {
      expect(cognitoChange(fixtures[fixture], POOL)).toEqual({
        kind: 'ignore',
        because: 'not-revoking',
        call,
      });
    },
  );

  it.each(['AdminUpdateUserAttributes', 'AdminDeleteUserAttributes', 'SetUserMFAPreference'])(
    'ignores %s: access tokens carry no user attributes',
    (call) => {
      expect(cognitoChange(withDetail({ eventName: call }), POOL)).toMatchObject({
        kind: 'ignore',
        because: 'not-revoking',
      });
    },
  );

  it.each([
    ['the token endpoint refresh AWS publishes', fixtures.awsTokenEndpointRefresh],
    [
      'the hosted-UI confirmation AWS publishes (its sub is a form field the browser sent)',
      fixtures.awsHostedUiConfirmPost,
    ],
  ])('ignores %s: a managed-login service event, not an API call', (_what, event) => {
    expect(cognitoChange(event, POOL)).toEqual({ kind: 'ignore', because: 'not-cloudtrail' });
  });

  it('treats the empty errorCode AWS records for a success as a success', () => {
    expect(cognitoChange(withDetail({ errorCode: '', errorMessage: '' }), POOL)).toMatchObject({
      kind: 'revoke',
    });
  });

  it.each(['AdminAddUserToGroup', 'AdminEnableUser', 'AdminGetUser', 'ListUsers', 'AdminCreateUser'])(
    'ignores %s: it takes no right away from an issued token',
    (call) => {
      expect(cognitoChange(withDetail({ eventName: call }), POOL)).toEqual({
        kind: 'ignore',
        because: 'not-revoking',
        call,
      });
    },
  );

  it('ignores a call that failed (errorCode present)', () => {
    const failed = withDetail({ errorCode: 'UserNotFoundException', errorMessage: 'User does not exist.' });
    expect(cognitoChange(failed, POOL)).toMatchObject({ kind: 'ignore', because: 'failed-call' });
  });

  it('ignores a change to another user pool', () => {
    const other = withDetail({ requestParameters: { userPoolId: 'us-east-1_OTHER', username: 'x' } });
    expect(cognitoChange(other, POOL)).toMatchObject({ kind: 'ignore', because: 'other-pool' });
  });

  it('rejects a revoking call without a usable sub as unattributable', () => {
    expect(cognitoChange(withDetail({ additionalEventData: {} }), POOL)).toMatchObject({
      kind: 'ignore',
      because: 'no-sub',
    });
    expect(cognitoChange(withDetail({ additionalEventData: { sub: 'a b' } }), POOL)).toMatchObject({
      because: 'no-sub',
    });
  });

  it.each([
    [
      'another detail-type',
      { ...disable, 'detail-type': 'AWS Console Signin via CloudTrail' },
      'not-cloudtrail',
    ],
    ['another service', { ...disable, source: 'aws.iam' }, 'not-cognito'],
    [
      'an eventSource that is not cognito-idp',
      withDetail({ eventSource: 'iam.amazonaws.com' }),
      'not-cognito',
    ],
    ['null', null, 'not-cloudtrail'],
    ['a string', 'AdminDisableUser', 'not-cloudtrail'],
    ['a detail that is an array', { ...disable, detail: [] }, 'not-cognito'],
  ])('ignores %s', (_what, event, because) => {
    expect(cognitoChange(event, POOL)).toMatchObject({ kind: 'ignore', because });
  });

  it('leaves changedAt out when eventTime is unreadable (the revocation is then dated now)', () => {
    const mapped = cognitoChange(withDetail({ eventTime: 'yesterday' }), POOL);
    expect(mapped).toMatchObject({ kind: 'revoke' });
    expect(mapped.kind === 'revoke' && 'changedAt' in mapped.change).toBe(false);
  });

  it.each([
    [{ type: 'AWSService', invokedBy: 'cloudformation.amazonaws.com' }, 'aws:cloudformation.amazonaws.com'],
    [{ type: 'Unknown', principalId: 'AIDAEXAMPLE' }, 'iam:AIDAEXAMPLE'],
    [{}, 'iam:unknown'],
  ])('names the actor of %j as %s', (identity, actor) => {
    expect(actorOf(identity)).toBe(actor);
  });
});

describe('applyCognitoChange', () => {
  const NOW = DISABLED_AT + 20;

  function deps() {
    const written: Array<[RevocationKey, RevocationRecord]> = [];
    const revocations = new RevocationService(
      { put: async (key, record) => (written.push([key, record]), 'stored' as const) },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: 3600 },
    );
    return { written, deps: { userPoolId: POOL, revocations } };
  }

  it('writes the user watermark just after the recorded change, with actor and reason', async () => {
    const { written, deps: d } = deps();
    const outcome = await applyCognitoChange(disable, d);
    expect(outcome).toMatchObject({ kind: 'revoked', notBefore: DISABLED_AT + 1 });
    expect(written).toEqual([
      [
        { scope: 'user', sub: SUB },
        {
          scope: 'user',
          sub: SUB,
          revokedAt: NOW,
          notBefore: DISABLED_AT + 1,
          expiresAt: DISABLED_AT + 1 + 3600,
          reason: 'cognito:AdminDisableUser',
          actor: 'iam:arn:aws:sts::123456789012:assumed-role/OpsAdmin/ops-session',
        },
      ],
    ]);
  });

  it('changes nothing for an ignored event', async () => {
    const { written, deps: d } = deps();
    expect(await applyCognitoChange(withDetail({ eventName: 'AdminAddUserToGroup' }), d)).toEqual({
      kind: 'ignored',
      because: 'not-revoking',
      call: 'AdminAddUserToGroup',
    });
    expect(written).toEqual([]);
  });

  it('fails on a revoking call it cannot attribute, so the event reaches the dead-letter queue', async () => {
    const { written, deps: d } = deps();
    await expect(applyCognitoChange(withDetail({ additionalEventData: null }), d)).rejects.toThrow(
      UnattributableChangeError,
    );
    expect(written).toEqual([]);
  });

  it('fails when the store is down, so EventBridge and Lambda retry', async () => {
    const revocations = new RevocationService(
      { put: async () => Promise.reject(new Error('store down')) },
      { nowSeconds: () => NOW },
      { refreshTokenValiditySeconds: 3600 },
    );
    await expect(applyCognitoChange(disable, { userPoolId: POOL, revocations })).rejects.toThrow(
      'store down',
    );
  });
});
