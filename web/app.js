// The demo page: session panel (sign in, verified identity, refresh, sign out), your sessions, signaling panel,
// admin panel (with the step-up round trip: sign in again, then the operation is retried).
import { ApiError, callApi, describeReason } from './api.js';
import { Auth } from './auth.js';
import { SignalingSocket } from './signaling.js';
import { deviceBindingLabel, socketProof } from './device-binding-view.js';

const $ = (id) => document.getElementById(id);
/** A group room `<name>` (needs group room-<name>) or your private room `user:<sub>`. */
const ROOM = /^(?:user:[A-Za-z0-9-]{1,64}|[A-Za-z0-9._-]{1,64})$/;
const SUB = /^[A-Za-z0-9-]{1,128}$/;
const EMAIL_PREFIX = /^[^"\\\s]{1,128}$/;
/** How long sign-out waits for the server to close the socket (with `revoked`) before closing it itself. */
const SERVER_CLOSE_GRACE_MS = 3000;
/** The operation a step-up challenge interrupted, kept across the trip through the login page. */
const STEP_UP_KEY = 'cognito-guard.step-up';

const state = {
  config: null,
  auth: null,
  me: null,
  busy: false,
  /** This tab is signing out: its own socket's `revoked` close is expected. */
  signingOut: false,
  /** @type {SignalingSocket | null} */
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

// ---------- rendering ----------

function setStatus(text, kind = 'info') {
  $('status').textContent = text;
  $('status').dataset.kind = kind;
}

function showResult(title, value) {
  const body = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  $('result').textContent = `${title}\n${body}`;
}

function render() {
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

function renderIdentity() {
  const me = state.me;
  if (!me) return;
  $('id-email').textContent = state.auth.idClaims?.email ?? me.username;
  $('id-sub').textContent = me.sub;
  $('id-groups').textContent = me.groups.length ? me.groups.join(', ') : 'none';
  $('id-session').textContent = me.sessionId ?? 'none in this token (no origin_jti)';
  $('id-device').textContent = deviceBindingLabel(state.auth.accessToken);
  $('id-expiry').textContent = `(at ${new Date(me.expiresAt * 1000).toLocaleTimeString()})`;
  addKnownSub(me.sub, 'you');
  tick();
}

/** The live countdown: once a second, from this browser's clock (no skew with the server's). */
function tick() {
  const auth = state.auth;
  if (!auth?.signedIn) return;
  const left = auth.expiresAt - Date.now();
  $('id-countdown').textContent = left > 0 ? formatDuration(left) : 'expired';
  $('id-countdown').classList.toggle('soon', left < 120_000);
  const refreshIn = auth.refreshAt - Date.now();
  $('id-refresh-note').textContent =
    refreshIn > 0 ? `silent refresh in ${formatDuration(refreshIn)}` : 'refreshing…';
}

function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function shortId(id) {
  return id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

function peerLabel(connectionId) {
  const name = state.peers.get(connectionId);
  return name ? `${name} (${shortId(connectionId)})` : shortId(connectionId);
}

/** Appends to the signaling log; `direction` is in, out, info or error. Returns the entry for extra controls. */
function log(direction, text) {
  const item = document.createElement('li');
  item.dataset.direction = direction;
  const time = document.createElement('time');
  time.dateTime = new Date().toISOString();
  time.textContent = new Date().toLocaleTimeString();
  const arrow = { in: '←', out: '→', info: '•', error: '!' }[direction];
  const text_ = document.createElement('span');
  text_.textContent = `${arrow} ${text}`;
  item.append(time, ' ', text_);
  $('signal-log').append(item);
  item.scrollIntoView({ block: 'nearest' });
  return item;
}

function renderPeers() {
  const list = $('peers');
  list.replaceChildren();
  for (const [connectionId, peerName] of state.peers) {
    const item = document.createElement('li');
    item.dataset.connectionId = connectionId;
    const name = document.createElement('span');
    name.textContent = `${peerName} · connection ${shortId(connectionId)}`;
    const offer = document.createElement('button');
    offer.type = 'button';
    offer.textContent = 'Send test offer';
    offer.setAttribute('aria-label', `Send a test offer to ${peerName}, connection ${shortId(connectionId)}`);
    offer.dataset.needsSocket = '';
    offer.addEventListener('click', () => run(() => sendOffer(connectionId)));
    item.append(name, ' ', offer);
    list.append(item);
  }
  $('no-peers').hidden = state.peers.size > 0;
  $('room-name').textContent = state.room ? `room “${state.room}”` : 'no room';
  render();
}

function addKnownSub(value, label) {
  if (!SUB.test(value) || [...$('known-subs').options].some((o) => o.value === value)) return;
  const option = document.createElement('option');
  option.value = value;
  option.label = label;
  $('known-subs').append(option);
}

// ---------- session ----------

async function loadMe() {
  const me = await state.auth.call('/me');
  state.me = me;
  showResult('HTTP 200 GET /me', me);
  renderIdentity();
}

async function onAuthChange(event) {
  const { cause, message } = event.detail;
  if (cause === 'signed-in' || cause === 'refreshed') {
    if (cause === 'refreshed' && state.socket?.isOpen) {
      // The socket lives on past the old token's expiry only if the server verifies the new one.
      const socket = state.socket;
      const token = state.auth.accessToken;
      const proof = await socketProof(state.config.wsUrl, token).catch(() => undefined);
      if (socket.isOpen) socket.send({ action: 'reauth', token, ...(proof ? { proof } : {}) });
      log('out', 'Re-authorizing the socket with the refreshed token');
    }
    await loadMe().catch(reportError);
    await loadMySessions().catch(reportError);
    setStatus(cause === 'signed-in' ? 'Signed in.' : 'Tokens refreshed silently.', 'ok');
  } else {
    state.me = null;
    clearSessionView();
    setStatus(message, 'warning');
    const socket = state.socket;
    if (socket) {
      // The server closes this session's sockets itself (a `revoked` frame first); close ours if it does not.
      setTimeout(() => {
        if (state.socket === socket) socket.close('signed out');
      }, SERVER_CLOSE_GRACE_MS);
    }
  }
  render();
}

/** Nothing of the ended session stays on screen: no identity, no last answer, no admin results. */
function clearSessionView() {
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

async function signOut(everywhere) {
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

// ---------- signaling ----------

async function connect() {
  const token = state.auth.accessToken;
  const proof = await socketProof(state.config.wsUrl, token).catch(() => undefined);
  const socket = new SignalingSocket(state.config.wsUrl, token, proof);
  let opened = false;
  state.socket = socket;
  setSocketState('connecting', 'Connecting…');
  socket.addEventListener('open', () => {
    opened = true;
    setSocketState('open', 'Connected. Join a room.');
    log('info', 'Connected');
    render();
  });
  socket.addEventListener('frame', (event) => onFrame(event.detail));
  socket.addEventListener('close', (event) => {
    if (state.socket !== socket) return;
    const { explanation } = event.detail;
    state.socket = null;
    state.room = null;
    state.self = null;
    state.peers.clear();
    for (const call of state.calls.values()) call.close();
    state.calls.clear();
    state.pendingCandidates.clear();
    setSocketState('closed', explanation);
    log(explanation.startsWith('Disconnected') ? 'info' : 'error', explanation);
    if (!opened) explainRefusal(token).catch(reportError);
    if (event.detail.revoked && state.auth.signedIn && !state.signingOut) {
      // Revoked elsewhere (admin, sign-out everywhere): ask the API at once whether this session survives.
      setStatus(`Signaling socket: ${explanation} Checking the session…`, 'warning');
      state.auth.refresh().catch(() => undefined); // a refusal signs this tab out with the reason
    }
    renderPeers();
  });
  render();
}

/**
 * A browser never sees why a WebSocket handshake was refused (API Gateway sends only a status, and the browser
 * hides even that). The REST API checks the same token with the same core and says why: ask it, without side effects.
 */
async function explainRefusal(token) {
  let why;
  try {
    await callApi(state.config.apiUrl, '/me', { token });
    why =
      'the API accepts this token, so the refusal was about this page’s origin or the server (ERR_ORIGIN?)';
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    why = error.code
      ? `${error.code} — ${describeReason(error.code) ?? error.detail ?? 'refused'}`
      : error.message;
  }
  log('error', `Why the connection was refused, as the API tells it: ${why}`);
}

function setSocketState(stateName, text) {
  $('socket-state').dataset.state = stateName;
  $('socket-state').textContent = text;
}

function onFrame(frame) {
  switch (frame?.type) {
    case 'joined':
      state.room = frame.room;
      state.self = frame.self;
      state.peers = new Map(frame.peers.map((p) => [p.connectionId, p.name]));
      log('in', `Joined room “${frame.room}” as ${shortId(frame.self)}; ${frame.peers.length} peer(s) here`);
      setSocketState('open', `Connected, in room “${frame.room}”.`);
      renderPeers();
      break;
    case 'peer-joined':
      state.peers.set(frame.peer.connectionId, frame.peer.name);
      log('in', `Peer joined: ${peerLabel(frame.peer.connectionId)}`);
      renderPeers();
      break;
    case 'peer-left':
      log('in', `Peer left: ${peerLabel(frame.peer)}`);
      state.peers.delete(frame.peer);
      state.calls.get(frame.peer)?.close();
      state.calls.delete(frame.peer);
      renderPeers();
      break;
    case 'left':
      log('in', `Left room “${frame.room}”`);
      state.room = null;
      state.peers.clear();
      setSocketState('open', 'Connected. Join a room.');
      renderPeers();
      break;
    case 'signal':
      onSignal(frame).catch(reportError);
      break;
    case 'reauthed':
      log('in', `Socket re-authorized: token valid until ${new Date(frame.exp * 1000).toLocaleTimeString()}`);
      break;
    case 'revoked':
      log('in', `Revoked (${frame.reason}, scope ${frame.scope}): the server is closing this socket`);
      break;
    case 'error':
      log('error', `Server refused: ${frame.reason} — ${frame.message}`);
      break;
    default:
      log('in', `Unknown frame ${JSON.stringify(frame).slice(0, 120)}`);
  }
}

function newCall(peerId) {
  state.calls.get(peerId)?.close();
  const call = new RTCPeerConnection({ iceServers: [] }); // host candidates only: nothing leaves this machine
  state.calls.set(peerId, call);
  call.addEventListener('icecandidate', (event) => {
    if (event.candidate && state.socket?.isOpen) {
      state.socket.send({
        action: 'signal',
        to: peerId,
        kind: 'candidate',
        payload: event.candidate.toJSON(),
      });
    }
  });
  call.addEventListener('connectionstatechange', () => {
    if (['connected', 'failed'].includes(call.connectionState)) {
      log('info', `Peer-to-peer connection with ${peerLabel(peerId)}: ${call.connectionState}`);
    }
  });
  call.addEventListener('datachannel', (event) => watchChannel(event.channel, peerId));
  return call;
}

function watchChannel(channel, peerId) {
  channel.addEventListener('open', () =>
    channel.send(`hello from ${state.auth.idClaims?.email ?? state.me?.username ?? 'a peer'}`),
  );
  channel.addEventListener('message', (event) =>
    log('in', `Data channel message from ${peerLabel(peerId)}: “${String(event.data).slice(0, 80)}”`),
  );
}

async function sendOffer(peerId) {
  const call = newCall(peerId);
  watchChannel(call.createDataChannel('demo'), peerId);
  const offer = await call.createOffer();
  await call.setLocalDescription(offer);
  state.socket.send({
    action: 'signal',
    to: peerId,
    kind: 'offer',
    payload: { type: 'offer', sdp: offer.sdp },
  });
  log('out', `Offer sent to ${peerLabel(peerId)} (${offer.sdp.length} bytes of SDP)`);
}

async function sendAnswer(peerId, offerSdp) {
  const call = newCall(peerId);
  await call.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  await flushCandidates(peerId, call);
  const answer = await call.createAnswer();
  await call.setLocalDescription(answer);
  state.socket.send({
    action: 'signal',
    to: peerId,
    kind: 'answer',
    payload: { type: 'answer', sdp: answer.sdp },
  });
  log('out', `Answer sent to ${peerLabel(peerId)}`);
}

async function onSignal({ from, kind, payload }) {
  if (kind === 'offer') {
    const entry = log('in', `Offer from ${peerLabel(from)} (${payload.sdp.length} bytes of SDP)`);
    const reply = document.createElement('button');
    reply.type = 'button';
    reply.textContent = 'Reply with answer';
    reply.setAttribute('aria-label', `Reply with an answer to ${peerLabel(from)}`);
    reply.dataset.needsSocket = '';
    reply.addEventListener('click', () => {
      reply.disabled = true;
      run(() => sendAnswer(from, payload.sdp));
    });
    entry.append(' ', reply);
    render();
  } else if (kind === 'answer') {
    log('in', `Answer from ${peerLabel(from)}`);
    const call = state.calls.get(from);
    if (call?.signalingState === 'have-local-offer') {
      await call.setRemoteDescription({ type: 'answer', sdp: payload.sdp });
      await flushCandidates(from, call);
    }
  } else if (kind === 'candidate') {
    const call = state.calls.get(from);
    if (call?.remoteDescription) await call.addIceCandidate(payload).catch(() => undefined);
    else state.pendingCandidates.set(from, [...(state.pendingCandidates.get(from) ?? []), payload]);
  }
}

async function flushCandidates(peerId, call) {
  for (const candidate of state.pendingCandidates.get(peerId) ?? []) {
    await call.addIceCandidate(candidate).catch(() => undefined);
  }
  state.pendingCandidates.delete(peerId);
}

// ---------- your sessions ----------

async function loadMySessions() {
  const { sessions } = await state.auth.call('/me/sessions');
  const body = $('my-sessions-body');
  body.replaceChildren();
  for (const session of sessions) {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.sessionId;
    const device = document.createElement('th');
    device.scope = 'row';
    device.textContent = (session.userAgent ?? 'unknown device') + (session.current ? ' (this device)' : '');
    row.append(device);
    for (const text of [
      session.ip ?? '',
      new Date(session.createdAt * 1000).toLocaleString(),
      new Date(session.lastUsedAt * 1000).toLocaleString(),
    ]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    const actions = document.createElement('td');
    const end = document.createElement('button');
    end.type = 'button';
    end.className = 'danger';
    end.textContent = 'Sign out this device';
    end.setAttribute('aria-label', `Sign out session ${session.sessionId}`);
    end.addEventListener('click', () =>
      run(async () => {
        if (session.current) return signOut(false); // this tab's own session: a full sign-out
        await state.auth.call(`/me/sessions/${encodeURIComponent(session.sessionId)}/revoke`, {
          method: 'POST',
        });
        await loadMySessions();
        $('my-sessions-result').textContent =
          `Signed out ${session.userAgent ?? 'that device'}: its tokens are refused and its sockets closed.`;
      }),
    );
    actions.append(end);
    row.append(actions);
    body.append(row);
  }
  $('my-sessions-caption').textContent = `Your sessions (${sessions.length}, newest first)`;
}

// ---------- step-up (RFC 9470) ----------

/**
 * Runs an operation that may need a recent sign-in. On `ERR_STEP_UP_REQUIRED` the operation is remembered and the
 * user goes through the login page again (`prompt=login`); `resumeStepUp` retries it when they come back.
 */
async function withStepUp(operation) {
  try {
    await ADMIN_OPERATIONS[operation.kind](operation);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'ERR_STEP_UP_REQUIRED') throw error;
    sessionStorage.setItem(STEP_UP_KEY, JSON.stringify(operation));
    setStatus('This operation needs a recent sign-in: taking you to the login page…', 'warning');
    await state.auth.startSignIn({ reauthenticate: true });
  }
}

/** The remembered operation, taken (removed) whatever happens next: it is retried at most once. */
function takeStepUp() {
  const saved = sessionStorage.getItem(STEP_UP_KEY);
  sessionStorage.removeItem(STEP_UP_KEY);
  try {
    const operation = saved ? JSON.parse(saved) : null;
    return Object.hasOwn(ADMIN_OPERATIONS, operation?.kind ?? '') ? operation : null;
  } catch {
    return null;
  }
}

/** Back from a step-up sign-in: retry the operation once (a second challenge is reported, not looped). */
async function resumeStepUp(operation) {
  await ADMIN_OPERATIONS[operation.kind](operation);
  setStatus('Signed in again: the operation that needed a recent sign-in is done.', 'ok');
}

/** The admin operations behind step-up, by kind (what a remembered operation may be). */
const ADMIN_OPERATIONS = {
  async revokeSession({ sessionId, sub }) {
    await state.auth.call(`/admin/sessions/${encodeURIComponent(sessionId)}/revoke`, { method: 'POST' });
    $('admin-result').textContent =
      `Session ${shortId(sessionId)} revoked: its tokens are refused and its sockets closed.`;
    await listSessions(sub);
  },
  async revokeUser({ sub }) {
    const result = await state.auth.call(`/admin/users/${encodeURIComponent(sub)}/revoke`, {
      method: 'POST',
    });
    $('admin-result').textContent =
      `User revoked: ${result.sessionsRevoked} session(s) ended, every token issued so far is refused.`;
    await listSessions(sub);
  },
};

// ---------- admin ----------

async function listSessions(sub) {
  const result = await state.auth.call(`/admin/users/${encodeURIComponent(sub)}/sessions`);
  showResult(`HTTP 200 GET /admin/users/${sub}/sessions`, result);
  const body = $('sessions-body');
  body.replaceChildren();
  for (const session of result.sessions) {
    const row = document.createElement('tr');
    row.dataset.sessionId = session.sessionId;
    const cells = [
      session.sessionId,
      session.status + (session.revokedReason ? ` (${session.revokedReason})` : ''),
      new Date(session.createdAt * 1000).toLocaleString(),
      new Date(session.refreshedAt * 1000).toLocaleTimeString(),
      String(session.rotations),
    ];
    for (const [index, text] of cells.entries()) {
      const cell = document.createElement(index === 0 ? 'th' : 'td');
      if (index === 0) cell.scope = 'row';
      const content = index === 0 ? document.createElement('code') : cell;
      content.textContent = text;
      if (index === 0) cell.append(content);
      row.append(cell);
    }
    const actions = document.createElement('td');
    if (session.status === 'active') {
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'danger';
      revoke.textContent = 'Revoke';
      revoke.setAttribute('aria-label', `Revoke session ${session.sessionId}`);
      revoke.addEventListener('click', () =>
        run(() => withStepUp({ kind: 'revokeSession', sessionId: session.sessionId, sub })),
      );
      actions.append(revoke);
    }
    row.append(actions);
    body.append(row);
  }
  $('sessions-caption').textContent = `Sessions of ${sub} (${result.sessions.length}, newest first)`;
  $('sessions-table').hidden = false;
  if (result.sessions.length === 0) $('admin-result').textContent = 'No sessions recorded for this user.';
}

/** One page of users whose email starts with `email`; `next` continues a previous lookup. */
async function findUsers(email, next) {
  const query = new URLSearchParams({ email, ...(next ? { next } : {}) });
  const result = await state.auth.call(`/admin/users?${query}`);
  const list = $('user-matches');
  if (!next) list.replaceChildren();
  for (const user of result.users) {
    const item = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = `${user.email || user.username} · ${user.status}${user.enabled ? '' : ' · disabled'}`;
    const choose = document.createElement('button');
    choose.type = 'button';
    choose.textContent = 'Choose';
    choose.setAttribute('aria-label', `Choose ${user.email || user.username}`);
    choose.addEventListener('click', () =>
      run(async () => {
        $('admin-sub').value = user.sub;
        $('admin-result').textContent = '';
        await listSessions(user.sub);
      }),
    );
    item.append(name, ' ', choose);
    list.append(item);
    addKnownSub(user.sub, user.email || user.username);
  }
  const more = $('user-matches-more');
  more.hidden = !result.next;
  more.onclick = () => run(() => findUsers(email, result.next));
  if (!next && result.users.length === 0)
    $('admin-result').textContent = `No user’s email starts with “${email}”.`;
}

function adminEmail() {
  const email = $('admin-email').value.trim();
  if (!EMAIL_PREFIX.test(email)) {
    $('admin-email').setAttribute('aria-invalid', 'true');
    $('admin-email').focus();
    throw new Error('Enter the start of an email address (no spaces or quotes).');
  }
  $('admin-email').removeAttribute('aria-invalid');
  return email;
}

function adminSub() {
  const sub = $('admin-sub').value.trim();
  if (!SUB.test(sub)) {
    $('admin-sub').setAttribute('aria-invalid', 'true');
    $('admin-sub').focus();
    throw new Error('Enter a user id (sub): letters, digits and dashes.');
  }
  $('admin-sub').removeAttribute('aria-invalid');
  return sub;
}

// ---------- plumbing ----------

function reportError(error) {
  const message = error instanceof Error ? error.message : String(error);
  setStatus(message, 'error');
  if (error instanceof ApiError)
    showResult(`HTTP ${error.status}${error.code ? ` ${error.code}` : ''}`, message);
}

async function run(action) {
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
  $('connect').addEventListener('click', connect);
  $('disconnect').addEventListener('click', () => state.socket?.close());
  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const room = $('room').value.trim();
    if (!ROOM.test(room)) {
      $('room').setAttribute('aria-invalid', 'true');
      setStatus('A room is user:<your sub> or 1-64 letters, digits, dots, underscores or dashes.', 'error');
      return;
    }
    $('room').removeAttribute('aria-invalid');
    state.socket?.send({ action: 'join', room });
    log('out', `Join room “${room}”`);
  });
  $('leave').addEventListener('click', () => {
    state.socket?.send({ action: 'leave' });
    log('out', 'Leave the room');
  });
  $('admin-find-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      $('admin-result').textContent = '';
      await findUsers(adminEmail());
    });
  });
  $('admin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    run(async () => {
      $('admin-result').textContent = '';
      await listSessions(adminSub());
    });
  });
  $('admin-revoke-user').addEventListener('click', () =>
    run(() => withStepUp({ kind: 'revokeUser', sub: adminSub() })),
  );
  $('my-sessions-reload').addEventListener('click', () => run(loadMySessions));
  if (!state.config.wsUrl) setSocketState('closed', 'Signaling is not configured (no wsUrl in config.json).');
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
      const interrupted = takeStepUp();
      await state.auth.completeSignIn(here);
      if (interrupted) await resumeStepUp(interrupted);
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
