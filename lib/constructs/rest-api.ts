// The REST edge: routes built from lambdas/shared/routes.ts, REQUEST authorizer on every non-public route.
import * as path from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_STAGE_NAME } from '../../lambdas/shared/edge';
import { gatewayResponses } from '../../lambdas/shared/gateway-responses';
import { ROUTES, type Route, type RouteFunction } from '../../lambdas/shared/routes';
import { NodeFunction } from './node-function';

const LAMBDAS_DIR = path.join(__dirname, '..', '..', 'lambdas');

/** Handler module of each route function; a new function in routes.ts is one line here. */
export const ROUTE_FUNCTION_ENTRIES: Readonly<Record<RouteFunction, string>> = {
  api: path.join(LAMBDAS_DIR, 'api', 'handler.ts'),
  auth: path.join(LAMBDAS_DIR, 'auth', 'handler.ts'),
  admin: path.join(LAMBDAS_DIR, 'admin', 'handler.ts'),
};

export const AUTHORIZER_ENTRY = path.join(LAMBDAS_DIR, 'authorizer', 'handler.ts');

/** Headers browsers may send; the CSRF header is for the cookie-based session routes. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Requested-With',
  'X-CognitoGuard-CSRF',
  'DPoP', // RFC 9449 proofs (docs/device-binding.md)
];

// API Gateway header values are literals in single quotes.
const SECURITY_HEADERS: Record<string, string> = {
  'Strict-Transport-Security': "'max-age=31536000; includeSubDomains'",
  'X-Content-Type-Options': "'nosniff'",
  'Cache-Control': "'no-store'",
};

// Access log line: who, what, outcome, authorizer verdict; never the Authorization header or the query string.
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: apigateway.AccessLogField.contextRequestId(),
  sourceIp: apigateway.AccessLogField.contextIdentitySourceIp(),
  userAgent: apigateway.AccessLogField.contextIdentityUserAgent(),
  requestTime: apigateway.AccessLogField.contextRequestTime(),
  httpMethod: apigateway.AccessLogField.contextHttpMethod(),
  resourcePath: apigateway.AccessLogField.contextResourcePath(),
  status: apigateway.AccessLogField.contextStatus(),
  responseLength: apigateway.AccessLogField.contextResponseLength(),
  responseLatency: apigateway.AccessLogField.contextResponseLatency(),
  principalId: apigateway.AccessLogField.contextAuthorizerPrincipalId(),
  authorizerStatus: apigateway.AccessLogField.contextAuthorizerStatus(),
  authorizerError: apigateway.AccessLogField.contextAuthorizerError(),
  // The typed reason of a denial (the authorizer's Deny context), as in the 401 body.
  authorizerReason: apigateway.AccessLogField.contextAuthorizer('reason'),
  authorizerLatency: apigateway.AccessLogField.contextAuthorizerLatency(),
  integrationStatus: apigateway.AccessLogField.contextIntegrationStatus(),
  errorResponseType: apigateway.AccessLogField.contextErrorResponseType(),
});

export interface RestApiProps {
  /** Environment of the authorizer function (names from lambdas/authorizer/env.ts). */
  readonly authorizerEnvironment: Readonly<Record<string, string>>;
  /** Browser origins allowed by CORS; the first one also gets CORS headers on API Gateway's own errors. */
  readonly allowedOrigins: readonly string[];
  /** Authorizer result cache TTL in seconds: also the revocation delay. @default 0 */
  readonly authorizerCacheTtlSeconds?: number;
  /** Stage-wide steady-state requests per second. @default 50 */
  readonly throttleRateLimit?: number;
  /** Stage-wide burst. @default 100 */
  readonly throttleBurstLimit?: number;
  /** Retention of access logs and function logs. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Every method, CORS preflights included, requires an API key (OriginKey: only CloudFront sends it). @default false */
  readonly requireApiKey?: boolean;
  /** Device binding (the stage's `dpop` is not `off`): authorizer denials also offer the DPoP scheme. @default false */
  readonly deviceBinding?: boolean;
}

export class RestApi extends Construct {
  public readonly api: apigateway.RestApi;
  /** Invoke URL of the deployed stage, with a trailing slash. */
  public readonly url: string;
  public readonly authorizerFunction: NodeFunction;
  /** One function per RouteFunction, for the grants the stack gives it. */
  public readonly routeFunctions: Readonly<Record<RouteFunction, NodeFunction>>;

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const [primaryOrigin] = props.allowedOrigins;
    if (!primaryOrigin) throw new Error('RestApi needs at least one allowed origin');

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logRetention });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'cognito-guard REST API',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Access and execution logging need API Gateway's account-level CloudWatch role.
      cloudWatchRole: true,
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.allowedOrigins],
        allowHeaders: CORS_ALLOW_HEADERS,
        allowMethods: apigateway.Cors.ALL_METHODS,
        allowCredentials: true,
        maxAge: Duration.minutes(10),
      },
      ...(props.requireApiKey ? { defaultMethodOptions: { apiKeyRequired: true } } : {}),
      deployOptions: {
        // Named after the edge path: CloudFront forwards `/api/me` unchanged to stage `api`, resource `/me`.
        stageName: API_STAGE_NAME,
        throttlingRateLimit: props.throttleRateLimit ?? 50,
        throttlingBurstLimit: props.throttleBurstLimit ?? 100,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Data trace would write request headers (the bearer token) to the execution log.
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });
    this.url = this.api.url;
    // The stack prints the URL as ApiUrl; drop RestApi's own unnamed duplicate output.
    this.api.node.tryRemoveChild('Endpoint');

    // API Gateway's own answers say why, like the handlers' (lambdas/shared/gateway-responses.ts, docs/errors.md).
    for (const [type, definition] of Object.entries(gatewayResponses(props.deviceBinding ?? false))) {
      this.api.addGatewayResponse(type, {
        type: apigateway.ResponseType.of(type),
        ...(definition.statusCode ? { statusCode: String(definition.statusCode) } : {}),
        responseHeaders: {
          ...SECURITY_HEADERS,
          'Access-Control-Allow-Origin': `'${primaryOrigin}'`,
          'Access-Control-Allow-Credentials': "'true'",
          Vary: "'Origin'",
          ...definition.headers,
        },
        templates: { 'application/json': definition.body },
      });
    }

    this.authorizerFunction = new NodeFunction(this, 'Authorizer', {
      entry: AUTHORIZER_ENTRY,
      serviceName: 'authorizer',
      description: 'Verifies the Cognito access token and checks the revocation list',
      environment: props.authorizerEnvironment,
      logRetention,
    });
    const authorizer = new apigateway.RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.authorizerFunction.function,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheTtlSeconds ?? 0),
    });

    const functions = {} as Record<RouteFunction, NodeFunction>;
    const integrations = {} as Record<RouteFunction, apigateway.LambdaIntegration>;
    for (const [fn, entry] of Object.entries(ROUTE_FUNCTION_ENTRIES) as [RouteFunction, string][]) {
      functions[fn] = new NodeFunction(this, `${pascal(fn)}Function`, {
        entry,
        serviceName: fn,
        logRetention,
      });
      // One invoke permission per function (not per method) keeps the resource policy small as routes grow.
      integrations[fn] = new apigateway.LambdaIntegration(functions[fn].function, {
        scopePermissionToMethod: false,
      });
    }
    this.routeFunctions = functions;

    for (const route of ROUTES) this.addRoute(route, integrations[route.fn], authorizer);
    if (props.requireApiKey) this.requireApiKeyOnPreflights();
    for (const method of this.api.methods.filter((m) => m.httpMethod === 'OPTIONS')) {
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'CORS preflight (OPTIONS) requests never carry credentials',
      });
    }

    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The AWS-provided policy for the account-level role API Gateway needs to write logs',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'A Lambda REQUEST authorizer is used on purpose: a Cognito authorizer cannot check revocation',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason: 'No request models yet: handlers validate their own input and answer 400',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'WAF attaches to the CloudFront distribution (stage config wafRateLimit or webAclArn, off by default because of cost); stage throttling limits abuse',
    });
  }

  /** CDK's CORS preflights opt out of the default; a browser's preflight comes through CloudFront, key and all. */
  private requireApiKeyOnPreflights(): void {
    for (const method of this.api.methods.filter((m) => m.httpMethod === 'OPTIONS')) {
      (method.node.defaultChild as apigateway.CfnMethod).apiKeyRequired = true;
    }
    // The deployment's logical id hashes the methods as first rendered: make the change redeploy the stage.
    this.api.latestDeployment?.addToLogicalId({ preflightApiKeyRequired: true });
  }

  private addRoute(
    route: Route,
    integration: apigateway.Integration,
    authorizer: apigateway.IAuthorizer,
  ): void {
    const resource = this.api.root.resourceForPath(route.path);
    if (route.auth === 'public') {
      const method = resource.addMethod(route.method, integration, {
        authorizationType: apigateway.AuthorizationType.NONE,
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: `${route.method} ${route.path} is listed public in lambdas/shared/routes.ts`,
      });
    } else {
      resource.addMethod(route.method, integration, { authorizer });
    }
  }
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
