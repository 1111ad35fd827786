// Translates an HTTP request into the API Gateway REST events the real handlers receive (proxy v1, REQUEST authorizer).
import type {
  APIGatewayEventIdentity,
  APIGatewayEventRequestContextWithAuthorizer,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import type { Route } from '../lambdas/shared/routes';
import { ROUTES } from '../lambdas/shared/routes';

/** Account id placeholder in ARNs, as in API Gateway's own test console. */
const ACCOUNT_ID = '000000000000';
const API_ID = 'local';

export interface GatewayRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Node's `rawHeaders`: name/value pairs with the client's casing. */
  readonly rawHeaders: readonly string[];
  readonly body: string | null;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly region: string;
  readonly stage: string;
}

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | null;
}

/** The route of the shared table for this method and path, with its `{name}` parameters. */
export function matchRoute(method: string, path: string): RouteMatch | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const pathParameters = matchPath(route.path, path);
    if (pathParameters)
      return { route, pathParameters: Object.keys(pathParameters).length ? pathParameters : null };
  }
  return undefined;
}

/** Whether any route of the table has this path (for CORS preflight). */
export function routeMethodsForPath(path: string): string[] {
  return ROUTES.filter((route) => matchPath(route.path, path)).map((route) => route.method);
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .replace(/[.*+?^${}()|[\]\\]/g, (char) => `\\${char}`)
    .replace(/\\\{(\w+)\\\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  const match = new RegExp(`^${pattern}$`).exec(path);
  if (!match) return undefined;
  try {
    return Object.fromEntries(names.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]));
  } catch {
    return undefined; // malformed percent-encoding: no route
  }
}

/** `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD><path>`, as API Gateway builds it. */
export function methodArn(request: GatewayRequest): string {
  return `arn:aws:execute-api:${request.region}:${ACCOUNT_ID}:${API_ID}/${request.stage}/${request.method}${request.path}`;
}

export function authorizerEvent(
  request: GatewayRequest,
  match: RouteMatch,
): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: methodArn(request),
    resource: match.route.path,
    path: request.path,
    httpMethod: request.method,
    ...headerMaps(request.rawHeaders),
    pathParameters: match.pathParameters,
    ...queryMaps(request.query),
    stageVariables: null,
    requestContext: requestContext(request, match, undefined),
  };
}

export function proxyEvent(
  request: GatewayRequest,
  match: RouteMatch,
  authorizer: Record<string, unknown> | undefined,
): APIGatewayProxyEvent {
  return {
    resource: match.route.path,
    path: request.path,
    httpMethod: request.method,
    ...headerMaps(request.rawHeaders),
    pathParameters: match.pathParameters,
    ...queryMaps(request.query),
    stageVariables: null,
    requestContext: requestContext(request, match, authorizer),
    body: request.body,
    isBase64Encoded: false,
  };
}

function requestContext<T>(
  request: GatewayRequest,
  match: RouteMatch,
  authorizer: T,
): APIGatewayEventRequestContextWithAuthorizer<T> {
  return {
    accountId: ACCOUNT_ID,
    apiId: API_ID,
    authorizer,
    protocol: 'HTTP/1.1',
    httpMethod: request.method,
    identity: identity(request),
    path: `/${request.stage}${request.path}`,
    stage: request.stage,
    requestId: request.requestId,
    requestTimeEpoch: Date.now(),
    resourceId: API_ID,
    resourcePath: match.route.path,
  };
}

function identity(request: GatewayRequest): APIGatewayEventIdentity {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp: request.sourceIp,
    user: null,
    userAgent: lastHeader(request.rawHeaders, 'user-agent') ?? null,
    userArn: null,
  };
}

/** API Gateway keeps the client's header casing; `headers` holds the last value of a repeated header. */
function headerMaps(rawHeaders: readonly string[]) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const value = rawHeaders[i + 1] ?? '';
    const known =
      Object.keys(multiValueHeaders).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
    headers[known] = value;
    (multiValueHeaders[known] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

/** The last value of a header, any casing. */
export function lastHeader(rawHeaders: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === name) value = rawHeaders[i + 1];
  }
  return value;
}

function queryMaps(query: URLSearchParams) {
  if (query.size === 0) return { queryStringParameters: null, multiValueQueryStringParameters: null };
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, value] of query) {
    queryStringParameters[name] = value;
    (multiValueQueryStringParameters[name] ??= []).push(value);
  }
  return { queryStringParameters, multiValueQueryStringParameters };
}
