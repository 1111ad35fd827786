// Runs the stack's pre token generation trigger (event version V2_0) as Cognito does when it mints tokens.
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { handler } from '../../lambdas/pre-token/handler';

/** Which minting called the trigger (the `triggerSource` values of the AWS page cited below). */
export type PreTokenSource = 'TokenGeneration_HostedAuth' | 'TokenGeneration_RefreshTokens';

export interface PreTokenInput {
  readonly source: PreTokenSource;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly username: string;
  readonly userAttributes: Readonly<Record<string, string>>;
  readonly groups: readonly string[];
  readonly scopes: readonly string[];
  /** `ClientMetadata` of GetTokensFromRefreshToken; the token endpoint's code and refresh grants carry none. */
  readonly clientMetadata?: Readonly<Record<string, string>>;
}

/** Claims to add to each token. */
export interface PreTokenClaims {
  readonly access: Readonly<Record<string, unknown>>;
  readonly id: Readonly<Record<string, unknown>>;
}

/**
 * Claims a trigger may not add or override ("You can't modify the following claims": acr, amr, aud, at_hash,
 * auth_time, azp, cognito:username, exp, iat, identities, iss, jti, nbf, nonce, origin_jti, sub, token_use,
 * https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html); the twin
 * drops them from the answer. `client_id`, `scope`, `username` and `cognito:groups` are also kept: the event has
 * their own fields (scopesToAdd, groupOverrideDetails), which the twin does not emulate.
 */
const PROTECTED_CLAIMS = new Set([
  'acr',
  'amr',
  'aud',
  'at_hash',
  'auth_time',
  'azp',
  'cognito:username',
  'exp',
  'iat',
  'identities',
  'iss',
  'jti',
  'nbf',
  'nonce',
  'origin_jti',
  'sub',
  'token_use',
  'client_id',
  'scope',
  'username',
  'cognito:groups',
]);

/**
 * Builds the V2_0 event as documented on the page above (version, triggerSource, region, userPoolId, userName,
 * callerContext, request: userAttributes, groupConfiguration, scopes, clientMetadata), runs the same handler the
 * stack deploys, and returns the `claimsToAddOrOverride` of each token, protected claims removed.
 */
export async function runPreTokenTrigger(input: PreTokenInput): Promise<PreTokenClaims> {
  const event = {
    version: '2',
    triggerSource: input.source,
    region: input.region,
    userPoolId: input.userPoolId,
    userName: input.username,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: input.clientId },
    request: {
      userAttributes: { ...input.userAttributes },
      groupConfiguration: { groupsToOverride: [...input.groups], iamRolesToOverride: [] },
      scopes: [...input.scopes],
      ...(input.clientMetadata ? { clientMetadata: { ...input.clientMetadata } } : {}),
    },
    response: { claimsAndScopeOverrideDetails: {} },
  } as PreTokenGenerationV2TriggerEvent;
  const details = (await handler(event)).response.claimsAndScopeOverrideDetails as {
    accessTokenGeneration?: { claimsToAddOrOverride?: Record<string, unknown> };
    idTokenGeneration?: { claimsToAddOrOverride?: Record<string, unknown> };
  };
  return {
    access: allowed(details.accessTokenGeneration?.claimsToAddOrOverride),
    id: allowed(details.idTokenGeneration?.claimsToAddOrOverride),
  };
}

function allowed(claims: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims ?? {}).filter(([name]) => !PROTECTED_CLAIMS.has(name)));
}
