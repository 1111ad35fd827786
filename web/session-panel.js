// The session panel: the verified identity from GET /me, the token countdown, clearing the view, signing out.
import { addKnownSub } from './admin-panel.js';
import { $, formatDuration, showResult } from './render.js';
import { state } from './state.js';

/** GET /me: the verified identity, shown in the panel and the last-response box. */
export async function loadMe() {
  const me = await state.auth.call('/me');
  state.me = me;
  showResult('HTTP 200 GET /me', me);
  renderIdentity();
}

function renderIdentity() {
  const me = state.me;
  if (!me) return;
  $('id-email').textContent = state.auth.idClaims?.email ?? me.username;
  $('id-sub').textContent = me.sub;
  $('id-groups').textContent = me.groups.length ? me.groups.join(', ') : 'none';
  $('id-session').textContent = me.sessionId ?? 'none in this token (no origin_jti)';
  $('id-expiry').textContent = `(at ${new Date(me.expiresAt * 1000).toLocaleTimeString()})`;
  addKnownSub(me.sub, 'you');
  tick();
}

/** The live countdown: once a second, from this browser's clock (no skew with the server's). */
export function tick() {
  const auth = state.auth;
  if (!auth?.signedIn) return;
  const left = auth.expiresAt - Date.now();
  $('id-countdown').textContent = left > 0 ? formatDuration(left) : 'expired';
  $('id-countdown').classList.toggle('soon', left < 120_000);
  const refreshIn = auth.refreshAt - Date.now();
  $('id-refresh-note').textContent =
    refreshIn > 0 ? `silent refresh in ${formatDuration(refreshIn)}` : 'refreshing…';
}

/** Nothing of the ended session stays on screen: no identity, no last answer, no admin results. */
export function clearSessionView() {
  for (const id of [
    'result',
    'admin-result',
    'my-sessions-result',
    'id-email',
    'id-sub',
    'id-groups',
    'id-session',
    'id-expiry',
  ])
    $(id).textContent = '';
  for (const id of ['sessions-body', 'my-sessions-body', 'user-matches', 'known-subs'])
    $(id).replaceChildren();
  $('sessions-table').hidden = true;
  $('user-matches-more').hidden = true;
  $('admin-sub').value = '';
  $('admin-email').value = '';
}

/** POST /auth/logout (or /auth/logout-all), then managed login's /logout where the stack asks for it. */
export async function signOut(everywhere) {
  state.signingOut = true;
  let logoutUrl;
  try {
    logoutUrl = await state.auth.signOut({ everywhere });
  } finally {
    state.signingOut = false;
  }
  showResult(`POST ${everywhere ? '/auth/logout-all' : '/auth/logout'}`, { logoutUrl: logoutUrl ?? null });
  // Managed login keeps its own cookie: its /logout ends that too. The offline emulator has no such page.
  if (logoutUrl && state.config.followLogoutUrl === true) location.assign(logoutUrl);
}
