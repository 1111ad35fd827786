// CloudWatch metric namespace, names and dimensions: one source for Lambdas and the Monitoring construct.

export const METRIC_NAMESPACE = 'CognitoGuard';

export const MetricName = {
  AuthAllowed: 'AuthAllowed',
  AuthDenied: 'AuthDenied',
  WouldDeny: 'WouldDeny',
  TokensRevoked: 'TokensRevoked',
  RefreshReuseDetected: 'RefreshReuseDetected',
  SocketsClosed: 'SocketsClosed',
} as const;

export const MetricDimension = {
  Reason: 'Reason',
  Scope: 'Scope',
  Cause: 'Cause',
} as const;
