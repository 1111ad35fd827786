// A counting stand-in for AWS on loopback: DynamoDB calls (answered instantly or forwarded to dynalite), JWKS, @connections.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingEndpointOptions {
  /** The JWKS served at `/jwks.json`. */
  readonly jwks: object;
  /** Forward DynamoDB calls here (dynalite). @default answer every BatchGetItem at once with no items */
  readonly upstream?: string;
}

export interface CountingEndpoint {
  readonly url: string;
  readonly jwksUri: string;
  /** Calls seen so far, by operation: `BatchGetItem`, `GetItem`, `PostToConnection`, `Jwks`, ... */
  counts(): Readonly<Record<string, number>>;
  close(): Promise<void>;
}

/** Counts only what crosses the wire, so a figure cannot come from a mock of our own code. */
export async function startCountingEndpoint(options: CountingEndpointOptions): Promise<CountingEndpoint> {
  const counts: Record<string, number> = {};
  const count = (operation: string) => (counts[operation] = (counts[operation] ?? 0) + 1);
  const jwks = JSON.stringify(options.jwks);
  const upstream = options.upstream ? new URL(options.upstream) : undefined;

  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/jwks.json') {
      count('Jwks');
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      return;
    }
    if (path.includes('/@connections/')) {
      count(req.method === 'DELETE' ? 'DeleteConnection' : 'PostToConnection');
      req.resume().on('end', () => res.writeHead(200).end());
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1) || 'unknown';
    count(operation);
    if (upstream) forward(req, res, upstream);
    else answerInstantly(req, res, operation);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUri: `${url}/jwks.json`,
    counts: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An empty BatchGetItem answer for every requested table: the store "answers instantly, nothing revoked". */
function answerInstantly(req: IncomingMessage, res: ServerResponse, operation: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (operation !== 'BatchGetItem') {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: operation }),
      );
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { RequestItems: object };
    const responses = Object.fromEntries(Object.keys(body.RequestItems).map((table) => [table, []]));
    res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ Responses: responses, UnprocessedKeys: {} }));
  });
}

function forward(req: IncomingMessage, res: ServerResponse, upstream: URL): void {
  const proxied = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: upstream.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  proxied.on('error', () => res.writeHead(502).end());
  req.pipe(proxied);
}
