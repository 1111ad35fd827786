// Outputs files -> the deployment the journey verifies: CDK's --outputs-file and the offline stack.json.
import { ConfigError } from '../../lambdas/shared/config';
import { loadCanaryDeployment } from '../../lambdas/verify/config';
import { OutputsError, parseOutputs } from '../../lambdas/verify/deployment';
import { VerifyEnv } from '../../lambdas/verify/env';

const cdkOutputs = {
  ApiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/',
  WebSocketUrl: 'wss://def.execute-api.eu-west-1.amazonaws.com/prod',
  Region: 'eu-west-1',
  UserPoolId: 'eu-west-1_Pool12345',
  EnforcementMode: 'enforce',
  AuthorizerCacheTtlSeconds: '0',
  DeviceBinding: 'enforce',
  DeviceBindingReplayGuard: 'table',
  VerifyClientId: 'verifyclient123',
  VerifySecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:verify-AbCdEf',
};

describe('parseOutputs', () => {
  it('reads the CDK outputs of the one guard stack, the password from Secrets Manager', () => {
    expect(parseOutputs({ CognitoGuard: cdkOutputs })).toEqual({
      apiUrl: cdkOutputs.ApiUrl,
      wsUrl: cdkOutputs.WebSocketUrl,
      enforcementMode: 'enforce',
      authorizerCacheTtlSeconds: 0,
      deviceBinding: 'enforce',
      replayGuard: 'table',
      region: 'eu-west-1',
      userPoolId: cdkOutputs.UserPoolId,
      verifyClientId: 'verifyclient123',
      credentials: { secretId: cdkOutputs.VerifySecretArn },
    });
  });

  it('reads a deployment from before device binding as not stating it (the journey skips those checks)', () => {
    const older: Record<string, string> = { ...cdkOutputs };
    delete older.DeviceBinding;

    expect(parseOutputs({ CognitoGuard: older })).not.toHaveProperty('deviceBinding');
  });

  it('rejects a deployment without the verification outputs, naming the stage option', () => {
    const withoutSecret: Record<string, string> = { ...cdkOutputs };
    delete withoutSecret.VerifySecretArn;

    expect(() => parseOutputs({ CognitoGuard: withoutSecret })).toThrow(
      'the outputs lack VerifySecretArn (deploy with the stage option "verification": true)',
    );
  });

  it('rejects several guard stacks unless one is named', () => {
    const outputs = { A: cdkOutputs, B: { ...cdkOutputs, Region: 'us-east-1' } };

    expect(() => parseOutputs(outputs)).toThrow(/several stacks .*A, B.*--stack/);
    expect(parseOutputs(outputs, 'B').region).toBe('us-east-1');
  });

  it('reads the offline stack.json with inline credentials and cognito-local as the Cognito API', () => {
    const parsed = parseOutputs({
      apiUrl: 'http://localhost:3000',
      wsUrl: 'ws://localhost:3001',
      region: 'us-east-1',
      userPoolId: 'us-east-1_LocalPool',
      cognitoApiUrl: 'http://127.0.0.1:9229',
      verifyClientId: 'local-verify',
      verifyUser: { username: 'verify@example.com', password: 'pw', groups: [] },
      enforcementMode: 'enforce',
      authorizerCacheTtlSeconds: 0,
      dpopMode: 'monitor',
      dpopReplayGuard: 'instance',
    });

    expect(parsed.deviceBinding).toBe('monitor');
    expect(parsed.replayGuard).toBe('instance');
    expect(parsed.credentials).toEqual({ username: 'verify@example.com', password: 'pw' });
    expect(parsed.offlineCognitoUrl).toBe('http://127.0.0.1:9229');
    expect(parsed.authorizerCacheTtlSeconds).toBe(0);
  });

  it('rejects an offline stack.json written before verification existed', () => {
    expect(() => parseOutputs({ apiUrl: 'http://localhost:3000', region: 'us-east-1' })).toThrow(
      OutputsError,
    );
  });
});

describe('loadCanaryDeployment', () => {
  const env = {
    AWS_REGION: 'eu-west-1',
    [VerifyEnv.apiUrl]: cdkOutputs.ApiUrl,
    [VerifyEnv.wsUrl]: cdkOutputs.WebSocketUrl,
    [VerifyEnv.userPoolId]: cdkOutputs.UserPoolId,
    [VerifyEnv.verifyClientId]: 'verifyclient123',
    [VerifyEnv.secretArn]: cdkOutputs.VerifySecretArn,
    [VerifyEnv.enforcementMode]: 'enforce',
    [VerifyEnv.authorizerCacheTtlSeconds]: '0',
    [VerifyEnv.deviceBinding]: 'enforce',
    [VerifyEnv.replayGuard]: 'table',
  };

  it('describes its own stack from the environment the Canary construct sets', () => {
    expect(loadCanaryDeployment(env)).toEqual(parseOutputs({ CognitoGuard: cdkOutputs }));
  });

  it('fails fast on a missing or malformed setting', () => {
    expect(() => loadCanaryDeployment({ ...env, [VerifyEnv.secretArn]: undefined })).toThrow(ConfigError);
    expect(() => loadCanaryDeployment({ ...env, [VerifyEnv.deviceBinding]: undefined })).toThrow(ConfigError);
    expect(() => loadCanaryDeployment({ ...env, [VerifyEnv.replayGuard]: undefined })).toThrow(ConfigError);
    expect(() => loadCanaryDeployment({ ...env, [VerifyEnv.authorizerCacheTtlSeconds]: '-1' })).toThrow(
      ConfigError,
    );
  });
});
