// The one origin in AWS: a CloudFront distribution serving the private S3 page at `/`, the REST API at `/api/*` and
// the signaling WebSocket at `/ws`, with one security-headers policy, an optional web ACL and custom domain.
import * as path from 'node:path';
import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import {
  CONTENT_SECURITY_POLICY,
  EDGE_PATHS,
  HSTS_MAX_AGE_SECONDS,
  type WebConfig,
} from '../../lambdas/shared/edge';

/** The demo page: every file of web/. */
export const WEB_DIR = path.join(__dirname, '..', '..', 'web');

/** A custom domain for the distribution (stage config `customDomain`). */
export interface EdgeDomain {
  /** e.g. `guard.example.com`. */
  readonly domainName: string;
  /** An ACM certificate for the domain, in us-east-1 (CloudFront only reads certificates there). */
  readonly certificateArn: string;
  /** Route 53 hosted zone to create the alias record in. @default - no record: point your DNS at the distribution */
  readonly hostedZone?: { readonly hostedZoneId: string; readonly zoneName: string };
}

export interface EdgeProps {
  /** @default - the distribution's own `*.cloudfront.net` name */
  readonly domain?: EdgeDomain;
  /** ARN of a CLOUDFRONT-scope WAF web ACL (it lives in us-east-1) to attach. @default - no web ACL */
  readonly webAclArn?: string;
  /** Fate of the site bucket on stack deletion; DESTROY empties it first. @default RemovalPolicy.RETAIN */
  readonly siteRemovalPolicy?: RemovalPolicy;
  /** Retention of the page-copy function's log. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class Edge extends Construct {
  public readonly distribution: cloudfront.Distribution;
  public readonly siteBucket: s3.Bucket;
  public readonly headersPolicy: cloudfront.ResponseHeadersPolicy;
  /** `https://<domain>` without a trailing slash: the one URL to open (AppUrl). */
  public readonly appUrl: string;
  /** `wss://<domain>/ws`. */
  public readonly webSocketUrl: string;
  private readonly logRetention: logs.RetentionDays;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const siteRemovalPolicy = props.siteRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.siteBucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: siteRemovalPolicy,
      autoDeleteObjects: siteRemovalPolicy === RemovalPolicy.DESTROY,
    });

    this.headersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'cognito-guard: the same headers the offline server sends (lambdas/shared/edge.ts)',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONTENT_SECURITY_POLICY, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });

    const domain = props.domain;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'cognito-guard: page, /api and /ws on one origin',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      ...(domain
        ? {
            // Settable only with your own certificate: the default *.cloudfront.net one is fixed at TLSv1.
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            domainNames: [domain.domainName],
            certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
          }
        : {}),
      ...(props.webAclArn ? { webAclId: props.webAclArn } : {}),
    });
    const host = domain?.domainName ?? this.distribution.distributionDomainName;
    this.appUrl = `https://${host}`;
    this.webSocketUrl = `wss://${host}${EDGE_PATHS.ws}`;

    if (domain?.hostedZone) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', domain.hostedZone);
      const target = route53.RecordTarget.fromAlias(new route53Targets.CloudFrontTarget(this.distribution));
      new route53.ARecord(this, 'AliasV4', { zone, recordName: domain.domainName, target });
      new route53.AaaaRecord(this, 'AliasV6', { zone, recordName: domain.domainName, target });
    }
    this.acknowledge();
  }

  /**
   * Routes `/api/*` to the REST API and `/ws` to the WebSocket API. Separate from the constructor because both APIs
   * need `appUrl` (CORS, Origin allowlist) before they exist; CloudFormation sees no cycle. `originHeaders` go to both
   * API origins and replace a viewer header of the same name
   * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/add-origin-custom-headers.html).
   */
  public addApis(
    restApi: apigateway.IRestApi,
    webSocketApi: apigwv2.IWebSocketApi,
    originHeaders: Readonly<Record<string, string>> = {},
  ): void {
    // API Gateway answers for its own host name only: every viewer header but Host goes through. With caching off,
    // this policy forwards Authorization too (https://repost.aws/knowledge-center/cloudfront-authorization-header).
    const apiBehavior: cloudfront.AddBehaviorOptions = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.headersPolicy,
    };
    // The stages are named after the paths (lambdas/shared/edge.ts): `/api/me` reaches stage `api`, resource `/me`.
    const executeApi = (apiId: string) => `${apiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`;
    const restOrigin = new origins.HttpOrigin(executeApi(restApi.restApiId), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      customHeaders: { ...originHeaders },
    });
    // CloudFront passes WebSocket upgrades through; Sec-WebSocket-Protocol and Origin reach $connect
    // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-working-with.websockets.html).
    const socketOrigin = new origins.HttpOrigin(executeApi(webSocketApi.apiId), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      customHeaders: { ...originHeaders },
    });
    this.distribution.addBehavior(`${EDGE_PATHS.api}/*`, restOrigin, apiBehavior);
    this.distribution.addBehavior(EDGE_PATHS.ws, socketOrigin, apiBehavior);
  }

  /** Uploads web/ and a `config.json` written at deploy time from the stack's own values; invalidates the edge. */
  public deployPage(webConfig: Omit<WebConfig, 'apiUrl' | 'wsUrl' | 'redirectUri'>): void {
    const config: WebConfig = {
      ...webConfig,
      apiUrl: EDGE_PATHS.api,
      wsUrl: EDGE_PATHS.ws,
      redirectUri: `${this.appUrl}/`,
    };
    const deployment = new s3deploy.BucketDeployment(this, 'Page', {
      destinationBucket: this.siteBucket,
      sources: [s3deploy.Source.asset(WEB_DIR), s3deploy.Source.jsonData('config.json', config)],
      // The page revalidates every load, so a deploy shows at once; the invalidation clears the edge caches.
      cacheControl: [s3deploy.CacheControl.noCache()],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
      logGroup: new logs.LogGroup(this, 'PageCopyLogs', { retention: this.logRetention }),
    });
    // The copy runs in CDK's own singleton function (one per stack), outside this construct.
    const copier = Stack.of(this)
      .node.children.filter((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))
      .concat(deployment.handlerRole);
    const stack = Stack.of(this);
    // cdk-nag names pseudo parameters as `<AWS::X>` but a stack env as literals.
    const literalOr = (value: string, name: string) => (Token.isUnresolved(value) ? `<AWS::${name}>` : value);
    const siteId = stack.getLogicalId(this.siteBucket.node.defaultChild as CfnElement);
    const account = literalOr(stack.account, 'AccountId');
    const region = literalOr(stack.region, 'Region');
    const assets = `arn:${literalOr(stack.partition, 'Partition')}:s3:::cdk-hnb659fds-assets-${account}-${region}/*`;
    const actions = ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'];
    // `*`: CloudFront invalidations have no narrower resource.
    const wildcards = [
      ...actions.map((a) => `Action::${a}`),
      'Resource::*',
      `Resource::<${siteId}.Arn>/*`,
      `Resource::${assets}`,
    ];
    for (const scope of copier) {
      Validations.of(scope).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'CDK BucketDeployment: the AWS-managed basic Lambda execution policy',
        },
        ...wildcards.map((finding) => ({
          id: `AwsSolutions-IAM5[${finding}]`,
          reason:
            'CDK BucketDeployment copies the page asset into the site bucket and invalidates the distribution',
        })),
        { id: 'AwsSolutions-L1', reason: 'CDK BucketDeployment picks its own (Python) runtime' },
      );
    }
  }

  private acknowledge(): void {
    Validations.of(this.siteBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds only the public demo page, read by CloudFront alone (OAC); no private data to audit',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'A demo for any country: no geo restriction',
      },
      {
        id: 'AwsSolutions-CFR3',
        reason: 'Access logs cost money per request; API Gateway access logs record every /api and /ws call',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'WAF is optional (stage config wafRateLimit or webAclArn): it bills per web ACL, rule and request',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'With the default *.cloudfront.net certificate CloudFront allows TLSv1; a custom domain gets TLSv1.2_2021',
      },
    );
  }
}
