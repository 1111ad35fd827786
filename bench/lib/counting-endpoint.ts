// A counting stand-in for AWS on loopback: DynamoDB calls (answered instantly or forwarded to dynalite), JWKS, @connections.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountingEndpointOptions {
  /** The JWKS served at `/jwks.json`. */
  readonly jwks: object;
  /** Forward DynamoDB calls here (dynalite). @default answer every GetItem / BatchGetItem at once with no items */
  readonly upstream?: string;
}

export interface CountingEndpoint {
  readonly url: string;
  readonly jwksUri: string;
  /** Calls seen so far, by operation: `BatchGetItem`, `GetItem`, `PostToConnection`, `Jwks`, ... */
  counts(): Readonly<Record<string, number>>;
  /** DynamoDB capacity units consumed so far, as the upstream reported them (forwarded calls only). */
  units(): CapacityUnits;
  /** The last frame posted to a socket (`PostToConnection`): whom to, and its body. */
  lastPost(): { readonly to: string; readonly body: string } | undefined;
  close(): Promise<void>;
}

/** Read and write request units (on-demand billing) summed over calls. */
export interface CapacityUnits {
  readonly read: number;
  readonly write: number;
}

const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/** Counts only what crosses the wire, so a figure cannot come from a mock of our own code. */
export async function startCountingEndpoint(options: CountingEndpointOptions): Promise<CountingEndpoint> {
  const counts: Record<string, number> = {};
  const count = (operation: string) => (counts[operation] = (counts[operation] ?? 0) + 1);
  const units = { read: 0, write: 0 };
  let last: { to: string; body: string } | undefined;
  const consume = (operation: string, capacity: number) => {
    if (READ_OPERATIONS.has(operation)) units.read += capacity;
    else units.write += capacity;
  };
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
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'POST') {
          const to = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
          last = { to, body: Buffer.concat(chunks).toString('utf8') };
        }
        res.writeHead(200).end();
      });
      return;
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1) || 'unknown';
    count(operation);
    if (upstream) forward(req, res, upstream, (capacity) => consume(operation, capacity));
    else answerInstantly(req, res, operation);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    jwksUri: `${url}/jwks.json`,
    counts: () => ({ ...counts }),
    units: () => ({ ...units }),
    lastPost: () => last,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An empty GetItem / BatchGetItem answer: the store "answers instantly, nothing revoked". */
function answerInstantly(req: IncomingMessage, res: ServerResponse, operation: string): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (operation === 'GetItem') {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
      return;
    }
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

/**
 * Forwards a DynamoDB call with `ReturnConsumedCapacity: TOTAL` added (dynalite then sizes every item read or
 * written as DynamoDB does: 4 KB read units, 1 KB write units, a missing item still 1 unit) and reports the units
 * from the answer. The caller's own request is unchanged otherwise; dynalite does not check signatures.
 */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  onCapacity: (units: number) => void,
): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    const payload = Buffer.from(JSON.stringify({ ReturnConsumedCapacity: 'TOTAL', ...body }));
    const proxied = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host, 'content-length': String(payload.length) },
      },
      (answer) => {
        const answerChunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
        answer.on('end', () => {
          const raw = Buffer.concat(answerChunks);
          onCapacity(consumedUnits(raw));
          res.writeHead(answer.statusCode ?? 502, answer.headers).end(raw);
        });
      },
    );
    proxied.on('error', () => res.writeHead(502).end());
    proxied.end(payload);
  });
}

/** The capacity units an answer reports (one object, or one per table for batch calls); 0 for errors. */
function consumedUnits(raw: Buffer): number {
  try {
    const { ConsumedCapacity } = JSON.parse(raw.toString('utf8')) as {
      ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[];
    };
    const all = Array.isArray(ConsumedCapacity)
      ? ConsumedCapacity
      : ConsumedCapacity
        ? [ConsumedCapacity]
        : [];
    return all.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
  } catch {
    return 0;
  }
}
