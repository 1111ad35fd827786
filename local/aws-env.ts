// The environment that points the real AWS SDK clients at local servers, with credentials that can never reach AWS.

import { DYNAMODB_TIMEOUT_ENV } from '../lambdas/adapters/dynamo-revocation-store';

export interface LocalAwsEndpoints {
  readonly region: string;
  readonly dynamo: string;
  /** cognito-local, for the Cognito user-pool API. @default none */
  readonly cognito?: string;
}

/** Process env for handlers running off AWS: region, dummy credentials, per-service endpoints. */
export function localAwsEnv(endpoints: LocalAwsEndpoints): Record<string, string> {
  return {
    AWS_REGION: endpoints.region,
    // Never real credentials: the local servers accept anything, and nothing here may reach AWS.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo,
    ...(endpoints.cognito ? { AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoints.cognito } : {}),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // One process plays DynamoDB, API Gateway and every Lambda here: give DynamoDB requests more than AWS's 1.5 s.
    [DYNAMODB_TIMEOUT_ENV]: '5000',
  };
}
