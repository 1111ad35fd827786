// Test helper: the REST authorizer handler in-process, with its JWKS on a local server and its deny-list in dynalite.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import type { TestKey } from './jwt';
import { TEST_CLIENT_ID, TEST_POOL_ID } from './jwt';
import { startTempDynamo } from './temp-dynamo';
import { localAwsEnv } from '../../local/aws-env';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/me';

export interface RestAuthorizer {
  readonly handler: (event: APIGatewayRequestAuthorizerEvent) => Promise<unknown>;
  /** Closes the JWKS server, stops dynalite and deletes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts dynalite (deny-list table `Revocations`) and a JWKS server publishing `key`, points the authorizer's
 * environment at them (plus `env`), then loads the handler (it reads its environment at cold start).
 */
export async function startRestAuthorizer(
  key: TestKey,
  options: { tmpPrefix: string; env?: Record<string, string> },
): Promise<RestAuthorizer> {
  const dynamo = await startTempDynamo(options.tmpPrefix);
  const jwks = createServer((_req, res) => res.end(JSON.stringify({ keys: [key.publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    ...localAwsEnv({ region: 'us-east-1', dynamo: dynamo.endpoint }),
    [AuthorizerEnv.userPoolId]: TEST_POOL_ID,
    [AuthorizerEnv.clientId]: TEST_CLIENT_ID,
    [AuthorizerEnv.revocationTable]: 'Revocations',
    [AuthorizerEnv.jwksUri]: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    [AuthorizerEnv.requireSessionId]: 'true',
    ...options.env,
  });
  const { handler } = await import('../../lambdas/authorizer/handler');
  return {
    handler,
    stop: async () => {
      await new Promise((resolve) => jwks.close(resolve));
      await dynamo.stop();
    },
  };
}

/** A REQUEST authorizer event for `GET /me` from `sourceIp` (user agent `jest`), with this Authorization header if any. */
export function meEvent(
  authorization: string | undefined,
  sourceIp: string,
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/me',
    path: '/me',
    httpMethod: 'GET',
    headers: authorization === undefined ? {} : { Authorization: authorization },
    multiValueHeaders: authorization === undefined ? {} : { Authorization: [authorization] },
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp, userAgent: 'jest' } } as never,
  };
}
