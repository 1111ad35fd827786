// The signaling WebSocket client: bearer token in Sec-WebSocket-Protocol, JSON frames, why the socket closed.
import { describeReason } from './api.js';

export const SUBPROTOCOL = 'cognito-guard.v1';

/**
 * One socket to the signaling API. Emits `open`, `frame` (detail: the server frame) and `close` (detail:
 * `{ code, revoked, explanation }`). The token travels in the subprotocol list, never in the URL (URLs end up in logs).
 */
export class SignalingSocket extends EventTarget {
  #ws;
  #opened = false;
  /** The last `revoked` or `error` frame: the server sends one right before it closes a socket. */
  #lastProblem = null;
  #closedByUs = false;

  /** `proof`: a DPoP proof for the handshake (web/device-key.js socketProof), sent as a `dpop.<proof>` entry. */
  constructor(url, accessToken, proof) {
    super();
    const protocols = [SUBPROTOCOL, `bearer.${accessToken}`, ...(proof ? [`dpop.${proof}`] : [])];
    this.#ws = new WebSocket(url, protocols);
    this.#ws.addEventListener('open', () => {
      this.#opened = true;
      this.dispatchEvent(new Event('open'));
    });
    this.#ws.addEventListener('message', (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame?.type === 'revoked' || frame?.type === 'error') this.#lastProblem = frame;
      if (frame?.type === 'reauthed') this.#lastProblem = null;
      this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
    });
    this.#ws.addEventListener('close', (event) => {
      const revoked = this.#lastProblem?.type === 'revoked';
      this.dispatchEvent(
        new CustomEvent('close', {
          detail: { code: event.code, revoked, explanation: this.#explain(event) },
        }),
      );
    });
  }

  get isOpen() {
    return this.#ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (!this.isOpen) throw new Error('The socket is not open.');
    this.#ws.send(JSON.stringify(frame));
  }

  close(reason = 'closed by you') {
    this.#closedByUs = true;
    this.#ws.close(1000, reason);
  }

  #explain(event) {
    const problem = this.#lastProblem;
    if (problem?.type === 'revoked') {
      return `Closed by the server: revoked (${problem.reason}, scope ${problem.scope}) — the session was signed out or revoked.`;
    }
    if (this.#closedByUs) return 'Disconnected.';
    if (problem && this.#isFatal(problem.reason)) {
      const why = describeReason(problem.reason) ?? problem.message;
      return `Closed by the server: ${problem.reason} — ${why}.`;
    }
    if (!this.#opened) {
      // Browsers hide the handshake's HTTP status (401/403/429 all look alike): say what it can be.
      return 'The server refused the connection (code 1006): the token is expired or revoked, this origin is not allowed, or the server is unreachable.';
    }
    return `Closed by the server (code ${event.code}${event.reason ? `, ${event.reason}` : ''}).`;
  }

  #isFatal(reason) {
    return (
      reason?.startsWith('ERR_TOKEN_') ||
      reason === 'ERR_STORE_UNAVAILABLE' ||
      reason === 'ERR_UNKNOWN_CONNECTION' ||
      reason === 'ERR_RATE_LIMITED'
    );
  }
}
