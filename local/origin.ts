// The one origin offline: one HTTP server for the page (`/`), the REST API (`/api/…`) and the WebSocket (`/ws`),
// with the security headers CloudFront adds in AWS; until everything behind it is ready it answers 503.
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { apiRoutePath, EDGE_PATHS, EDGE_SECURITY_HEADERS } from '../lambdas/shared/edge';
import { ROUTES } from '../lambdas/shared/routes';
import type { StaticSite } from './static-site';

/** What serves each part of the origin once the stack is up. */
export interface OriginRoutes {
  /** The REST shim: receives route-table paths (`/me`), the `/api` prefix stripped. */
  readonly api: RequestListener;
  /** The WebSocket shim's upgrade listener (it refuses every path but its own). */
  readonly upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  readonly site: StaticSite;
}

export interface Origin {
  readonly server: Server;
  /** Starts answering for real; before this every request gets 503 + Retry-After. */
  serve(routes: OriginRoutes): void;
}

/** Seconds a client should wait before retrying while the stack starts. */
const RETRY_AFTER_SECONDS = '1';

/** A server that can listen at once (so its port is known) and answers 503 until `serve` is called. */
export function createOrigin(
  onError: (error: unknown) => void = (error) => console.error('[origin]', error),
): Origin {
  let routes: OriginRoutes | undefined;
  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(EDGE_SECURITY_HEADERS)) res.setHeader(name, value);
    if (!routes) return starting(req, res);
    route(routes, req, res).catch((error: unknown) => {
      onError(error);
      if (!res.headersSent) reply(res, 500, { message: 'Internal server error' });
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (routes) return routes.upgrade(req, socket, head);
    socket.end(
      `HTTP/1.1 503 Service Unavailable\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
  });
  return {
    server,
    serve: (ready) => {
      routes = ready;
    },
  };
}

async function route(routes: OriginRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://origin');
  const routePath = apiRoutePath(url.pathname);
  if (routePath !== undefined) {
    req.url = `${routePath}${url.search}`;
    return routes.api(req, res);
  }
  if (req.method === 'GET' && (await routes.site(url.pathname, res))) return;
  req.resume();
  reply(res, 404, { message: notFoundMessage(url.pathname) });
}

/** Route-table paths as patterns (`{sessionId}` matches one segment). */
const ROUTE_PATTERNS = ROUTES.map((route) => new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`));

/** A route-table path asked without its prefix gets told where the API is (the docs write `GET /me`). */
function notFoundMessage(pathname: string): string {
  if (!ROUTE_PATTERNS.some((pattern) => pattern.test(pathname))) return 'Not Found';
  return `Not Found: the API lives under ${EDGE_PATHS.api} (try ${EDGE_PATHS.api}${pathname})`;
}

function starting(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  reply(res, 503, { message: 'the offline stack is starting' }, { 'Retry-After': RETRY_AFTER_SECONDS });
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      ...headers,
    })
    .end(JSON.stringify(body));
}
