// The one origin in AWS: CloudFront behaviours, the private site bucket (OAC), the shared headers policy, WAF,
// custom domain, and defaults that come from the distribution (no localhost in a default deployment).
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  API_STAGE_NAME,
  CONTENT_SECURITY_POLICY,
  EDGE_PATHS,
  WS_STAGE_NAME,
} from '../../lambdas/shared/edge';
import { EdgeWafStack } from '../../lib/edge-waf-stack';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig, StageConfigError } from '../../lib/stage-config';
import { testApp } from './test-app';

// AWS managed policy ids: CachingDisabled, CachingOptimized, AllViewerExceptHostHeader.
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const ALL_VIEWER_EXCEPT_HOST = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const WEB_ACL =
  'arn:aws:wafv2:us-east-1:123456789012:global/webacl/guard/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

function synth(stage: Record<string, unknown> = {}, region?: string) {
  const stack = new GuardStack(testApp(), 'CognitoGuard', {
    config: loadStageConfig(stage),
    ...(region ? { env: { account: '123456789012', region } } : {}),
  });
  return { stack, template: Template.fromStack(stack) };
}

interface CacheBehavior {
  readonly PathPattern: string;
  readonly TargetOriginId: string;
  readonly CachePolicyId: string;
  readonly OriginRequestPolicyId?: string;
  readonly ResponseHeadersPolicyId: unknown;
  readonly ViewerProtocolPolicy: string;
  readonly AllowedMethods: string[];
}
interface Origin {
  readonly Id: string;
  readonly DomainName: unknown;
  readonly OriginPath?: string;
  readonly OriginAccessControlId?: unknown;
}
interface DistributionConfig {
  readonly DefaultCacheBehavior: Omit<CacheBehavior, 'PathPattern'>;
  readonly CacheBehaviors: CacheBehavior[];
  readonly Origins: Origin[];
  readonly WebACLId?: unknown;
  readonly Aliases?: string[];
  readonly ViewerCertificate?: Record<string, unknown>;
}

function distribution(template: Template): DistributionConfig {
  const [resource] = Object.values(template.findResources('AWS::CloudFront::Distribution')) as {
    Properties: { DistributionConfig: DistributionConfig };
  }[];
  return resource.Properties.DistributionConfig;
}

describe('Edge distribution', () => {
  const { stack, template } = synth();
  const config = distribution(template);
  const behavior = (path: string) => config.CacheBehaviors.find((b) => b.PathPattern === path)!;
  const origin = (id: string) => config.Origins.find((o) => o.Id === id)!;

  it('serves the page from a private bucket through Origin Access Control', () => {
    const site = origin(config.DefaultCacheBehavior.TargetOriginId);
    expect(site.OriginAccessControlId).toBeDefined();
    expect(config.DefaultCacheBehavior).toMatchObject({
      CachePolicyId: CACHING_OPTIMIZED,
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const siteId = stack.getLogicalId(stack.edge.siteBucket.node.defaultChild as never);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it.each([
    [`${EDGE_PATHS.api}/*`, 'RestApi'],
    [EDGE_PATHS.ws, 'Signaling'],
  ])('sends %s to execute-api uncached, with every viewer header but Host', (path, api) => {
    const routed = behavior(path);
    expect(routed).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'DELETE', 'OPTIONS']),
    });
    const target = origin(routed.TargetOriginId);
    expect(JSON.stringify(target.DomainName)).toMatch(new RegExp(`${api}.*\\.execute-api\\.`));
    // No origin path: the stage named after the prefix receives the path unchanged.
    expect(target.OriginPath ?? '').toBe('');
  });

  it('names the API stages after the edge paths, so nothing rewrites paths', () => {
    expect(`/${API_STAGE_NAME}`).toBe(EDGE_PATHS.api);
    expect(`/${WS_STAGE_NAME}`).toBe(EDGE_PATHS.ws);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: API_STAGE_NAME });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: WS_STAGE_NAME });
  });

  it('puts the shared security headers on every behaviour', () => {
    const policyId = { Ref: stack.getLogicalId(stack.edge.headersPolicy.node.defaultChild as never) };
    for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors])
      expect(b.ResponseHeadersPolicyId).toEqual(policyId);
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: CONTENT_SECURITY_POLICY, Override: true },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
        },
      },
    });
  });

  it('writes config.json at deploy time and invalidates the distribution', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DistributionPaths: ['/*'],
      SourceMarkers: Match.arrayWith([Match.objectLike({})]),
    });
  });

  it('has no localhost anywhere in a default deployment', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/localhost/);
  });

  it('defaults callback and logout URLs, CORS and the socket Origin allowlist to the distribution', () => {
    const domain = {
      'Fn::GetAtt': [stack.getLogicalId(stack.edge.distribution.node.defaultChild as never), 'DomainName'],
    };
    const appUrlSlash = { 'Fn::Join': ['', ['https://', domain, '/']] };
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [appUrlSlash],
      LogoutURLs: [appUrlSlash],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ ALLOWED_ORIGINS: { 'Fn::Join': ['', ['https://', domain]] } }),
      },
    });
  });

  it('prints AppUrl, and ApiUrl / WebSocketUrl through the distribution', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toContain('AppUrl');
    expect(JSON.stringify(outputs.ApiUrl.Value)).toMatch(/\/api"/);
    expect(JSON.stringify(outputs.WebSocketUrl.Value)).toMatch(/wss:\/\/.*\/ws"/);
  });
});

describe('stage config for the edge', () => {
  it('rejects a localhost URL unless allowLocalhost is set', () => {
    expect(() => loadStageConfig({ callbackUrls: ['http://localhost:3000/'] })).toThrow(/allowLocalhost/);
    expect(() => loadStageConfig({ allowedOrigins: ['http://localhost:3000'] })).toThrow(StageConfigError);
    const config = loadStageConfig({ allowLocalhost: true, allowedOrigins: ['http://localhost:3000'] });
    expect(config.allowedOrigins).toEqual(['http://localhost:3000']);
  });

  it('adds extra origins after the distribution', () => {
    const { template } = synth({ allowLocalhost: true, callbackUrls: ['http://localhost:3000/'] });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [Match.objectLike({ 'Fn::Join': Match.anyValue() }), 'http://localhost:3000/'],
    });
  });

  it.each([
    [
      'a certificate outside us-east-1',
      { domainName: 'a.example.com', certificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') },
    ],
    ['a domain that is not a DNS name', { domainName: 'not a domain', certificateArn: CERTIFICATE }],
  ])('rejects a custom domain with %s', (_case, customDomain) => {
    expect(() => loadStageConfig({ customDomain })).toThrow(StageConfigError);
  });

  it('rejects a regional web ACL ARN and webAclArn together with wafRateLimit', () => {
    expect(() => loadStageConfig({ webAclArn: WEB_ACL.replace('global', 'regional') })).toThrow(
      StageConfigError,
    );
    expect(() => loadStageConfig({ webAclArn: WEB_ACL, wafRateLimit: 100 })).toThrow(/either/);
  });
});

describe('custom domain', () => {
  const { template } = synth({
    customDomain: {
      domainName: 'guard.example.com',
      certificateArn: CERTIFICATE,
      hostedZone: { hostedZoneId: 'Z0123456789', zoneName: 'example.com' },
    },
  });

  it('serves the domain with its certificate and TLS 1.2, and points Route 53 at the distribution', () => {
    const config = distribution(template);
    expect(config.Aliases).toEqual(['guard.example.com']);
    expect(config.ViewerCertificate).toMatchObject({
      AcmCertificateArn: CERTIFICATE,
      MinimumProtocolVersion: 'TLSv1.2_2021',
      SslSupportMethod: 'sni-only',
    });
    template.resourceCountIs('AWS::Route53::RecordSet', 2);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: ['https://guard.example.com/'],
    });
  });
});

describe('WAF at the distribution', () => {
  it('attaches an existing web ACL', () => {
    const { template } = synth({ webAclArn: WEB_ACL });
    expect(distribution(template).WebACLId).toBe(WEB_ACL);
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('creates a CLOUDFRONT-scope rate rule in a us-east-1 stack and attaches it', () => {
    const { stack, template } = synth({ wafRateLimit: 1000 }, 'us-east-1');
    template.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    expect(distribution(template).WebACLId).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(stack.waf!.webAcl), 'Arn'],
    });
  });

  it('refuses wafRateLimit in another region without the us-east-1 stack', () => {
    expect(() => synth({ wafRateLimit: 1000 }, 'eu-west-1')).toThrow(/us-east-1/);
  });

  it('takes the web ACL from the us-east-1 companion stack across regions', () => {
    const app: App = testApp();
    const waf = new EdgeWafStack(app, 'Waf', {
      env: { account: '123456789012', region: 'us-east-1' },
      limit: 500,
      crossRegionReferences: true,
    });
    const stack = new GuardStack(app, 'CognitoGuard', {
      config: loadStageConfig({ wafRateLimit: 500 }),
      webAclArn: waf.waf.webAcl.attrArn,
      crossRegionReferences: true,
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    Template.fromStack(waf).hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    expect(JSON.stringify(distribution(Template.fromStack(stack)).WebACLId)).toMatch(
      /CrossRegion|Fn::GetAtt|Reader/,
    );
  });

  it('keeps cdk-nag clean with a custom domain and the web ACL on', () => {
    const { stack } = synth(
      { wafRateLimit: 2000, customDomain: { domainName: 'guard.example.com', certificateArn: CERTIFICATE } },
      'us-east-1',
    );
    const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`)),
    ).toEqual([]);
  });
});
