// Test apps with the feature flags of cdk.json (so templates match `cdk synth`) and esbuild bundling skipped.
import { App } from 'aws-cdk-lib';
import * as cdkJson from '../../cdk.json';

export function testApp(): App {
  return new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
}
