// Refuses calls that bypass CloudFront: a Secrets Manager-generated API key that both APIs require and only the
// distribution sends (as an origin custom header), so API Gateway itself turns direct execute-api calls away.
import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The header API Gateway reads API keys from (REST key source HEADER; WebSocket `HEADER_X_API_KEY`). */
export const ORIGIN_KEY_HEADER = 'x-api-key';

export interface OriginKeyProps {
  /** Its deployment stage must require the key on every method (RestApi `requireApiKey`). */
  readonly restApi: apigateway.RestApi;
  /** Its API must require the key on `$connect` (SignalingApi `requireApiKey`). */
  readonly webSocketStage: apigwv2.WebSocketStage;
}

/**
 * One API key, valid on the REST stage and the WebSocket stage, whose value Secrets Manager generates. The template
 * holds only `{{resolve:secretsmanager:…}}` references; CloudFormation resolves them into the key and into the
 * distribution's origin headers. API Gateway answers 403 to a request without the key, before any integration runs
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
 */
export class OriginKey extends Construct {
  public readonly secret: secretsmanager.Secret;
  public readonly apiKey: apigateway.ApiKey;
  /** Origin custom headers for CloudFront's API and WebSocket origins (a dynamic reference, never the value). */
  public readonly originHeaders: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: OriginKeyProps) {
    super(scope, id);
    // API key values: 20..128 characters; letters and digits satisfy that and every header parser.
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'cognito-guard: the API key CloudFront adds to /api and /ws origin requests',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'CloudFormation reads the value only on deploy: rotate by replacing the secret and redeploying (docs/deployment.md)',
    });
    const value = this.secret.secretValue.unsafeUnwrap();
    this.apiKey = new apigateway.ApiKey(this, 'ApiKey', {
      description: 'cognito-guard: sent by CloudFront only; not an identity (the authorizers verify users)',
      value,
    });

    // A stage is in at most one plan per key; one plan per API type keeps each to its own CDK construct.
    const restPlan = new apigateway.UsagePlan(this, 'RestUsagePlan', {
      description: 'cognito-guard: CloudFront key on the REST stage (stage throttling stays the limit)',
      apiStages: [{ api: props.restApi, stage: props.restApi.deploymentStage }],
    });
    restPlan.addApiKey(this.apiKey);
    const socketPlan = new apigwv2.UsagePlan(this, 'WebSocketUsagePlan', {
      description: 'cognito-guard: CloudFront key on the WebSocket stage (stage throttling stays the limit)',
      apiStages: [{ api: props.webSocketStage.api, stage: props.webSocketStage }],
    });
    socketPlan.addApiKey(apigwv2.ApiKey.fromApiKeyId(this, 'SocketApiKey', this.apiKey.keyId));

    this.originHeaders = { [ORIGIN_KEY_HEADER]: value };
  }
}
