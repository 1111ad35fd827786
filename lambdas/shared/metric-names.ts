// CloudWatch metric namespace, names and dimensions: one source for Lambdas and the Monitoring construct.

export const METRIC_NAMESPACE = 'CognitoGuard';

/**
 * Value of Powertools' `service` dimension on every custom metric, whichever function emits it: one fixed value keeps
 * `AuthDenied{Reason}` one time series per reason across functions (alarms match exact dimension sets).
 */
export const METRIC_SERVICE = 'cognito-guard';

export const MetricName = {
  AuthAllowed: 'AuthAllowed',
  AuthDenied: 'AuthDenied',
  WouldDeny: 'WouldDeny',
  TokensRevoked: 'TokensRevoked',
  RefreshReuseDetected: 'RefreshReuseDetected',
  SocketsClosed: 'SocketsClosed',
  /** A revocation was stored but its event could not be published after every retry. */
  RevocationEventsFailed: 'RevocationEventsFailed',
  /** A user's deny-list item passed its size budget and was folded into a raised user watermark. */
  DenyListFolded: 'DenyListFolded',
  /** A revocation could not be written to the deny-list (the session was still ended): alarms at once. */
  RevocationWritesFailed: 'RevocationWritesFailed',
  /** A Cognito change (CloudTrail, events in) turned into a revocation. */
  CognitoChangesRevoked: 'CognitoChangesRevoked',
  /** Revocation canary: 1 when a journey check failed, 0 when it passed (dimension Check). */
  VerifyCheckFailed: 'VerifyCheckFailed',
  /** Revocation canary: failed checks of one journey run (no extra dimension): the alarm reads this. */
  VerifyChecksFailed: 'VerifyChecksFailed',
  /** The signaling server failed on something a client was owed (dimension Reason: SIGNALING_FAILURE_REASONS). */
  SignalingFailures: 'SignalingFailures',
} as const;

/**
 * Reasons of `SignalingFailures`: a frame answered with an error frame because the store failed
 * (`ERR_STORE_UNAVAILABLE`) or the handler threw (`ERR_INTERNAL`); a frame that could not be posted for another
 * reason than 410 Gone (`ERR_SEND_FAILED`); sockets the sweep could not read in one run (`ERR_SWEEP_SKIPPED`).
 */
export const SIGNALING_FAILURE_REASONS = [
  'ERR_STORE_UNAVAILABLE',
  'ERR_INTERNAL',
  'ERR_SEND_FAILED',
  'ERR_SWEEP_SKIPPED',
] as const;
export type SignalingFailureReason = (typeof SIGNALING_FAILURE_REASONS)[number];

export const MetricDimension = {
  /** Powertools' own dimension; always METRIC_SERVICE. */
  Service: 'service',
  Reason: 'Reason',
  /** Second dimension set of AuthDenied: per-function total across reasons (the function's service name). */
  Function: 'Function',
  Scope: 'Scope',
  Cause: 'Cause',
  /** The journey check of VerifyCheckFailed (see CHECKS in lambdas/verify/journey.ts). */
  Check: 'Check',
} as const;
