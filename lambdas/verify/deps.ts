// Builds the journey's real dependencies for one deployment: the same wiring for `npm run verify` and the canary.

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CognitoAdminSignIn } from '../adapters/cognito-admin-sign-in';
import { FetchHttpProbe } from '../adapters/fetch-http-probe';
import { JoseDeviceKeys } from '../adapters/jose-device-keys';
import { secretsManagerCredentials } from '../adapters/secrets-manager-credentials';
import { WsSocketProbe } from '../adapters/ws-socket-probe';
import type { VerifyDeployment } from './deployment';
import type { JourneyDeps } from './journey';
import type { TokenForge } from './ports';

/** Real adapters for `deployment`; the forge decides how refusable tokens are made (see TokenForge). */
export function buildJourneyDeps(deployment: VerifyDeployment, forge: TokenForge): JourneyDeps {
  const cognito = new CognitoIdentityProviderClient({
    region: deployment.region,
    maxAttempts: 2,
    ...(deployment.offlineCognitoUrl
      ? {
          endpoint: deployment.offlineCognitoUrl,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, // never real credentials offline
        }
      : {}),
  });
  const { credentials } = deployment;
  return {
    signIn: new CognitoAdminSignIn(
      {
        userPoolId: deployment.userPoolId,
        clientId: deployment.verifyClientId,
        credentials: async () =>
          'secretId' in credentials
            ? secretsManagerCredentials(
                credentials.secretId,
                new SecretsManagerClient({ region: deployment.region }),
              )
            : credentials,
      },
      cognito,
    ),
    http: new FetchHttpProbe(),
    sockets: new WsSocketProbe(),
    forge,
    deviceKeys: new JoseDeviceKeys(),
    stopwatch: () => performance.now(),
    sleep: (ms) => sleep(ms),
  };
}
