// Optional AWS WAF web ACL for the CloudFront distribution: one rate-based rule per client IP, 429 past the limit.
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface RateLimitWafProps {
  /** Requests one client IP may send per evaluation window before WAF blocks it (10..2 000 000 000). */
  readonly limit: number;
  /** Length of the evaluation window in seconds (60, 120, 300 or 600). @default 300 */
  readonly evaluationWindowSeconds?: 60 | 120 | 300 | 600;
}

/**
 * A CLOUDFRONT-scope web ACL (default allow) with one rate-based rule keyed on the client IP; the distribution
 * attaches it (`webAclId`), so it covers the page, the API and the WebSocket. CLOUDFRONT scope exists only in
 * us-east-1. Costs money even when idle (web ACL + rule per month, plus per million requests).
 */
export class RateLimitWaf extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: RateLimitWafProps) {
    super(scope, id);
    if (!Number.isInteger(props.limit) || props.limit < 10 || props.limit > 2_000_000_000) {
      throw new Error(`RateLimitWaf: limit must be an integer in 10..2000000000, got ${props.limit}`);
    }
    // Sampled requests keep request headers, Authorization included: never sample bearer tokens.
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      sampledRequestsEnabled: false,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('CognitoGuardWebAcl'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: { customResponse: { responseCode: 429 } } },
          statement: {
            rateBasedStatement: {
              limit: props.limit,
              aggregateKeyType: 'IP',
              evaluationWindowSec: props.evaluationWindowSeconds ?? 300,
            },
          },
          visibilityConfig: visibility('CognitoGuardRateLimitPerIp'),
        },
      ],
    });
  }
}
