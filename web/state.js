// The page's shared state, the one render() that enables and disables controls from it, and run() for user actions.
import { $, reportError } from './render.js';

export const state = {
  config: null,
  auth: null,
  me: null,
  busy: false,
  /** This tab is signing out: its own socket's `revoked` close is expected. */
  signingOut: false,
  /** @type {import('./signaling.js').SignalingSocket | null} */
  socket: null,
  room: null,
  self: null,
  /** connectionId -> the name the room policy shows (email or username) */
  peers: new Map(),
  /** connectionId -> RTCPeerConnection */
  calls: new Map(),
  /** connectionId -> ICE candidates that arrived before the offer/answer they belong to */
  pendingCandidates: new Map(),
};

/** Enables, disables, shows and hides the controls from the state. */
export function render() {
  const signedIn = state.auth?.signedIn ?? false;
  const open = state.socket?.isOpen ?? false;
  $('sign-in').disabled = signedIn || state.busy || !state.config;
  for (const id of ['sign-out', 'sign-out-everywhere', 'call-me', 'refresh-now'])
    $(id).disabled = !signedIn || state.busy;
  $('connect').disabled = !signedIn || state.socket !== null || !state.config?.wsUrl;
  $('disconnect').disabled = state.socket === null;
  $('join').disabled = !open;
  $('leave').disabled = !open || state.room === null;
  for (const button of document.querySelectorAll('[data-needs-socket]')) button.disabled = !open;
  $('identity').hidden = !signedIn || !state.me;
  $('admin-panel').hidden = !signedIn || !(state.me?.groups ?? []).includes('admins');
  $('my-sessions-panel').hidden = !signedIn;
  $('my-sessions-reload').disabled = !signedIn || state.busy;
}

/** Runs a user action: controls disabled meanwhile, a failure reported on the status line. */
export async function run(action) {
  state.busy = true;
  render();
  try {
    await action();
  } catch (error) {
    reportError(error);
  } finally {
    state.busy = false;
    render();
  }
}
