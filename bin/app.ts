// CDK entry: stage config from the `stage` context value, the stack (plus its us-east-1 WAF stack), cdk-nag.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EdgeWafStack } from '../lib/edge-waf-stack';
import { GuardStack } from '../lib/guard-stack';
import { loadStageConfig } from '../lib/stage-config';

const app = new App();
const config = loadStageConfig(app.node.tryGetContext('stage') ?? {});
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

// CloudFront reads web ACLs from us-east-1 only: elsewhere, the rate-limit ACL gets its own small stack there.
const waf =
  config.wafRateLimit !== undefined && region !== 'us-east-1'
    ? new EdgeWafStack(app, 'CognitoGuardEdgeWaf', {
        env: { account, region: 'us-east-1' },
        limit: config.wafRateLimit,
        crossRegionReferences: true,
        description: 'cognito-guard: the CloudFront rate-limit web ACL (CLOUDFRONT scope lives in us-east-1)',
      })
    : undefined;
new GuardStack(app, 'CognitoGuard', {
  config,
  webAclArn: waf?.waf.webAcl.attrArn,
  crossRegionReferences: waf !== undefined,
  env: { account, region },
  description: 'cognito-guard: Cognito JWTs verified everywhere and revocable at once',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
