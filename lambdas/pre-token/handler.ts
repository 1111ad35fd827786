// Cognito pre token generation trigger (event version V2_0): binds the access token to a device key (cnf.jkt).

import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import type { BindingOverride } from './binding';
import { bindingOverride } from './binding';

/** The V2_0 event with the response this function returns (its claim value is JSON, see binding.ts). */
export type PreTokenEvent = Omit<PreTokenGenerationV2TriggerEvent, 'response'> & {
  response: { claimsAndScopeOverrideDetails: BindingOverride };
};

/**
 * Returns the event with `claimsAndScopeOverrideDetails` set, as Cognito expects. No `groupOverrideDetails` and no
 * `idTokenGeneration` key is sent, so groups and the ID token stay as Cognito made them. Never logs the event (it
 * carries user attributes).
 */
export const handler = async (event: PreTokenGenerationV2TriggerEvent): Promise<PreTokenEvent> => ({
  ...event,
  response: { claimsAndScopeOverrideDetails: bindingOverride(event.request.clientMetadata) },
});
