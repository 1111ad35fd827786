// Device binding in the template: the V2_0 pre token generation trigger exists only when the stage turns DPoP on.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig, StageConfigError } from '../../lib/stage-config';
import { testApp } from './test-app';

function template(stage: Record<string, unknown>): Template {
  const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig(stage) });
  return Template.fromStack(stack);
}

describe('device binding (stage option dpop)', () => {
  it.each(['monitor', 'enforce'])('attaches the pre token trigger with event version V2_0 in %s', (dpop) => {
    const t = template({ dpop });
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: {
          LambdaArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreTokenFunction'), 'Arn'] },
          LambdaVersion: 'V2_0',
        },
      },
    });
    // Cognito may invoke it (and nothing else is granted to it).
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreTokenFunction'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('pre token generation'),
      Timeout: 5,
    });
  });

  it('gives the authorizers the mode and the public AppUrl, and the auth function the mode', () => {
    const functions = Object.values(template({ dpop: 'enforce' }).findResources('AWS::Lambda::Function'));
    const envs = functions.map(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ??
        {},
    );
    const withMode = envs.filter((env) => env.DPOP_MODE === 'enforce');
    // REST authorizer, $connect authorizer, auth function.
    expect(withMode.length).toBeGreaterThanOrEqual(3);
    expect(withMode.filter((env) => env.APP_URL !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  it('reports no unacknowledged cdk-nag finding with binding enforced (the trigger function included)', () => {
    const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig({ dpop: 'enforce' }) });
    const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
    const found = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(found).toEqual([]);
  });

  it('attaches no trigger by default (off)', () => {
    const pools = template({}).findResources('AWS::Cognito::UserPool');
    for (const pool of Object.values(pools)) {
      expect((pool.Properties as { LambdaConfig?: unknown }).LambdaConfig).toBeUndefined();
    }
  });

  it('rejects a dpop value that is not off, monitor or enforce', () => {
    expect(() => loadStageConfig({ dpop: 'on' })).toThrow(StageConfigError);
  });
});
