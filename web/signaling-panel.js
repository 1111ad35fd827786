// The signaling panel: connect the socket, join and leave rooms, the message log, and a WebRTC offer/answer demo.
import { ApiError, callApi, describeReason, revocationCause } from './api.js';
import { $, reportError, setStatus, shortId } from './render.js';
import { socketProof } from './device-binding-view.js';
import { SignalingSocket } from './signaling.js';
import { render, run, state } from './state.js';

/** A group room `<name>` (needs group room-<name>) or your private room `user:<sub>`. */
const ROOM = /^(?:user:[A-Za-z0-9-]{1,64}|[A-Za-z0-9._-]{1,64})$/;
/** How long sign-out waits for the server to close the socket (with `revoked`) before closing it itself. */
const SERVER_CLOSE_GRACE_MS = 3000;

/** Wires the panel's controls. */
export function initSignalingPanel() {
  $('connect').addEventListener('click', () => connect().catch(reportError));
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
  if (!state.config.wsUrl) setSocketState('closed', 'Signaling is not configured (no wsUrl in config.json).');
}

/** After a silent refresh: the socket lives on past the old token's expiry only if the server verifies the new one. */
export async function reauthorizeSocket() {
  if (!state.socket?.isOpen) return;
  const socket = state.socket;
  const token = state.auth.accessToken;
  const proof = await socketProof(state.config.wsUrl, token).catch(() => undefined); // device-bound tokens
  if (!socket.isOpen) return;
  socket.send({ action: 'reauth', token, ...(proof ? { proof } : {}) });
  log('out', 'Re-authorizing the socket with the refreshed token');
}

/** After sign-out: the server closes this session's sockets itself (a `revoked` frame first); close ours if it does not. */
export function closeSocketAfterSignOut() {
  const socket = state.socket;
  if (!socket) return;
  setTimeout(() => {
    if (state.socket === socket) socket.close('signed out');
  }, SERVER_CLOSE_GRACE_MS);
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

async function connect() {
  const token = state.auth.accessToken;
  const proof = await socketProof(state.config.wsUrl, token).catch(() => undefined); // device-bound tokens
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
    const cause = revocationCause(error);
    why = error.code
      ? `${error.code} — ${describeReason(error.code) ?? error.detail ?? 'refused'}${cause ? `: ${cause}` : ''}`
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
