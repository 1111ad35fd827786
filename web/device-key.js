// The page's device key (DPoP, RFC 9449): a non-extractable ECDSA P-256 key pair kept in IndexedDB for this origin,
// and the proofs it signs. The private key never leaves WebCrypto, not even to this page's own script.

const DB_NAME = 'cognito-guard';
const STORE = 'device-key';
const KEY_ID = 'dpop';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' };

let current = null;

/** This browser's key: `{ privateKey, publicJwk }`, created once per origin and shared by every tab. */
export function deviceKey() {
  current ??= loadOrCreate().catch((error) => {
    current = null; // retry next time (e.g. IndexedDB was briefly unavailable)
    throw error;
  });
  return current;
}

/**
 * A `DPoP` proof (RFC 9449 §4.2) for one request: `htu` is the absolute URL without query and fragment, `ath` the
 * hash of the access token sent with it. ES256 signatures from WebCrypto are already the JWS form (r || s).
 */
export async function dpopProof(method, url, accessToken) {
  const { privateKey, publicJwk } = await deviceKey();
  const target = new URL(url, location.href);
  target.search = '';
  target.hash = '';
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk };
  const payload = {
    jti: crypto.randomUUID(),
    htm: method,
    htu: target.href,
    iat: Math.floor(Date.now() / 1000),
    ...(accessToken ? { ath: await sha256(accessToken) } : {}),
  };
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  const signature = await crypto.subtle.sign(
    { name: 'ECDSA', hash: 'SHA-256' },
    privateKey,
    new TextEncoder().encode(input),
  );
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

/** The proof of a WebSocket handshake: `htm` GET, `htu` the socket's absolute ws(s) URL. */
export function socketProof(url, accessToken) {
  const target = new URL(url, location.href);
  target.protocol = target.protocol.replace(/^http/, 'ws');
  return dpopProof('GET', target.href, accessToken);
}

/** The thumbprint a token is bound to (`cnf.jkt`, computed by the server), or undefined for an unbound token. */
export function boundKeyOf(accessToken) {
  try {
    const part = accessToken.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(part));
    return typeof claims?.cnf?.jkt === 'string' ? claims.cnf.jkt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The stored pair, or a new one. Two tabs may race on first load: `add` refuses a second key, and the loser reads
 * the winner's, so every tab of this origin signs with the one key its shared refresh cookie is bound to.
 */
async function loadOrCreate() {
  const db = await openDb();
  let pair = await request(db.transaction(STORE).objectStore(STORE).get(KEY_ID));
  if (!pair) {
    const created = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
    try {
      await request(db.transaction(STORE, 'readwrite').objectStore(STORE).add(created, KEY_ID));
      pair = created;
    } catch {
      pair = await request(db.transaction(STORE).objectStore(STORE).get(KEY_ID));
    }
  }
  db.close();
  // Public keys are always exportable; the private one was created with extractable: false.
  const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return { privateKey: pair.privateKey, publicJwk: { kty, crv, x, y } };
}

function openDb() {
  const opening = indexedDB.open(DB_NAME, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
  return request(opening);
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function sha256(text) {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

function encodeJson(value) {
  return base64url(new TextEncoder().encode(JSON.stringify(value)));
}

function base64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
