// Part 4: on the offline stack, logout -> the old token's next /me, and logout -> the open socket's close event.
import WebSocket from 'ws';
import type { StackOutputs } from '../local/stack';
import { BrowserSession } from '../test/helpers/browser-session';
import { max, median, round } from './lib/stats';

export interface RevocationLatencyResult {
  readonly runs: number;
  /** /me calls with the old token right after the logout response, per run. */
  readonly requestsAfterLogoutPerRun: number;
  /** How many of those were allowed, over all runs (goal 0). */
  readonly allowedAfterLogout: number;
  /** Status of the very next /me after each logout (goal: all 401). */
  readonly nextStatuses: readonly number[];
  readonly logoutMs: { readonly median: number; readonly max: number };
  /** Logout request sent -> `close` event on the socket opened with the same token (goal <= 2000 ms). */
  readonly socketCloseMs: { readonly median: number; readonly max: number } | null;
  readonly socketCloseCodes: readonly number[];
  readonly socketsNotClosed: number;
  readonly note?: string;
}

const AFTER_LOGOUT = 5;
const CLOSE_TIMEOUT_MS = 5_000;

export async function measureRevocationLatency(
  stack: StackOutputs,
  runs = 20,
): Promise<RevocationLatencyResult> {
  const user = stack.users.find((u) => !u.groups.length) ?? stack.users[0];
  const nextStatuses: number[] = [];
  const logoutMs: number[] = [];
  const closeMs: number[] = [];
  const closeCodes: number[] = [];
  let allowed = 0;
  let notClosed = 0;
  for (let run = 0; run < runs; run++) {
    const browser = new BrowserSession(stack);
    await browser.signIn(user);
    const me = await browser.call('GET', '/me');
    if (me.status !== 200) throw new Error(`/me before logout: ${me.status}`);
    const socket = stack.wsUrl ? await openSocket(stack, browser.accessToken) : undefined;
    const closed = socket ? closeEvent(socket) : undefined;

    const start = performance.now();
    const logout = await browser.call('POST', '/auth/logout');
    logoutMs.push(performance.now() - start);
    if (logout.status !== 200) throw new Error(`logout: ${logout.status} ${JSON.stringify(logout.body)}`);
    for (let i = 0; i < AFTER_LOGOUT; i++) {
      const status = (await browser.call('GET', '/me')).status;
      if (i === 0) nextStatuses.push(status);
      if (status === 200) allowed++;
    }
    if (closed) {
      const event = await closed;
      if (event) {
        closeMs.push(event.at - start);
        closeCodes.push(event.code);
      } else {
        notClosed++;
        socket!.terminate();
      }
    }
  }
  return {
    runs,
    requestsAfterLogoutPerRun: AFTER_LOGOUT,
    allowedAfterLogout: allowed,
    nextStatuses,
    logoutMs: { median: round(median(logoutMs)), max: round(max(logoutMs)) },
    socketCloseMs: closeMs.length ? { median: round(median(closeMs)), max: round(max(closeMs)) } : null,
    socketCloseCodes: [...new Set(closeCodes)],
    socketsNotClosed: notClosed,
    ...(stack.wsUrl ? {} : { note: 'the offline stack has no wsUrl yet: socket close not measured' }),
  };
}

async function openSocket(stack: StackOutputs, token: string): Promise<WebSocket> {
  const socket = new WebSocket(stack.wsUrl!, ['cognito-guard.v1', `bearer.${token}`], {
    headers: { Origin: stack.appUrl },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`handshake: ${res.statusCode}`)));
  });
  return socket;
}

/** Resolves with the close time and code, or undefined when no close came within the timeout. */
function closeEvent(socket: WebSocket): Promise<{ at: number; code: number } | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), CLOSE_TIMEOUT_MS);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve({ at: performance.now(), code });
    });
  });
}
