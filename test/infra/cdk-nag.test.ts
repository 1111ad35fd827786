// cdk-nag AwsSolutions over the whole stack: every finding is fixed or acknowledged next to its resource.
import { Stack } from 'aws-cdk-lib';
import { testApp } from './test-app';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig } from '../../lib/stage-config';

function findings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}: ${v.description}`),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged error or warning on GuardStack', () => {
    const app = testApp();
    const stack = new GuardStack(app, 'CognitoGuard', { config: loadStageConfig() });

    expect(findings(stack)).toEqual([]);
  });

  it('reports no finding with a non-default stage either', () => {
    const app = testApp();
    const config = loadStageConfig({
      authorizerCacheTtlSeconds: 300,
      removalPolicy: 'destroy',
      selfSignUp: true,
    });
    const stack = new GuardStack(app, 'CognitoGuard', { config });

    expect(findings(stack)).toEqual([]);
  });

  it('reports no finding for a stack with a concrete account and region (as `cdk synth` gives it)', () => {
    const app = testApp();
    const stack = new GuardStack(app, 'CognitoGuard', {
      config: loadStageConfig(),
      env: { account: '123456789012', region: 'eu-west-1' },
    });

    expect(findings(stack)).toEqual([]);
  });

  it('fails an unacknowledged resource (the check is live)', () => {
    const stack = new Stack(testApp(), 'Probe');
    new sqs.Queue(stack, 'Queue');

    expect(findings(stack).some((f) => f.startsWith('AwsSolutions-SQS3'))).toBe(true);
  });
});
