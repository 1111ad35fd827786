// The demo page's entry point: loads config.json, wires the panels, completes a sign-in or restores a session.
import { ADMIN_OPERATIONS, initAdminPanel } from './admin-panel.js';
import { Auth } from './auth.js';
import { loadMySessions } from './my-sessions-panel.js';
import { $, reportError, setStatus } from './render.js';
import { clearSessionView, loadMe, signOut, tick } from './session-panel.js';
import { closeSocketAfterSignOut, initSignalingPanel, reauthorizeSocket } from './signaling-panel.js';
import { render, run, state } from './state.js';
import { resumeStepUp, takeStepUp } from './step-up.js';

/** Signed in, refreshed or signed out: the panels follow. */
async function onAuthChange(event) {
  const { cause, message } = event.detail;
  if (cause === 'signed-in' || cause === 'refreshed') {
    if (cause === 'refreshed') await reauthorizeSocket();
    await loadMe().catch(reportError);
    await loadMySessions().catch(reportError);
    setStatus(cause === 'signed-in' ? 'Signed in.' : 'Tokens refreshed silently.', 'ok');
  } else {
    state.me = null;
    clearSessionView(message);
    setStatus(message, 'warning');
    closeSocketAfterSignOut();
  }
  render();
}

/** The error of a failed sign-in, with the way out: the Sign in button (enabled again once this is reported). */
function signInAgain(error) {
  if (error instanceof Error && !/sign in again/i.test(error.message))
    error.message = `${error.message} Press “Sign in” to sign in again.`;
  return error;
}

/** An absolute ws:/wss: URL for a path relative to the page (`/ws` => `wss://<this host>/ws`). */
function socketUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  return url.href;
}

async function main() {
  let config;
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = await response.json();
  } catch (error) {
    setStatus(
      `Cannot load /config.json (${error.message}): the page does not know which stack to use.`,
      'error',
    );
    return;
  }
  // Paths are relative to the page (one origin): the same files work behind CloudFront and offline.
  state.config = {
    ...config,
    apiUrl: config.apiUrl.replace(/\/+$/, ''),
    wsUrl: config.wsUrl ? socketUrl(config.wsUrl) : null,
  };
  state.auth = new Auth(state.config);
  state.auth.addEventListener('change', (event) => onAuthChange(event).catch(reportError));

  $('sign-in').addEventListener('click', () => run(() => state.auth.startSignIn()));
  $('sign-out').addEventListener('click', () => run(() => signOut(false)));
  $('sign-out-everywhere').addEventListener('click', () => run(() => signOut(true)));
  $('call-me').addEventListener('click', () =>
    run(async () => {
      await loadMe();
      setStatus('GET /me answered 200: the access token is valid and not revoked.', 'ok');
    }),
  );
  $('refresh-now').addEventListener('click', () => run(() => state.auth.refresh()));
  initSignalingPanel();
  initAdminPanel();
  $('my-sessions-reload').addEventListener('click', () => run(loadMySessions));
  for (const user of config.users ?? []) {
    const item = document.createElement('li');
    item.textContent = user.groups.length ? `${user.username} (${user.groups.join(', ')})` : user.username;
    $('users').append(item);
  }
  $('users-panel').hidden = !(config.users ?? []).length;
  setInterval(tick, 1000);

  const here = new URL(location.href);
  if (here.origin !== new URL(state.config.redirectUri).origin) {
    // Sign-in must start and end on the registered callback origin (sessionStorage is per origin).
    location.replace(state.config.redirectUri);
    return;
  }
  if (here.searchParams.has('code') || here.searchParams.has('error')) {
    setStatus('Completing sign-in…');
    await run(async () => {
      const interrupted = takeStepUp(ADMIN_OPERATIONS);
      try {
        await state.auth.completeSignIn(here);
      } catch (error) {
        // A stale or replayed login response (invalid_state, no sign-in in progress): the way out is a new sign-in.
        if (!state.auth.signedIn) throw signInAgain(error);
        throw error;
      }
      if (interrupted) await resumeStepUp(interrupted, ADMIN_OPERATIONS);
    });
  } else {
    setStatus('Checking for a session…');
    await run(async () => {
      if (!(await state.auth.restore())) setStatus('Signed out. Sign in with a demo user.');
    });
  }
  render();
}

main().catch(reportError);
