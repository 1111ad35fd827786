// Test helper: a real `ws` client of the signaling API that records its frames and its close.
import { WebSocket } from 'ws';
import type { ServerFrame } from '../../lambdas/signaling/frames';

export type Frame = ServerFrame & Record<string, unknown>;

export class WsClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; at: number }>;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse((data as Buffer).toString('utf8')) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve({ code, at: Date.now() })));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Takes the first frame of this type, waiting for it if it has not arrived yet. */
  async next(type: string, timeoutMs = 3000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.frames.findIndex((f) => f.type === type);
      if (index >= 0) return this.frames.splice(index, 1)[0];
      if (Date.now() > deadline) throw new Error(`no ${type} frame; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  /** Joins a room and returns this socket's connection id. */
  async join(room: string): Promise<string> {
    this.send({ action: 'join', room });
    return (await this.next('joined')).self as string;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }
}

export interface ConnectOptions {
  /** Sent as `Origin` (a browser always sends one); undefined sends none. */
  readonly origin: string | undefined;
  readonly query?: string;
  /** @default ['cognito-guard.v1', 'bearer.' + token] when a token is given, none otherwise */
  readonly protocols?: string[];
}

/** Opens a socket; rejects with `HTTP <status>` when the handshake is refused. Track it for `terminate()`. */
export function connectWs(
  url: string,
  token: string | undefined,
  options: ConnectOptions,
): Promise<WsClient> {
  const protocols = options.protocols ?? (token ? ['cognito-guard.v1', `bearer.${token}`] : []);
  const ws = new WebSocket(`${url}${options.query ?? ''}`, protocols, {
    ...(options.origin ? { origin: options.origin } : {}),
  });
  const client = new WsClient(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      ws.terminate();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

/**
 * Opens sockets as the page does (the stack's WebSocket URL, its Origin) and terminates every one it opened after
 * each test. Call it at a test file's top level; `outputs` is read at connect time (the stack starts in beforeAll).
 */
export function pageSockets(
  outputs: () => { readonly wsUrl?: string | null; readonly appUrl: string },
): (token: string) => Promise<WsClient> {
  const opened: WsClient[] = [];
  afterEach(() => {
    for (const client of opened.splice(0)) client.ws.terminate();
  });
  return async (token) => {
    const { wsUrl, appUrl } = outputs();
    if (!wsUrl) throw new Error('the stack has no WebSocket URL');
    const client = await connectWs(wsUrl, token, { origin: appUrl });
    opened.push(client);
    return client;
  };
}
