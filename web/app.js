// Demo page: authorization code + PKCE with oauth4webapi, access token in memory only, GET /me, sign out.
import * as oauth from '/vendor/oauth4webapi.js';

const PENDING_KEY = 'cognito-guard.pending-sign-in';
const $ = (id) => document.getElementById(id);

const config = await (await fetch('/config.json')).json();
const as = {
  issuer: `https://cognito-idp.${config.region}.amazonaws.com/${config.userPoolId}`,
  authorization_endpoint: `${config.hostedUiUrl}/oauth2/authorize`,
  token_endpoint: config.tokenEndpoint,
};
const client = { client_id: config.clientId };
// oauth4webapi refuses plain http unless told: only the offline token endpoint on this machine speaks it.
const requestOptions =
  new URL(as.token_endpoint).protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {};

/** The access token lives in this variable only: never in localStorage, sessionStorage or a cookie. */
let accessToken = null;

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
}

function render() {
  $('sign-in').disabled = accessToken !== null;
  $('call-me').disabled = accessToken === null;
  $('sign-out').disabled = accessToken === null;
}

async function signIn() {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  // Only what the redirect round trip needs, removed as soon as we are back.
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ codeVerifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: config.redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

async function completeSignIn(callbackUrl) {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null');
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', callbackUrl.pathname); // the code must not linger in the address bar or history
  if (!pending) throw new Error('No sign-in in progress in this tab.');
  const params = oauth.validateAuthResponse(as, client, callbackUrl, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    config.redirectUri,
    pending.codeVerifier,
    requestOptions,
  );
  const result = await oauth.processAuthorizationCodeResponse(as, client, response);
  accessToken = result.access_token;
}

async function callMe() {
  const response = await fetch(`${config.apiUrl}/me`, {
    headers: { Authorization: `Bearer ${accessToken}` },
  });
  const body = await response.text();
  let shown = body;
  try {
    shown = JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    // not JSON: show as is
  }
  $('result').textContent = `HTTP ${response.status}\n${shown}`;
  setStatus(
    response.ok ? 'Signed in.' : `The API denied the request (HTTP ${response.status}).`,
    !response.ok,
  );
}

function signOut() {
  accessToken = null;
  $('result').textContent = 'Signed out: the access token was forgotten.';
  setStatus('Signed out.');
  render();
}

async function run(action) {
  try {
    await action();
  } catch (error) {
    setStatus(`Error: ${error.message}`, true);
  }
  render();
}

$('sign-in').addEventListener('click', () => run(signIn));
$('call-me').addEventListener('click', () => run(callMe));
$('sign-out').addEventListener('click', signOut);
for (const user of config.users ?? []) {
  const item = document.createElement('li');
  item.textContent = user.groups.length ? `${user.username} (${user.groups.join(', ')})` : user.username;
  $('users').append(item);
}

const here = new URL(location.href);
if (here.origin !== new URL(config.redirectUri).origin) {
  // Sign-in must start and end on the registered callback origin (sessionStorage is per origin).
  location.replace(config.redirectUri);
} else if (here.searchParams.has('code') || here.searchParams.has('error')) {
  await run(async () => {
    await completeSignIn(here);
    await callMe();
  });
} else {
  setStatus('Signed out.');
  render();
}
