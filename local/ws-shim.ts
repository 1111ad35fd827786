// The WebSocket gateway shim: `ws` upgrades (mounted on the one origin) to API Gateway WebSocket events for the real
// handlers, plus the @connections endpoint on its own internal port.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import type { RawData, WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { EDGE_SECURITY_HEADERS } from '../lambdas/shared/edge';
import { SIGNALING_ACTIONS } from '../lambdas/shared/websocket-routes';
import type * as ConnectHandler from '../lambdas/authorizer/connect-handler';
import type * as SignalingHandler from '../lambdas/signaling/handler';
import type { WebSocketEvent } from '../lambdas/signaling/handler';
import type * as SweepHandler from '../lambdas/signaling/sweep-handler';
import { policyAllows } from './iam-policy';
import type { ListenTarget } from './listen';
import { close, listen } from './listen';

const ACCOUNT_ID = '000000000000';
const API_ID = 'localws';
/** API Gateway's WebSocket message limit. */
const MAX_MESSAGE_BYTES = 128 * 1024;

export interface WsHandlers {
  readonly connectAuthorizer: (
    event: APIGatewayRequestAuthorizerEvent,
  ) => Promise<APIGatewayAuthorizerResult>;
  readonly signaling: (event: WebSocketEvent) => Promise<APIGatewayProxyResult>;
  readonly sweep: () => Promise<unknown>;
}

export interface WsShimOptions extends Omit<ListenTarget, 'service'> {
  /** The upgrade path on the origin server (`/ws`). */
  readonly path: string;
  /** Loaded at `start()`: the handlers read their env (which holds this shim's endpoint) at import. */
  readonly handlers: () => WsHandlers;
  readonly region: string;
  readonly stage: string;
  /** How often the sweep runs. @default 60 000 ms (the EventBridge rule's minute) */
  readonly sweepIntervalMs?: number;
  /** Where handler crashes are reported. @default console.error */
  readonly onError?: (error: unknown) => void;
}

export interface WsShim {
  /** The port of the @connections endpoint (not for browsers). */
  readonly port: number;
  /** `http://127.0.0.1:<port>/<stage>`, the @connections endpoint for ApiGatewayManagementApiClient. */
  readonly connectionsEndpoint: string;
  /** The origin server's `upgrade` listener: `path` is a socket; before `start()` it answers 503. */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Starts serving (after the handlers' env is set) and the sweep timer. */
  start(): void;
  stop(): Promise<void>;
}

interface Open {
  readonly socket: WebSocket;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string;
  lastActiveAt: number;
  /** Frames of one connection reach the handler in order. */
  queue: Promise<void>;
}

/** Listens now (so the @connections endpoint is known for the env); serves once `start()` has loaded the handlers. */
export async function createWsShim(options: WsShimOptions): Promise<WsShim> {
  const onError = options.onError ?? ((error: unknown) => console.error('[ws-shim]', error));
  const open = new Map<string, Open>();
  const chosenProtocol = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    // API Gateway answers with the subprotocol the $connect integration put in its response headers.
    handleProtocols: (_offered, request) => chosenProtocol.get(request) ?? false,
  });
  const server = createServer();
  const port = await listen(server, { ...options, service: '@connections endpoint' });
  const base = `/${options.stage}`;
  let handlers: WsHandlers | undefined;
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopping = false;

  const requestContext = (
    connectionId: string,
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
  ) => ({
    routeKey,
    eventType,
    messageId: randomUUID(),
    extendedRequestId: randomUUID(),
    requestTime: new Date().toISOString(),
    messageDirection: 'IN' as const,
    stage: options.stage,
    connectedAt: open.get(connectionId)?.connectedAt ?? Date.now(),
    requestTimeEpoch: Date.now(),
    requestId: randomUUID(),
    domainName: `localhost:${port}`,
    connectionId,
    apiId: API_ID,
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shim');
    if (url.pathname !== options.path) return refuse(socket, 404, 'Not Found');
    if (!handlers) return refuse(socket, 503, 'Service Unavailable', { 'Retry-After': '1' });
    const connectionId = randomBytes(9).toString('base64url');
    const { headers, multiValueHeaders } = headerMaps(req.rawHeaders);
    const query = Object.fromEntries(url.searchParams);
    const sourceIp = req.socket.remoteAddress ?? '127.0.0.1';
    const userAgent = req.headers['user-agent'] ?? '';
    // Identity source `route.request.header.Sec-WebSocket-Protocol`: without it the authorizer is not invoked.
    if (!req.headers['sec-websocket-protocol']) return refuse(socket, 401, 'Unauthorized');
    const methodArn = `arn:aws:execute-api:${options.region}:${ACCOUNT_ID}:${API_ID}/${options.stage}/$connect`;
    const context = requestContext(connectionId, '$connect', 'CONNECT');
    let result: APIGatewayAuthorizerResult;
    try {
      result = await handlers.connectAuthorizer({
        type: 'REQUEST',
        methodArn,
        resource: '$connect',
        path: options.path,
        httpMethod: 'GET',
        headers,
        multiValueHeaders,
        pathParameters: null,
        queryStringParameters: url.searchParams.size ? query : null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: {
          ...context,
          identity: { sourceIp, userAgent },
        } as unknown as APIGatewayRequestAuthorizerEvent['requestContext'],
      });
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized')
        return refuse(socket, 401, 'Unauthorized');
      onError(error);
      return refuse(socket, 500, 'Internal Server Error');
    }
    if (!policyAllows(result.policyDocument, methodArn)) return refuse(socket, 403, 'Forbidden');
    const authorizer = { ...result.context, principalId: result.principalId };
    let connected: APIGatewayProxyResult;
    try {
      connected = await handlers.signaling({
        requestContext: { ...context, authorizer },
        isBase64Encoded: false,
      });
    } catch (error) {
      onError(error);
      return refuse(socket, 502, 'Bad Gateway');
    }
    if (connected.statusCode < 200 || connected.statusCode > 299)
      return refuse(socket, connected.statusCode, 'Forbidden');
    const protocol = connected.headers?.['Sec-WebSocket-Protocol'];
    if (typeof protocol === 'string') chosenProtocol.set(req, protocol);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const now = Date.now();
      const entry: Open = {
        socket: ws,
        connectedAt: now,
        lastActiveAt: now,
        sourceIp,
        userAgent,
        queue: Promise.resolve(),
      };
      open.set(connectionId, entry);
      ws.on('message', (data, isBinary) => {
        entry.lastActiveAt = Date.now();
        entry.queue = entry.queue.then(() => message(connectionId, data, isBinary)).catch(onError);
      });
      ws.on('error', () => undefined); // a client fault (e.g. a frame over maxPayload): ws closes the socket itself
      ws.on('close', () => {
        if (stopping) return; // the handlers' stores are going away too
        entry.queue = entry.queue.then(() => disconnect(connectionId)).catch(onError);
      });
    });
  }

  async function message(connectionId: string, data: RawData, isBinary: boolean): Promise<void> {
    const body = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    const text = body.toString(isBinary ? 'base64' : 'utf8');
    await handlers!.signaling({
      requestContext: requestContext(connectionId, routeKeyOf(text), 'MESSAGE'),
      body: text,
      isBase64Encoded: isBinary,
    });
  }

  async function disconnect(connectionId: string): Promise<void> {
    try {
      await handlers!.signaling({
        requestContext: requestContext(connectionId, '$disconnect', 'DISCONNECT'),
        isBase64Encoded: false,
      });
    } finally {
      open.delete(connectionId);
    }
  }

  /** `POST|GET|DELETE /<stage>/@connections/<id>`, as the real ApiGatewayManagementApiClient calls it. */
  async function connections(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = new RegExp(`^${base}/@connections/([^/]+)$`).exec(
      new URL(req.url ?? '/', 'http://shim').pathname,
    );
    if (!match) return reply(res, 404, { message: 'Not Found' });
    const entry = open.get(decodeURIComponent(match[1]));
    if (!entry || entry.socket.readyState !== entry.socket.OPEN) {
      req.resume();
      return reply(res, 410, { message: 'Gone' }, { 'x-amzn-ErrorType': 'GoneException' });
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      entry.socket.send(Buffer.concat(chunks).toString('utf8'));
      return reply(res, 200, undefined);
    }
    req.resume();
    if (req.method === 'DELETE') {
      entry.socket.close(1000);
      return reply(res, 204, undefined);
    }
    if (req.method === 'GET') {
      return reply(res, 200, {
        ConnectedAt: new Date(entry.connectedAt).toISOString(),
        LastActiveAt: new Date(entry.lastActiveAt).toISOString(),
        Identity: { SourceIp: entry.sourceIp, UserAgent: entry.userAgent },
      });
    }
    return reply(res, 405, { message: 'Method Not Allowed' });
  }

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    connections(req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) reply(res, 500, { message: 'Internal Server Error' });
    });
  });

  return {
    port,
    connectionsEndpoint: `http://127.0.0.1:${port}${base}`,
    upgrade: (req, socket, head) => {
      if (stopping) return refuse(socket, 503, 'Service Unavailable');
      upgrade(req, socket, head).catch((error: unknown) => {
        onError(error);
        refuse(socket, 500, 'Internal Server Error');
      });
    },
    start: () => {
      handlers = options.handlers();
      const sweep = handlers.sweep;
      sweepTimer = setInterval(() => void sweep().catch(onError), options.sweepIntervalMs ?? 60_000);
      sweepTimer.unref();
    },
    stop: async () => {
      stopping = true;
      clearInterval(sweepTimer);
      for (const { socket } of open.values()) socket.terminate();
      wss.close();
      await close(server);
    },
  };
}

/** The real signaling handlers; call after the offline env is set (they read it at their "cold start"). */
export function loadWsHandlers(): WsHandlers {
  /* eslint-disable @typescript-eslint/no-require-imports -- required only after the offline env is set */
  return {
    connectAuthorizer: (require('../lambdas/authorizer/connect-handler') as typeof ConnectHandler).handler,
    signaling: (require('../lambdas/signaling/handler') as typeof SignalingHandler).handler,
    sweep: (require('../lambdas/signaling/sweep-handler') as typeof SweepHandler).handler,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** `$request.body.action` when it names a route, `$default` otherwise (API Gateway's route selection). */
function routeKeyOf(body: string): string {
  try {
    const action = (JSON.parse(body) as { action?: unknown }).action;
    return SIGNALING_ACTIONS.includes(action as never) ? (action as string) : '$default';
  } catch {
    return '$default';
  }
}

function refuse(socket: Duplex, status: number, text: string, headers: Record<string, string> = {}): void {
  if (socket.writable) {
    const extra = Object.entries({ ...EDGE_SECURITY_HEADERS, ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`HTTP/1.1 ${status} ${text}\r\n${extra}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(text);
}

/** API Gateway keeps the client's header casing; `headers` holds the last value of a repeated header. */
function headerMaps(rawHeaders: readonly string[]) {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const known = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
    headers[known] = rawHeaders[i + 1]!;
    (multiValueHeaders[known] ??= []).push(rawHeaders[i + 1]);
  }
  return { headers, multiValueHeaders };
}
