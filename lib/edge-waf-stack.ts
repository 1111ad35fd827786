// The us-east-1 companion stack: CloudFront reads web ACLs only from there, whatever region the app deploys to.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { RateLimitWaf } from './constructs/rate-limit-waf';

export interface EdgeWafStackProps extends StackProps {
  /** Requests one client IP may send per 5 minutes (stage config `wafRateLimit`). */
  readonly limit: number;
}

/** A CLOUDFRONT-scope rate-limit web ACL; GuardStack reads its ARN through a cross-region reference. */
export class EdgeWafStack extends Stack {
  public readonly waf: RateLimitWaf;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, props);
    if (this.region !== 'us-east-1') throw new Error('EdgeWafStack must be deployed to us-east-1');
    this.waf = new RateLimitWaf(this, 'Waf', { limit: props.limit });
  }
}
