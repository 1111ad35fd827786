// The offline stack as one origin: the page at `/`, the REST API at `/api/…`, the WebSocket at `/ws`, one port,
// the same security headers on every answer, and the refresh cookie working because page and API share the origin.
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { EDGE_SECURITY_HEADERS } from '../../lambdas/shared/edge';
import { listen, close } from '../../local/listen';
import { createOrigin } from '../../local/origin';
import { BrowserSession } from '../helpers/browser-session';
import { mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { demoUser } from '../helpers/sign-in';
import { connectWs } from '../helpers/ws-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(() => stack?.dispose());

const get = (path: string) => fetch(`${stack.outputs.appUrl}${path}`);

function expectEdgeHeaders(headers: Headers): void {
  for (const [name, value] of Object.entries(EDGE_SECURITY_HEADERS)) expect(headers.get(name)).toBe(value);
}

describe('stack.json', () => {
  it('puts the page, the API and the socket on one origin', () => {
    const { appUrl, apiUrl, wsUrl, redirectUri } = stack.outputs;
    expect(appUrl).toBe(`http://localhost:${stack.ports.app}`);
    expect(apiUrl).toBe(`${appUrl}/api`);
    expect(wsUrl).toBe(`ws://localhost:${stack.ports.app}/ws`);
    expect(redirectUri).toBe(`${appUrl}/`);
  });
});

describe('the page', () => {
  it('serves index.html with the edge security headers (strict CSP, HSTS, no framing)', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expectEdgeHeaders(page.headers);
    expect(page.headers.get('content-security-policy')).toMatch(/connect-src 'self';/);
    expect(await page.text()).toMatch(/<script type="module" src="\/app.js">/);
  });

  it('serves config.json with paths relative to the page and no passwords', async () => {
    const config = (await (await get('/config.json')).json()) as Record<string, unknown>;
    expect(config).toMatchObject({
      apiUrl: '/api',
      wsUrl: '/ws',
      clientId: stack.outputs.clientId,
      redirectUri: stack.outputs.redirectUri,
    });
    expect(JSON.stringify(config)).not.toMatch(/password/i);
  });

  it('serves the files of web/ and nothing outside it', async () => {
    expect((await get('/auth.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/package.json')).status).toBe(404);
  });
});

describe('the API under /api', () => {
  it('answers route-table paths under /api only', async () => {
    const health = await get('/api/health');
    expect(health.status).toBe(200);
    expectEdgeHeaders(health.headers);
    expect((await get('/health')).status).toBe(404);
    expect((await get('/apihealth')).status).toBe(404);
  });

  it('rejects an API path without /api with a 404 that says where the API lives', async () => {
    for (const path of ['/me', '/me/sessions', '/admin/users/abc/sessions?x=1']) {
      const answer = await get(path);
      expect(answer.status).toBe(404);
      const { message } = (await answer.json()) as { message: string };
      expect(message).toBe(`Not Found: the API lives under /api (try /api${path.split('?')[0]})`);
    }
    expect(await (await get('/nope')).json()).toEqual({ message: 'Not Found' });
  });

  it('denies /api/me without a token, with the edge headers', async () => {
    const me = await get('/api/me');
    expect(me.status).toBe(401);
    expectEdgeHeaders(me.headers);
  });

  it('signs in and refreshes with the cookie, because page and API share the origin', async () => {
    const browser = new BrowserSession(stack.outputs);
    await browser.signIn(demoUser(stack.outputs, 'alice'));
    expect([...browser.cookies.keys()].some((name) => name.startsWith('__Host-'))).toBe(true);
    const first = browser.accessToken;
    const refreshed = await browser.refresh();
    expect(refreshed.status).toBe(200);
    expect(browser.accessToken).not.toBe(first);
    expect((await browser.call('GET', '/me')).status).toBe(200);
  });
});

describe('the WebSocket at /ws', () => {
  it('opens a signaling socket on the page origin', async () => {
    const token = mintAccessToken(stack.outputs, { sub: 'single-origin-user' });
    const client = await connectWs(stack.outputs.wsUrl!, token, { origin: stack.outputs.appUrl });
    expect(client.ws.protocol).toBe('cognito-guard.v1');
    expect(await client.join('user:single-origin-user')).toEqual(expect.any(String)); // its own private room
    client.ws.close();
  });

  it('refuses an upgrade on any other path', async () => {
    const token = mintAccessToken(stack.outputs, { sub: 'single-origin-user' });
    const url = stack.outputs.wsUrl!.replace(/\/ws$/, '/api/ws');
    await expect(connectWs(url, token, { origin: stack.outputs.appUrl })).rejects.toThrow('HTTP 404');
  });
});

describe('the origin while the stack starts', () => {
  const origin = createOrigin();
  let port: number;
  beforeAll(async () => {
    port = await listen(origin.server, {
      service: 'origin',
      host: '127.0.0.1',
      port: 0,
      envName: 'API_PORT',
    });
  });
  afterAll(() => close(origin.server));

  it('answers 503 with Retry-After instead of holding the request', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expectEdgeHeaders(response.headers);
  });

  it('answers an upgrade with 503 and Retry-After', async () => {
    const status = await new Promise<{ code?: number; retry?: string }>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['cognito-guard.v1']);
      ws.once('unexpected-response', (_req, res) => {
        resolve({ code: res.statusCode, retry: res.headers['retry-after'] });
        ws.terminate();
      });
      ws.once('error', reject);
    });
    expect(status).toEqual({ code: 503, retry: '1' });
  });

  it('sends the page once served', async () => {
    origin.serve({
      api: (_req, res) => res.writeHead(204).end(),
      upgrade: (_req, socket) => socket.destroy(),
      site: async (path, res) => {
        if (path !== '/') return false;
        res.writeHead(200).end('page');
        return true;
      },
    });
    const page = await new Promise<number | undefined>((resolve) =>
      request({ host: '127.0.0.1', port, path: '/' }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).end(),
    );
    expect(page).toBe(200);
  });
});
