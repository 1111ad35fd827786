// The REST API's gateway responses (API Gateway's own answers) as data: CDK configures them, the offline shim renders them.

import { bearerChallenge, REALM, REASON_MEANINGS } from './reasons';

/**
 * One gateway response. Header values are static `'values'` in single quotes: AWS documents request parameters,
 * stage variables and static values as header sources, not the authorizer context. The body is a non-VTL template
 * that substitutes `$context.*` variables, `$context.authorizer.*` included
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html).
 */
export interface GatewayResponseDefinition {
  /** Absent: the response type's own status (DEFAULT_4XX / DEFAULT_5XX keep each type's status). */
  readonly statusCode?: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The response types we customise (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html). */
export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'UNAUTHORIZED'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'RESOURCE_NOT_FOUND'
  | 'REQUEST_TOO_LARGE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

/**
 * The challenge of every REST authorizer denial. The authorizer applies no route policy (scopes and step-up are the
 * handlers', which set their own header), so each of its denials is a token that cannot be accepted: RFC 6750
 * `invalid_token`; the typed reason is in the body.
 */
export const AUTHORIZER_DENIAL_CHALLENGE = `Bearer realm="${REALM}", error="invalid_token"`;

/**
 * With device binding on, the same static header also offers the DPoP scheme (RFC 9449 §7.1: `algs` names what we
 * accept; RFC 7235 §4.1 allows several challenges in one header). A static header cannot say which proof rule
 * failed: the typed `ERR_DPOP_*` reason is in the body, as every other authorizer reason is.
 */
export const AUTHORIZER_DENIAL_CHALLENGE_WITH_DPOP = `${AUTHORIZER_DENIAL_CHALLENGE}, DPoP realm="${REALM}", algs="ES256"`;

const NOT_FOUND = '{"error":"ERR_NOT_FOUND","message":"no such route"}';
/** Any other gateway error: `ERR_<response type>` (e.g. ERR_THROTTLED) and API Gateway's own message. */
const GENERIC = '{"error":"ERR_$context.error.responseType","message":$context.error.messageString}';

export const GATEWAY_RESPONSES: Readonly<Record<GatewayResponseType, GatewayResponseDefinition>> = {
  // The REST authorizer denies with a Deny policy whose context carries the reason (lambdas/authorizer/result.ts);
  // every authorizer denial is an authentication failure, hence 401 rather than ACCESS_DENIED's default 403.
  ACCESS_DENIED: {
    statusCode: 401,
    headers: { 'WWW-Authenticate': `'${AUTHORIZER_DENIAL_CHALLENGE}'` },
    body: '{"error":"$context.authorizer.reason","message":"$context.authorizer.message"}',
  },
  // No Authorization header at all: API Gateway refuses without invoking the authorizer.
  UNAUTHORIZED: {
    statusCode: 401,
    headers: { 'WWW-Authenticate': `'${bearerChallenge('ERR_TOKEN_MISSING')}'` },
    body: JSON.stringify({ error: 'ERR_TOKEN_MISSING', message: REASON_MEANINGS.ERR_TOKEN_MISSING.message }),
  },
  // A path or method no route has: API Gateway's default is a misleading 403 "Missing Authentication Token".
  MISSING_AUTHENTICATION_TOKEN: { statusCode: 404, headers: {}, body: NOT_FOUND },
  RESOURCE_NOT_FOUND: { statusCode: 404, headers: {}, body: NOT_FOUND },
  REQUEST_TOO_LARGE: {
    statusCode: 413,
    headers: {},
    body: '{"error":"ERR_REQUEST_TOO_LARGE","message":"the request body is too large"}',
  },
  DEFAULT_4XX: { headers: {}, body: GENERIC },
  DEFAULT_5XX: { headers: {}, body: GENERIC },
};

/** The gateway responses of a REST API, by whether device binding (the stage's `dpop`) is on. */
export function gatewayResponses(
  deviceBinding: boolean,
): Readonly<Record<GatewayResponseType, GatewayResponseDefinition>> {
  if (!deviceBinding) return GATEWAY_RESPONSES;
  const denied = GATEWAY_RESPONSES.ACCESS_DENIED;
  return {
    ...GATEWAY_RESPONSES,
    ACCESS_DENIED: {
      ...denied,
      headers: { 'WWW-Authenticate': `'${AUTHORIZER_DENIAL_CHALLENGE_WITH_DPOP}'` },
    },
  };
}

/** What the variables of a gateway response resolve to for one request. */
export interface GatewayResponseContext {
  /** The authorizer's context (REST: values are strings). */
  readonly authorizer?: Readonly<Record<string, string>>;
  /** API Gateway's own message for the response type (null for some, e.g. an authorizer error). */
  readonly message: string | null;
  /** The stage's device binding is on (see gatewayResponses). @default false */
  readonly deviceBinding?: boolean;
}

/**
 * Renders the gateway response of `type` (any API Gateway response type; one we don't customise falls back to
 * DEFAULT_4XX / DEFAULT_5XX by its default status) as API Gateway does: simple substitution, an unknown variable
 * becomes empty. For the offline shim, so that it answers exactly what the deployed API is configured to answer.
 */
export function renderGatewayResponse(
  type: string,
  defaultStatus: number,
  context: GatewayResponseContext,
): { statusCode: number; headers: Record<string, string>; body: string } {
  const fallback: GatewayResponseType = defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const responses = gatewayResponses(context.deviceBinding ?? false);
  const definition =
    (responses as Record<string, GatewayResponseDefinition | undefined>)[type] ?? responses[fallback];
  const error = { responseType: type, message: context.message };
  const variable = (name: string): string => {
    if (name === 'error.responseType') return error.responseType;
    if (name === 'error.message') return error.message ?? '';
    if (name === 'error.messageString') return JSON.stringify(error.message);
    if (name.startsWith('authorizer.')) return context.authorizer?.[name.slice('authorizer.'.length)] ?? '';
    return '';
  };
  const headers: Record<string, string> = {};
  for (const [name, mapping] of Object.entries(definition.headers)) headers[name] = mapping.slice(1, -1);
  return {
    statusCode: definition.statusCode ?? defaultStatus,
    headers,
    body: definition.body.replace(/\$context\.([A-Za-z0-9_.]+)/g, (_, name: string) => variable(name)),
  };
}
