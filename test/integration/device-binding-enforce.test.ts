// Device binding enforced on the offline stack (DPOP_MODE=enforce): a token copied out of its device fails everywhere.
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { BrowserSession } from '../helpers/browser-session';
import { newDeviceKey, proofFor } from '../helpers/dpop';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';
import type { WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';

let stack: TestStack;
let previousMode: string | undefined;
const sockets: WsClient[] = [];

beforeAll(async () => {
  previousMode = process.env[AuthorizerEnv.dpopMode];
  process.env[AuthorizerEnv.dpopMode] = 'enforce';
  stack = await startTestStack();
});

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.ws.terminate();
});

afterAll(async () => {
  await stack?.dispose();
  if (previousMode === undefined) delete process.env[AuthorizerEnv.dpopMode];
  else process.env[AuthorizerEnv.dpopMode] = previousMode;
});

async function boundBrowser(): Promise<BrowserSession> {
  const browser = new BrowserSession(stack.outputs);
  browser.device = await newDeviceKey();
  await browser.signIn(demoUser(stack.outputs, 'alice'));
  return browser;
}

describe('device binding enforced (offline stack)', () => {
  it('denies a sign-in without a device key proof (401 ERR_DPOP_MISSING)', async () => {
    const browser = new BrowserSession(stack.outputs);
    const started = await browser.call('POST', '/auth/login', { bearer: false });
    expect(started).toMatchObject({ status: 401, body: { error: 'ERR_DPOP_MISSING' } });
  });

  it('answers /me for the bound token sent as DPoP with a proof by the device key', async () => {
    const browser = await boundBrowser();
    const me = await browser.call('GET', '/me', { authorization: `DPoP ${browser.accessToken}` });
    expect(me.status).toBe(200);
  });

  it('denies the bound token sent as Bearer, with a DPoP challenge (no downgrade)', async () => {
    const browser = await boundBrowser();
    const response = await fetch(`${stack.outputs.apiUrl}/me`, {
      headers: { Authorization: `Bearer ${browser.accessToken}` },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="cognito-guard", error="invalid_token", DPoP realm="cognito-guard", algs="ES256"',
    );
    expect(await response.json()).toMatchObject({ error: 'ERR_DPOP_SCHEME' });
  });

  it('denies a token copied out of the page and used with another key (401)', async () => {
    const victim = await boundBrowser();
    const thief = new BrowserSession(stack.outputs);
    thief.device = await newDeviceKey();
    thief.accessToken = victim.accessToken;
    const me = await thief.call('GET', '/me', { authorization: `DPoP ${victim.accessToken}` });
    expect(me).toMatchObject({ status: 401, body: { error: 'ERR_DPOP_KEY_MISMATCH' } });
  });

  it.each([
    ['another device key', true],
    ['no proof at all', false],
  ])(
    'treats the refresh cookie presented with %s as theft: 401, the session revoked for its own device too',
    async (_case, withKey) => {
      const victim = await boundBrowser();
      const thief = new BrowserSession(stack.outputs);
      if (withKey) thief.device = await newDeviceKey();
      for (const [name, value] of victim.cookies) thief.cookies.set(name, value); // malware copied the cookie store
      expect((await thief.refresh()).status).toBe(401);
      expect((await victim.refresh()).status).toBe(401); // the session itself is ended, not only this attempt
      const me = await victim.call('GET', '/me', { authorization: `DPoP ${victim.accessToken}` });
      expect(me).toMatchObject({ status: 401, body: { error: 'ERR_TOKEN_REVOKED' } });
    },
  );

  it('opens a socket with the proof as a dpop.<proof> subprotocol, and refuses one without it', async () => {
    const browser = await boundBrowser();
    const token = browser.accessToken;
    const wsUrl = stack.outputs.wsUrl!;
    const proof = await proofFor(browser.device!, { method: 'GET', url: wsUrl, accessToken: token });
    const origin = { origin: stack.outputs.appUrl };
    const socket = await connectWs(wsUrl, token, {
      ...origin,
      protocols: ['cognito-guard.v1', `bearer.${token}`, `dpop.${proof}`],
    });
    sockets.push(socket);
    expect(socket.isOpen).toBe(true);
    await expect(connectWs(wsUrl, token, origin)).rejects.toThrow('HTTP 401');

    // reauth: the refreshed (bound) token needs a fresh proof for the socket, as at $connect.
    await browser.refresh();
    const fresh = browser.accessToken;
    socket.send({ action: 'reauth', token: fresh });
    expect(await socket.next('error')).toMatchObject({ type: 'error', reason: 'ERR_DPOP_MISSING' });
    const other = await newDeviceKey();
    socket.send({
      action: 'reauth',
      token: fresh,
      proof: await proofFor(other, { method: 'GET', url: wsUrl, accessToken: fresh }),
    });
    expect(await socket.next('error')).toMatchObject({ type: 'error', reason: 'ERR_DPOP_KEY_MISMATCH' });
    const reauthProof = await proofFor(browser.device!, { method: 'GET', url: wsUrl, accessToken: fresh });
    socket.send({ action: 'reauth', token: fresh, proof: reauthProof });
    expect(await socket.next('reauthed')).toMatchObject({ type: 'reauthed' });
  });
});
