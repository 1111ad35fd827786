// SocketProbe over the `ws` client: the token travels in Sec-WebSocket-Protocol, as the demo page sends it.

import { WebSocket } from 'ws';
import type { OpenSocket, SocketAttempt, SocketProbe } from '../verify/ports';

/** The application subprotocol the signaling API echoes (see ARCHITECTURE §4.6). */
const SUBPROTOCOL = 'cognito-guard.v1';

export class WsSocketProbe implements SocketProbe {
  constructor(private readonly timeoutMs = 5000) {}

  open(url: string, accessToken?: string): Promise<SocketAttempt> {
    const protocols = accessToken === undefined ? [SUBPROTOCOL] : [SUBPROTOCOL, `bearer.${accessToken}`];
    const ws = new WebSocket(url, protocols, { handshakeTimeout: this.timeoutMs });
    let closedAt: Promise<void> | undefined;
    return new Promise((resolve) => {
      ws.once('open', () => {
        closedAt = new Promise((closed) => ws.once('close', () => closed()));
        resolve({ opened: true, socket: openSocket(ws, closedAt) });
      });
      ws.once('unexpected-response', (_request, response) => {
        ws.terminate();
        resolve({ opened: false, refusal: `HTTP ${response.statusCode}` });
      });
      // After 'unexpected-response' an 'error' may follow; the first outcome wins.
      ws.once('error', (error) => resolve({ opened: false, refusal: error.message }));
    });
  }
}

function openSocket(ws: WebSocket, closed: Promise<void>): OpenSocket {
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  return {
    async closedWithin(timeoutMs) {
      if (isClosed) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const result = await Promise.race([closed.then(() => true as const), timeout]);
      clearTimeout(timer);
      return result;
    },
    close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
    },
  };
}
