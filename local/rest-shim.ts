// The REST gateway shim: HTTP in, API Gateway events to the real authorizer and handlers, their answers out.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { renderGatewayResponse } from '../lambdas/shared/gateway-responses';
import { corsHeaders, SECURITY_HEADERS } from '../lambdas/shared/http';
import type { GatewayRequest } from './api-gateway-events';
import {
  authorizerEvent,
  matchRoute,
  methodArn,
  proxyEvent,
  routeMethodsForPath,
} from './api-gateway-events';
import type { Handlers } from './handlers';
import { policyAllows } from './iam-policy';

export interface RestShimOptions {
  readonly handlers: Handlers;
  readonly region: string;
  readonly stage: string;
  /** Browser origins allowed by CORS (the CDK stage's `allowedOrigins`). */
  readonly allowedOrigins: readonly string[];
  /** Request headers a preflight may ask for. @default ['Authorization', 'Content-Type'] */
  readonly allowHeaders?: readonly string[];
  /** Larger bodies are answered 413 without invoking anything. @default 64 KiB */
  readonly maxBodyBytes?: number;
  /** Where authorizer and handler crashes are reported. @default console.error */
  readonly onError?: (error: unknown) => void;
}

type Reply = { readonly statusCode: number; readonly headers: Record<string, string>; readonly body: string };

/** The shim's request listener; paths are route-table paths (the origin server strips `/api`). */
export function createRestShim(options: RestShimOptions): RequestListener {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
  const onError = options.onError ?? ((error: unknown) => console.error('[rest-shim]', error));

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) write(res, gatewayReply('DEFAULT_5XX', 500, 'Internal server error', {}));
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shim');
    const method = req.method ?? 'GET';
    const cors = corsHeaders(req.headers.origin, options.allowedOrigins);
    if (method === 'OPTIONS') return write(res, preflight(url.pathname, cors));

    const match = matchRoute(method, url.pathname);
    if (!match) return write(res, notFound(cors));
    const body = await readBody(req, maxBodyBytes);
    if (body === TOO_LARGE) {
      return write(res, gatewayReply('REQUEST_TOO_LARGE', 413, 'Request Too Long', cors));
    }

    const request: GatewayRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      requestId: randomUUID(),
      region: options.region,
      stage: options.stage,
    };
    let authorizer: Record<string, unknown> | undefined;
    if (match.route.auth === 'authorized') {
      // Identity source `method.request.header.Authorization`: missing or empty, API Gateway answers 401 itself and
      // never invokes the authorizer (https://repost.aws/knowledge-center/api-gateway-401-error-lambda-authorizer).
      if (!req.headers.authorization)
        return write(res, gatewayReply('UNAUTHORIZED', 401, 'Unauthorized', cors));
      let result: APIGatewayAuthorizerResult;
      try {
        result = await options.handlers.authorizer(authorizerEvent(request, match));
      } catch (error) {
        // API Gateway: exactly 'Unauthorized' => 401; any other failure is an authorizer error => 500.
        if (error instanceof Error && error.message === 'Unauthorized') {
          return write(res, gatewayReply('UNAUTHORIZED', 401, 'Unauthorized', cors));
        }
        onError(error);
        return write(
          res,
          gatewayReply('AUTHORIZER_CONFIGURATION_ERROR', 500, null, {
            ...cors,
            'x-amzn-ErrorType': 'AuthorizerConfigurationException',
          }),
        );
      }
      // REST APIs hand context values to the integration (and to gateway responses) as strings.
      const context = Object.fromEntries(
        Object.entries(result.context ?? {}).map(([key, value]) => [key, String(value)] as const),
      );
      if (!policyAllows(result.policyDocument, methodArn(request))) {
        return write(
          res,
          gatewayReply('ACCESS_DENIED', 403, 'User is not authorized to access this resource', cors, context),
        );
      }
      authorizer = { ...context, principalId: result.principalId };
    }

    let response: APIGatewayProxyResult;
    try {
      response = await options.handlers.routes[match.route.fn](proxyEvent(request, match, authorizer));
    } catch (error) {
      onError(error);
      return write(res, gatewayReply('DEFAULT_5XX', 502, 'Internal server error', cors));
    }
    writeProxyResult(res, response, request.requestId);
  }

  function preflight(path: string, cors: Record<string, string>): Reply {
    const methods = routeMethodsForPath(path);
    if (methods.length === 0) return notFound({});
    // Like the CDK's preflight mock: a foreign origin gets no Allow-Origin, and the browser stops there.
    const allowed: Record<string, string> = cors['Access-Control-Allow-Origin']
      ? {
          ...cors,
          'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(','),
          'Access-Control-Allow-Headers': (options.allowHeaders ?? ['Authorization', 'Content-Type']).join(
            ',',
          ),
          'Access-Control-Max-Age': '600',
        }
      : { Vary: 'Origin' };
    return { statusCode: 204, headers: { ...SECURITY_HEADERS, ...allowed }, body: '' };
  }
}

const TOO_LARGE = Symbol('too large');

/** The body as UTF-8 (REST APIs without binary media types), null when empty, TOO_LARGE past the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<string | null | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume(); // drain, so the client can read the answer
      return resolve(TOO_LARGE);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > limit ? TOO_LARGE : size === 0 ? null : Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

/**
 * An answer API Gateway itself gives (no integration involved), rendered from the gateway response the stack
 * configures for `type` (lambdas/shared/gateway-responses.ts); `message` is API Gateway's own text for it.
 */
function gatewayReply(
  type: string,
  defaultStatus: number,
  message: string | null,
  headers: Record<string, string>,
  authorizer?: Record<string, string>,
): Reply {
  // The stack's DPOP_MODE, as the deployed stage's `dpop` chooses its gateway responses.
  const deviceBinding = (process.env[AuthorizerEnv.dpopMode] ?? 'off') !== 'off';
  const rendered = renderGatewayResponse(type, defaultStatus, { authorizer, message, deviceBinding });
  return {
    statusCode: rendered.statusCode,
    headers: { ...SECURITY_HEADERS, ...headers, ...rendered.headers },
    body: rendered.body,
  };
}

/** A path or method without a route: API Gateway's MISSING_AUTHENTICATION_TOKEN (403 unless customised). */
function notFound(headers: Record<string, string>): Reply {
  return gatewayReply('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token', headers);
}

function write(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.statusCode, reply.headers).end(reply.body);
}

function writeProxyResult(res: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  if (!Number.isInteger(result.statusCode) || typeof result.body !== 'string') {
    // A malformed proxy response is a 502 in API Gateway.
    return write(res, gatewayReply('DEFAULT_5XX', 502, 'Internal server error', {}));
  }
  const headers: Record<string, string | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  res
    .writeHead(result.statusCode, headers)
    .end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}
