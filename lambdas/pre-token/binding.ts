// The pre token generation (V2_0) core: copies a device key thumbprint from ClientMetadata into the access token.

import { isThumbprint } from '../shared/dpop';

/** The ClientMetadata key the token handler sends the device key's RFC 7638 thumbprint under. */
export const JKT_METADATA_KEY = 'jkt';

/**
 * What a V2_0 response may put in the access token. "V2_0 ... the ability to pass complex data types to ID and
 * access token claim values: String, Number, Boolean, Array of strings, numbers, booleans, or a combination of any
 * of these, JSON" (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html),
 * so the RFC 9449 §6.1 object form `cnf: { jkt }` is used as is (@types/aws-lambda still types it as strings).
 */
export interface AccessTokenClaims {
  readonly cnf: { readonly jkt: string };
}

/** The part of the V2_0 trigger response this function sets; nothing else (groups, scopes, ID token) is touched. */
export interface BindingOverride {
  readonly accessTokenGeneration?: { readonly claimsToAddOrOverride: AccessTokenClaims };
}

/**
 * `cnf.jkt` for the access token when the metadata carries a syntactically valid thumbprint; otherwise nothing
 * (an unbound token). No other metadata value ever reaches a claim: the metadata comes from our auth function,
 * but the trigger trusts only the shape it can check.
 */
export function bindingOverride(
  clientMetadata: Readonly<Record<string, unknown>> | undefined,
): BindingOverride {
  const jkt = clientMetadata?.[JKT_METADATA_KEY];
  if (!isThumbprint(jkt)) return {};
  return { accessTokenGeneration: { claimsToAddOrOverride: { cnf: { jkt } } } };
}
