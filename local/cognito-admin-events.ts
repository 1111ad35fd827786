// Offline twin of CloudTrail -> EventBridge for Cognito: wraps the local Cognito listener and raises the same events.
import { IncomingMessage } from 'node:http';
import type { RequestListener, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import {
  ADMIN_REVOKING_CALLS,
  CLOUDTRAIL_DETAIL_TYPE,
  COGNITO_EVENT_SOURCE,
  COGNITO_IDP_EVENT_SOURCE,
} from '../lambdas/events/cognito-trail';

/**
 * The admin calls the twin reports: every revoking one, plus two that must change nothing (the events-in handler
 * decides, as in AWS, where CloudTrail records every call and the rule's pattern selects).
 */
export const OBSERVED_ADMIN_CALLS: readonly string[] = [
  ...ADMIN_REVOKING_CALLS,
  'AdminAddUserToGroup',
  'AdminEnableUser',
];

/**
 * The calls users make themselves that the twin reports, where cognito-local implements them (it has no
 * GlobalSignOut): the revoking ones, plus UpdateUserAttributes, which must change nothing.
 */
export const OBSERVED_USER_CALLS: readonly string[] = [
  'ChangePassword',
  'ConfirmForgotPassword',
  'DeleteUser',
  'UpdateUserAttributes',
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
  /** The pool a ConfirmForgotPassword (client id + username, no pool) is looked up in. */
  readonly userPoolId: string;
  /**
   * Gets each event after the call succeeded (2xx), with when the call arrived (millisecond precision, unlike the
   * event's `eventTime`); must not throw (it runs after the response is sent).
   */
  readonly onEvent: (event: CloudTrailApiCallEvent, startedAt: Date) => void;
}

/**
 * Wraps cognito-local's request listener from the outside. For an observed call it reads the body, finds the user's
 * `sub` before the call runs (AdminDeleteUser and DeleteUser remove it), hands an identical request to the inner
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
  return OBSERVED_ADMIN_CALLS.includes(call) || OBSERVED_USER_CALLS.includes(call) ? call : undefined;
}

async function observe(
  call: string,
  req: IncomingMessage,
  res: ServerResponse,
  inner: RequestListener,
  options: AdminEventsOptions,
): Promise<void> {
  const body = await readBody(req);
  const recorded = recordOf(call, body, options.userPoolId);
  const sub = recorded ? (recorded.sub ?? (await lookupSub(req, recorded.user))) : undefined;
  const eventTime = new Date();
  res.on('finish', () => {
    if (res.statusCode < 200 || res.statusCode > 299 || !recorded) return;
    options.onEvent(
      cloudTrailEvent({ call, req, recorded, sub, eventTime, region: options.region }),
      eventTime,
    );
  });
  inner(replay(req, body), res);
}

/** What CloudTrail records of a call, and how the twin finds its user. */
interface RecordedCall {
  /** An IAM-signed admin call (else: the user's own, with no IAM identity). */
  readonly admin: boolean;
  readonly requestParameters: Readonly<Record<string, string>>;
  /** The user's sub when the request carries it (an access token's `sub`). */
  readonly sub?: string;
  /** Else the pool and username to look it up with. */
  readonly user: { readonly UserPoolId: string; readonly Username: string };
}

/** Cognito records passwords, tokens, codes and usernames as this (logging-using-cloudtrail.html). */
const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

function recordOf(call: string, body: Buffer, userPoolId: string): RecordedCall | undefined {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined; // the inner listener answers the malformed request itself
  }
  const text = (name: string) => (typeof parsed[name] === 'string' ? parsed[name] : undefined);
  if (OBSERVED_ADMIN_CALLS.includes(call)) {
    const [pool, username, group] = [text('UserPoolId'), text('Username'), text('GroupName')];
    if (!pool || !username) return undefined;
    return {
      admin: true,
      requestParameters: { userPoolId: pool, username: HIDDEN, ...(group ? { groupName: group } : {}) },
      user: { UserPoolId: pool, Username: username },
    };
  }
  if (call === 'ConfirmForgotPassword') {
    const username = text('Username');
    if (!username) return undefined;
    const requestParameters = {
      clientId: HIDDEN,
      username: HIDDEN,
      confirmationCode: HIDDEN,
      password: HIDDEN,
    };
    return { admin: false, requestParameters, user: { UserPoolId: userPoolId, Username: username } };
  }
  const token = text('AccessToken'); // ChangePassword, DeleteUser, UpdateUserAttributes
  const sub = token ? subOf(token) : undefined;
  if (!sub) return undefined;
  const hidden = Object.fromEntries(
    Object.keys(parsed).map((name) => [name[0].toLowerCase() + name.slice(1), HIDDEN]),
  );
  return { admin: false, requestParameters: hidden, sub, user: { UserPoolId: userPoolId, Username: sub } };
}

/** The `sub` claim of an access token; unverified here: the event is raised only if Cognito then accepts the token. */
function subOf(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      sub?: unknown;
    };
    return typeof payload.sub === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

/** AdminGetUser against this same server (its public API, so it works whatever implements the pool). */
async function lookupSub(req: IncomingMessage, params: RecordedCall['user']): Promise<string | undefined> {
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
  recorded: RecordedCall;
  sub: string | undefined;
  eventTime: Date;
  region: string;
}): CloudTrailApiCallEvent {
  const { call, req, recorded, sub, eventTime, region } = input;
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
      // A user's own call has no IAM identity: like the records AWS shows of calls users make, only accountId
      // (https://docs.aws.amazon.com/cognito/latest/developerguide/understanding-amazon-cognito-entries.html).
      userIdentity: recorded.admin ? iamUser(accessKeyId(req)) : { accountId: LOCAL_ACCOUNT },
      eventTime: time,
      eventSource: COGNITO_IDP_EVENT_SOURCE,
      eventName: call,
      awsRegion: region,
      sourceIPAddress: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? '',
      // Cognito hides usernames, passwords and tokens in CloudTrail and names the user by sub in
      // additionalEventData: https://docs.aws.amazon.com/cognito/latest/developerguide/logging-using-cloudtrail.html
      requestParameters: recorded.requestParameters,
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

/** An IAM user named after the SigV4 access key id (offline there is no IAM). */
function iamUser(keyId: string): Record<string, string> {
  return {
    type: 'IAMUser',
    principalId: keyId,
    arn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/${keyId}`,
    accountId: LOCAL_ACCOUNT,
    accessKeyId: keyId,
    userName: keyId,
  };
}
