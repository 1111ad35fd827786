// The session panel: the verified identity from GET /me, the token countdown, clearing the view, signing out.
import { addKnownSub } from './admin-panel.js';
import { deviceBindingLabel } from './device-binding-view.js';
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
  $('id-device').textContent = deviceBindingLabel(state.auth.accessToken);
  $('id-expiry').textContent = `(at ${new Date(me.expiresAt * 1000).toLocaleTimeString()})`;
  $('id-auth-time').textContent =
    me.authTime == null ? 'unknown (no auth_time)' : new Date(me.authTime * 1000).toLocaleTimeString();
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
  tickSignInAge();
}

/** How old the sign-in is, and when the step-up routes (admin revokes) will ask for it again. */
function tickSignInAge() {
  const authTime = state.me?.authTime;
  if (authTime == null) return;
  const age = Date.now() - authTime * 1000;
  $('id-auth-age').textContent = `${formatDuration(age)} ago`;
  const window = stepUpWindowMs();
  // Only admins call the step-up routes: nobody else needs the countdown.
  if (window === undefined || !state.me.groups.includes('admins')) return;
  const left = authTime * 1000 + window - Date.now();
  $('id-step-up-note').textContent =
    left > 0
      ? `admin revokes ask you to sign in again in ${formatDuration(left)}`
      : 'admin revokes will ask you to sign in again (older than the step-up window)';
}

/** The step-up window from config.json, in ms; undefined when the stack does not say. */
export function stepUpWindowMs() {
  const seconds = state.config?.stepUpMaxAgeSeconds;
  return Number.isInteger(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

/**
 * Nothing of the ended session stays on screen: no identity, no answers, no admin results. The last-response box
 * says why the session ended instead of going blank.
 */
export function clearSessionView(why) {
  showResult('Signed out', why ?? '');
  for (const id of [
    'admin-result',
    'my-sessions-result',
    'id-email',
    'id-sub',
    'id-groups',
    'id-session',
    'id-expiry',
    'id-auth-time',
    'id-auth-age',
    'id-step-up-note',
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
