// Offline twin of CloudTrail -> EventBridge for Cognito: wraps the local Cognito listener and raises the same events.
import { IncomingMessage } from 'node:http';
import type { RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  COGNITO_EVENT_SOURCE,
  COGNITO_IDP_EVENT_SOURCE,
  REVOKING_COGNITO_CALLS,
} from '../lambdas/events/cognito-trail';

/**
 * The admin calls the twin reports: every revoking one, plus two that must change nothing (the events-in handler
 * decides, as in AWS, where CloudTrail records every call and the rule's pattern selects).
 */
export const OBSERVED_ADMIN_CALLS: readonly string[] = [
  ...REVOKING_COGNITO_CALLS,
  'AdminAddUserToGroup',
  'AdminEnableUser',
];

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const MAX_BODY_BYTES = 64 * 1024;
/** Offline there is no IAM: the caller's SigV4 access key id stands in for the IAM user name. */
const LOCAL_ACCOUNT = '000000000000';

/** A CloudTrail-recorded API call as EventBridge delivers it (the fields the events-in handler and humans read). */
export interface CloudTrailApiCallEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': typeof CLOUDTRAIL_DETAIL_TYPE;
  readonly source: typeof COGNITO_EVENT_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AdminEventsOptions {
  readonly region: string;
  /**
   * Gets each event after the call succeeded (2xx), with when the call arrived (millisecond precision, unlike the
   * event's `eventTime`); must not throw (it runs after the response is sent).
   */
  readonly onEvent: (event: CloudTrailApiCallEvent, startedAt: Date) => void;
}

/**
 * Wraps cognito-local's request listener from the outside. For an observed admin call it reads the body, looks up
 * the user's `sub` before the call runs (AdminDeleteUser removes it), hands an identical request to the inner
 * listener, and once the response finished with 2xx raises the CloudTrail-shaped event. Every other request passes
 * through untouched.
 */
export function withAdminEvents(inner: RequestListener, options: AdminEventsOptions): RequestListener {
  return (req, res) => {
    const call = adminCall(req);
    if (!call) {
      inner(req, res);
      return;
    }
    void observe(call, req, res, inner, options).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalErrorException', message: 'request could not be read' }));
    });
  };
}

function adminCall(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || typeof target !== 'string' || !target.startsWith(TARGET_PREFIX))
    return undefined;
  const call = target.slice(TARGET_PREFIX.length);
  return OBSERVED_ADMIN_CALLS.includes(call) ? call : undefined;
}

async function observe(
  call: string,
  req: IncomingMessage,
  res: ServerResponse,
  inner: RequestListener,
  options: AdminEventsOptions,
): Promise<void> {
  const body = await readBody(req);
  const params = parseParams(body);
  const sub = params ? await lookupSub(req, params) : undefined;
  const eventTime = new Date();
  res.on('finish', () => {
    if (res.statusCode < 200 || res.statusCode > 299 || !params) return;
    options.onEvent(
      cloudTrailEvent({ call, req, params, sub, eventTime, region: options.region }),
      eventTime,
    );
  });
  inner(replay(req, body), res);
}

interface AdminParams {
  readonly UserPoolId: string;
  readonly Username: string;
  readonly GroupName?: string;
}

function parseParams(body: Buffer): AdminParams | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    if (typeof parsed.UserPoolId !== 'string' || typeof parsed.Username !== 'string') return undefined;
    return {
      UserPoolId: parsed.UserPoolId,
      Username: parsed.Username,
      ...(typeof parsed.GroupName === 'string' ? { GroupName: parsed.GroupName } : {}),
    };
  } catch {
    return undefined; // the inner listener answers the malformed request itself
  }
}

/** AdminGetUser against this same server (its public API, so it works whatever implements the pool). */
async function lookupSub(req: IncomingMessage, params: AdminParams): Promise<string | undefined> {
  const { localAddress, localPort } = req.socket;
  if (!localAddress || !localPort) return undefined;
  const host = localAddress.includes(':') ? `[${localAddress}]` : localAddress;
  try {
    const response = await fetch(`http://${host}:${localPort}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${TARGET_PREFIX}AdminGetUser`,
      },
      body: JSON.stringify({ UserPoolId: params.UserPoolId, Username: params.Username }),
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) return undefined;
    const user = (await response.json()) as { UserAttributes?: { Name?: string; Value?: string }[] };
    return user.UserAttributes?.find((attribute) => attribute.Name === 'sub')?.Value;
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A fresh request with the same line, headers and body, for the inner listener (the original stream is consumed). */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.complete = true; // else its auto-destroy at end counts as an abort and destroys the shared socket
  copy.push(body);
  copy.push(null);
  return copy;
}

/** The SigV4 access key id (`Credential=<id>/…`), never anything else of the Authorization header. */
function accessKeyId(req: IncomingMessage): string {
  const match = /Credential=([A-Za-z0-9]{1,128})\//.exec(req.headers.authorization ?? '');
  return match?.[1] ?? 'anonymous';
}

function cloudTrailEvent(input: {
  call: string;
  req: IncomingMessage;
  params: AdminParams;
  sub: string | undefined;
  eventTime: Date;
  region: string;
}): CloudTrailApiCallEvent {
  const { call, req, params, sub, eventTime, region } = input;
  const keyId = accessKeyId(req);
  const time = eventTime.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': CLOUDTRAIL_DETAIL_TYPE,
    source: COGNITO_EVENT_SOURCE,
    account: LOCAL_ACCOUNT,
    time,
    region,
    resources: [],
    detail: {
      eventVersion: '1.08',
      userIdentity: {
        type: 'IAMUser',
        principalId: keyId,
        arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/${keyId}`,
        accountId: LOCAL_ACCOUNT,
        accessKeyId: keyId,
        userName: keyId,
      },
      eventTime: time,
      eventSource: COGNITO_IDP_EVENT_SOURCE,
      eventName: call,
      awsRegion: region,
      sourceIPAddress: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
      // Cognito hides usernames in CloudTrail and names the user by sub in additionalEventData:
      // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-info-in-cloudtrail.html
      requestParameters: {
        userPoolId: params.UserPoolId,
        username: 'HIDDEN_FOR_SECURITY_REASONS',
        ...(params.GroupName !== undefined ? { groupName: params.GroupName } : {}),
      },
      responseElements: null,
      ...(sub ? { additionalEventData: { sub } } : {}),
      requestID: randomUUID(),
      eventID: randomUUID(),
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: LOCAL_ACCOUNT,
      eventCategory: 'Management',
    },
  };
}
