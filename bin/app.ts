// CDK entry: stage config from the `stage` context value, the stack, and cdk-nag AwsSolutions on the whole app.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardStack } from '../lib/guard-stack';
import { loadStageConfig } from '../lib/stage-config';

const app = new App();
const config = loadStageConfig(app.node.tryGetContext('stage') ?? {});
new GuardStack(app, 'CognitoGuard', {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'cognito-guard: Cognito JWTs verified everywhere and revocable at once',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
