// The pre token generation trigger (V2_0): only a well-formed thumbprint from ClientMetadata reaches the access token.
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { bindingOverride } from '../../lambdas/pre-token/binding';
import { handler } from '../../lambdas/pre-token/handler';

const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'; // RFC 7638 §3.1's example thumbprint

/** The event shape of https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html */
function event(clientMetadata?: Record<string, string>): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_RefreshTokens',
    region: 'us-east-1',
    userPoolId: 'us-east-1_LocalPool',
    userName: 'user-1',
    callerContext: { awsSdkVersion: 'aws-sdk-js-3', clientId: 'client-1' },
    request: {
      userAttributes: { sub: 'user-1', email: 'a@example.com' },
      groupConfiguration: { groupsToOverride: ['admins'], iamRolesToOverride: [] },
      scopes: ['openid'],
      ...(clientMetadata ? { clientMetadata } : {}),
    },
    response: { claimsAndScopeOverrideDetails: {} },
  };
}

describe('bindingOverride', () => {
  it('adds cnf.jkt (RFC 9449 §6.1) to the access token for a valid thumbprint, and nothing else', () => {
    expect(bindingOverride({ jkt: JKT, role: 'admin' })).toEqual({
      accessTokenGeneration: { claimsToAddOrOverride: { cnf: { jkt: JKT } } },
    });
  });

  it.each([
    ['no metadata', undefined],
    ['no jkt', { other: JKT }],
    ['a short value', { jkt: JKT.slice(1) }],
    ['a padded value', { jkt: `${JKT}=` }],
    ['standard base64 characters', { jkt: `${JKT.slice(1)}+` }],
    ['a JSON object smuggled as text', { jkt: '{"jkt":"x"},"scope":"cognito-guard/admin"' }],
    ['a number', { jkt: 42 }],
  ])('adds nothing for %s', (_name, metadata) => {
    expect(bindingOverride(metadata as Record<string, unknown> | undefined)).toEqual({});
  });
});

describe('pre token handler', () => {
  it('returns the event with the access-token override and no group or ID-token override', async () => {
    const input = event({ jkt: JKT });
    const output = await handler(input);
    expect(output.request).toEqual(input.request);
    expect(output.response).toEqual({
      claimsAndScopeOverrideDetails: {
        accessTokenGeneration: { claimsToAddOrOverride: { cnf: { jkt: JKT } } },
      },
    });
  });

  it('returns an empty override for a sign-in without metadata (the token stays unbound)', async () => {
    expect((await handler(event())).response).toEqual({ claimsAndScopeOverrideDetails: {} });
  });
});
