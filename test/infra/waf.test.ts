// The optional WAF web ACL at the distribution: absent by default, a per-IP rate rule when the stage sets wafRateLimit.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig, StageConfigError } from '../../lib/stage-config';
import { testApp } from './test-app';

function synth(stage: Record<string, unknown> = {}): { stack: GuardStack; template: Template } {
  // CLOUDFRONT-scope web ACLs live in us-east-1 (elsewhere bin/app.ts adds a stack there: test/infra/edge.test.ts).
  const stack = new GuardStack(testApp(), 'CognitoGuard', {
    config: loadStageConfig(stage),
    env: { account: '123456789012', region: 'us-east-1' },
  });
  return { stack, template: Template.fromStack(stack) };
}

describe('RateLimitWaf', () => {
  it('adds no web ACL by default (WAF costs money even when idle)', () => {
    const { stack, template } = synth();
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
    expect(stack.waf).toBeUndefined();
  });

  it('adds a CLOUDFRONT web ACL with a per-IP rate rule answering 429, attached to the distribution', () => {
    const { stack, template } = synth({ wafRateLimit: 1000 });
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Action: { Block: { CustomResponse: { ResponseCode: 429 } } },
          Statement: {
            RateBasedStatement: { Limit: 1000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 },
          },
        }),
      ],
    });
    const webAclId = stack.getLogicalId(stack.waf!.webAcl);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: { 'Fn::GetAtt': [webAclId, 'Arn'] } }),
    });
  });

  it('never keeps sampled requests (they would hold Authorization headers)', () => {
    const { template } = synth({ wafRateLimit: 100 });
    const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL')) as Array<{
      Properties: { VisibilityConfig: unknown; Rules: Array<{ VisibilityConfig: unknown }> };
    }>;
    const configs = [acl.Properties.VisibilityConfig, ...acl.Properties.Rules.map((r) => r.VisibilityConfig)];
    for (const config of configs) expect(config).toMatchObject({ SampledRequestsEnabled: false });
  });

  it.each([[9], [0], [1.5], ['1000']])('rejects wafRateLimit %p at config time', (value) => {
    expect(() => loadStageConfig({ wafRateLimit: value })).toThrow(StageConfigError);
  });

  it('keeps cdk-nag clean with the web ACL on', () => {
    const { stack } = synth({ wafRateLimit: 2000 });
    const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
  });
});
