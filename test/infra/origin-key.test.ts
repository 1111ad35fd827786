// Direct execute-api calls are refused: every REST method and $connect require the API key only CloudFront sends,
// whose value lives in Secrets Manager and reaches the template only as a dynamic reference; the stage option turns
// all of it off.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ROUTES } from '../../lambdas/shared/routes';
import { WS_STAGE_NAME } from '../../lambdas/shared/edge';
import { GuardStack } from '../../lib/guard-stack';
import { ORIGIN_KEY_HEADER } from '../../lib/constructs/origin-key';
import { loadStageConfig, StageConfigError } from '../../lib/stage-config';
import { testApp } from './test-app';

function synth(stage: Record<string, unknown> = {}) {
  const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig(stage) });
  return { stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Properties: Record<string, unknown> }>;

interface Origin {
  readonly Id: string;
  readonly DomainName: unknown;
  readonly OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
}

function origins(template: Template): Origin[] {
  const [distribution] = Object.values(template.findResources('AWS::CloudFront::Distribution') as Resources);
  return (distribution.Properties.DistributionConfig as { Origins: Origin[] }).Origins;
}

/** The dynamic reference CloudFormation resolves into the secret's value at deploy time. */
const dynamicReference = (secretId: string) => ({
  'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
});

describe('refusing calls that bypass CloudFront (default)', () => {
  const { stack, template } = synth();
  const secretId = stack.getLogicalId(stack.originKey!.secret.node.defaultChild as never);

  it('is on by default', () => {
    expect(loadStageConfig().refuseDirectApiCalls).toBe(true);
    expect(stack.originKey).toBeDefined();
  });

  it('requires the API key on every REST method, public routes and CORS preflights included', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Resources);

    // Every route of lambdas/shared/routes.ts plus at least one preflight: the check covers what the API serves.
    expect(methods.length).toBeGreaterThan(ROUTES.length);
    expect(methods.some((m) => m.Properties.HttpMethod === 'OPTIONS')).toBe(true);
    for (const method of methods) expect(method.Properties.ApiKeyRequired).toBe(true);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      ApiKeySourceType: Match.absent(), // absent = HEADER, API Gateway's default
    });
  });

  it('requires the API key on $connect, read from the x-api-key header', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      ApiKeySelectionExpression: `$request.header.${ORIGIN_KEY_HEADER}`,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$connect',
      ApiKeyRequired: true,
      AuthorizationType: 'CUSTOM',
    });
  });

  it('makes the key valid on both stages through usage plans', () => {
    const [keyId] = Object.keys(template.findResources('AWS::ApiGateway::ApiKey'));
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    const restStageId = stack.getLogicalId(stack.restApi.api.deploymentStage.node.defaultChild as never);
    const restApiId = stack.getLogicalId(stack.restApi.api.node.defaultChild as never);
    const socketApiId = stack.getLogicalId(stack.signaling.api.node.defaultChild as never);
    const plans = template.findResources('AWS::ApiGateway::UsagePlan') as Resources;
    const planOf = (apiId: string, stage: unknown) =>
      Object.keys(plans).find(
        (id) =>
          JSON.stringify(plans[id].Properties.ApiStages) ===
          JSON.stringify([
            { ApiId: { Ref: apiId }, Stage: stage, ...(apiId === restApiId ? { Throttle: {} } : {}) },
          ]),
      );
    const restPlan = planOf(restApiId, { Ref: restStageId });
    const socketPlan = planOf(socketApiId, WS_STAGE_NAME);

    expect(restPlan).toBeDefined();
    expect(socketPlan).toBeDefined();
    for (const plan of [restPlan, socketPlan]) {
      template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', {
        KeyId: { Ref: keyId },
        KeyType: 'API_KEY',
        UsagePlanId: { Ref: plan },
      });
    }
  });

  it('sends the key from CloudFront to both API origins only, as a reference to the generated secret', () => {
    const header = { HeaderName: ORIGIN_KEY_HEADER, HeaderValue: dynamicReference(secretId) };
    const withKey = origins(template).filter((o) => o.OriginCustomHeaders?.length);

    expect(withKey.map((o) => JSON.stringify(o.DomainName))).toEqual([
      expect.stringMatching(/RestApi.*\.execute-api\./),
      expect.stringMatching(/SignalingApi.*\.execute-api\./),
    ]);
    for (const o of withKey) expect(o.OriginCustomHeaders).toEqual([header]);
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
      Value: dynamicReference(secretId),
      Enabled: true,
    });
  });

  it('keeps the value out of the template: Secrets Manager generates it, letters and digits only', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true, IncludeSpace: false },
      SecretString: Match.absent(),
    });
    const headerValues = origins(template).flatMap((o) =>
      (o.OriginCustomHeaders ?? []).map((h) => h.HeaderValue),
    );
    const keyValues = Object.values(template.findResources('AWS::ApiGateway::ApiKey') as Resources).map(
      (k) => k.Properties.Value,
    );
    // Neither place holds a string of its own: each is exactly the dynamic reference.
    for (const value of [...headerValues, ...keyValues]) expect(value).toEqual(dynamicReference(secretId));
    expect(headerValues).toHaveLength(2);
  });
});

describe('refuseDirectApiCalls: false', () => {
  const { stack, template } = synth({ refuseDirectApiCalls: false });

  it('creates none of it: no key, plan, secret, origin header or key requirement', () => {
    expect(stack.originKey).toBeUndefined();
    for (const type of [
      'AWS::ApiGateway::ApiKey',
      'AWS::ApiGateway::UsagePlan',
      'AWS::ApiGateway::UsagePlanKey',
    ]) {
      template.resourceCountIs(type, 0);
    }
    const resources = (template.toJSON() as { Resources: Resources }).Resources;
    expect(Object.keys(resources).filter((id) => id.startsWith('OriginKey'))).toEqual([]);
    expect(JSON.stringify(template.toJSON())).not.toContain(ORIGIN_KEY_HEADER);
    for (const o of origins(template)) expect(o.OriginCustomHeaders ?? []).toEqual([]);
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method') as Resources)) {
      expect(method.Properties.ApiKeyRequired ?? false).toBe(false);
    }
    for (const route of Object.values(template.findResources('AWS::ApiGatewayV2::Route') as Resources)) {
      expect(route.Properties.ApiKeyRequired ?? false).toBe(false);
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ApiKeySelectionExpression: Match.absent(),
    });
  });

  it('reports no cdk-nag finding', () => {
    const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toEqual([]);
  });

  it('rejects a value that is not a boolean', () => {
    expect(() => loadStageConfig({ refuseDirectApiCalls: 'no' })).toThrow(StageConfigError);
    expect(() => loadStageConfig({ refuseDirectApiCalls: 'no' })).toThrow(/refuseDirectApiCalls/);
  });
});

describe('redeploying when the option flips', () => {
  it('gives the REST deployment a new logical id, so the stage serves the new key requirement', () => {
    const deploymentId = (template: Template) =>
      Object.keys(template.findResources('AWS::ApiGateway::Deployment'));

    expect(deploymentId(synth().template)).not.toEqual(
      deploymentId(synth({ refuseDirectApiCalls: false }).template),
    );
  });
});
