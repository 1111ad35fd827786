// API Gateway side of the session functions: request parts in; Outcome -> response, log line, metrics out.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, header, json } from '../shared/http';
import { MetricName } from '../shared/metric-names';
import type { Observability } from '../shared/observability';
import { recordDenied } from '../shared/observability';
import type { Outcome } from './outcome';
import { SessionErrorCode } from './outcome';
import { UpstreamError } from './ports';
import type { ClientFacts, SessionRequest } from './request';
import { CSRF_HEADER, MAX_USER_AGENT } from './request';

/** The parts of the event the cores read; every `Cookie` header value, however API Gateway delivered them. */
export function sessionRequest(event: APIGatewayProxyEvent): SessionRequest {
  const cookies = Object.entries(event.multiValueHeaders ?? {})
    .filter(([name]) => name.toLowerCase() === 'cookie')
    .flatMap(([, values]) => values ?? []);
  const single = header(event, 'cookie');
  const proofs = Object.entries(event.multiValueHeaders ?? {})
    .filter(([name]) => name.toLowerCase() === 'dpop')
    .flatMap(([, values]) => values ?? []);
  // RFC 9449 §4.3: exactly one proof; two are passed on as a value no proof rule accepts (fail closed).
  const dpop = proofs.length > 1 ? 'ambiguous' : header(event, 'dpop');
  const body =
    event.body && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    body,
    origin: header(event, 'origin'),
    csrfHeader: header(event, CSRF_HEADER),
    contentType: header(event, 'content-type'),
    cookies: cookies.length > 0 ? cookies : single ? [single] : [],
    client: clientFacts(event),
    ...(dpop ? { dpop } : {}),
  };
}

/**
 * The viewer's User-Agent and IP. Behind CloudFront the gateway's `sourceIp` is an edge address: the viewer's is in
 * `CloudFront-Viewer-Address` (`ip:port`, set by CloudFront, forwarded by the AllViewerExceptHostHeader policy:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/adding-cloudfront-headers.html).
 */
function clientFacts(event: APIGatewayProxyEvent): ClientFacts {
  const viewer = header(event, 'cloudfront-viewer-address');
  const ip = viewer ? viewer.slice(0, viewer.lastIndexOf(':')) : event.requestContext?.identity?.sourceIp;
  const userAgent = header(event, 'user-agent') ?? event.requestContext?.identity?.userAgent ?? undefined;
  return {
    ...(userAgent ? { userAgent: userAgent.slice(0, MAX_USER_AGENT) } : {}),
    ...(ip ? { ip: ip.slice(0, 64) } : {}),
  };
}

/** Turns an outcome into the response; logs the denial (fingerprint only) or the session event, emits metrics. */
export function respond(
  outcome: Outcome,
  event: APIGatewayProxyEvent,
  obs: Observability,
  headers: Record<string, string>,
): APIGatewayProxyResult {
  if (outcome.denial) {
    recordDenied(obs, {
      ...outcome.denial,
      route: `${event.httpMethod} ${event.resource}`,
      sourceIp: event.requestContext?.identity?.sourceIp,
      userAgent: event.requestContext?.identity?.userAgent ?? undefined,
    });
  }
  if (outcome.reuseDetected) {
    obs.metrics.singleMetric().addMetric(MetricName.RefreshReuseDetected, MetricUnit.Count, 1);
  }
  if (outcome.event) obs.logger.info(outcome.event.event, { ...outcome.event });
  return json(outcome.status, outcome.body, { headers, cookies: outcome.cookies ?? [] });
}

/** Unexpected failures: Cognito -> 502, anything else (the stores) -> 503. Logs the error's name and message only. */
export function failure(
  error: unknown,
  obs: Observability,
  headers: Record<string, string>,
): APIGatewayProxyResult {
  const { name, message } = error instanceof Error ? error : new Error('non-error thrown');
  obs.logger.error('session request failed', {
    event: 'session_error',
    errorName: name,
    errorMessage: message,
  });
  if (error instanceof UpstreamError) {
    return errorResponse(502, SessionErrorCode.upstream, 'Cognito is unavailable; retry', { headers });
  }
  return errorResponse(503, 'ERR_STORE_UNAVAILABLE', 'a store is unavailable; retry', { headers });
}
