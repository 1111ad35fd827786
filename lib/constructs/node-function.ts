// Shared Lambda defaults: Node.js on arm64, local esbuild bundle, explicit log group and least-privilege role.
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The runtime of every function; cdk-nag L1 wants the newest Node.js runtime that aws-cdk-lib knows. */
export const NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Memory of every function unless it sets its own (none does); `npm run bench` prices Lambda time at this size. */
export const DEFAULT_MEMORY_MB = 256;

/** The architecture of every function (Graviton: the cheaper GB-second). */
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;

/** esbuild options of every function; `npm run bench` builds its bundles with these same values. */
export const LAMBDA_BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: false,
  target: 'node24',
  format: nodejs.OutputFormat.CJS,
  // ESM builds first: the SDK's CommonJS builds are one file per package, which esbuild cannot tree-shake
  // (authorizer 590 KB -> ~390 KB, init about a third faster; see `npm run bench`).
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK v3 clients too: the deployed code runs the exact versions the tests ran.
  externalModules: [],
};

export interface NodeFunctionProps {
  /** Path of the TypeScript handler module (exports `handler`). */
  readonly entry: string;
  /** Powertools service name (logs and metrics dimension). */
  readonly serviceName: string;
  /** What the function does (console, CloudFormation). @default - none */
  readonly description?: string;
  /** Non-secret configuration; POWERTOOLS_SERVICE_NAME is added. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Memory in MB (CPU scales with it, and so does JWT verification speed). @default DEFAULT_MEMORY_MB */
  readonly memorySize?: number;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Retention of the function's log group. @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

/** A bundled Node.js Lambda function with its own log group; grant to it like to any function. */
export class NodeFunction extends Construct implements iam.IGrantable {
  public readonly function: nodejs.NodejsFunction;
  /** Powertools service name: the `service` of its log lines and the `Function` dimension of its AuthDenied. */
  public readonly serviceName: string;
  public readonly logGroup: logs.ILogGroup;
  /** The function's own role: log writes to its log group, plus whatever is granted to this construct. */
  public readonly role: iam.IRole;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.serviceName = props.serviceName;
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // Own role with log-group-scoped write access instead of the broad AWSLambdaBasicExecutionRole.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(role);
    this.role = role;
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: NODE_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup: this.logGroup,
      environment: { ...props.environment, POWERTOOLS_SERVICE_NAME: props.serviceName },
      bundling: LAMBDA_BUNDLING,
    });
    this.grantPrincipal = role;
  }
}
