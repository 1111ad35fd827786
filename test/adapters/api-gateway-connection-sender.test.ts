// The @connections sender with the real ApiGatewayManagementApiClient against the ws shim's local endpoint.

import { createServer } from 'node:http';
import { WebSocket } from 'ws';
import { ApiGatewayConnectionSender } from '../../lambdas/adapters/api-gateway-connection-sender';
import type { WebSocketEvent } from '../../lambdas/signaling/handler';
import type { WsShim } from '../../local/ws-shim';
import { close, listen } from '../../local/listen';
import { createWsShim } from '../../local/ws-shim';

let shim: WsShim;
/** The origin server the shim's upgrade listener is mounted on, as in the offline stack. */
const origin = createServer();
let url: string;
const connected: string[] = [];
const events: WebSocketEvent[] = [];

beforeAll(async () => {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  shim = await createWsShim({
    host: '127.0.0.1',
    port: 0,
    envName: 'CONNECTIONS_PORT',
    path: '/ws',
    region: 'us-east-1',
    stage: 'ws',
    handlers: () => ({
      connectAuthorizer: async (event) => ({
        principalId: 'p',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
        },
      }),
      signaling: async (event) => {
        events.push(event);
        if (event.requestContext.eventType === 'CONNECT') connected.push(event.requestContext.connectionId);
        return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'cognito-guard.v1' }, body: '' };
      },
      sweep: async () => undefined,
    }),
  });
  shim.start();
  origin.on('upgrade', shim.upgrade);
  const port = await listen(origin, { service: 'origin', host: '127.0.0.1', port: 0, envName: 'API_PORT' });
  url = `ws://127.0.0.1:${port}/ws`;
});

afterAll(async () => {
  await shim.stop();
  await close(origin);
});

async function open(): Promise<{ ws: WebSocket; id: string; frames: string[] }> {
  const ws = new WebSocket(url, ['cognito-guard.v1', 'bearer.x']);
  const frames: string[] = [];
  ws.on('message', (data) => frames.push((data as Buffer).toString('utf8')));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  expect(ws.protocol).toBe('cognito-guard.v1');
  return { ws, id: connected.at(-1)!, frames };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  return check();
};

describe('ApiGatewayConnectionSender', () => {
  it('posts a frame to an open socket', async () => {
    const { ws, id, frames } = await open();
    const sender = new ApiGatewayConnectionSender(shim.connectionsEndpoint);
    expect(await sender.send(id, { type: 'left', room: 'r1' })).toBe(true);
    expect(await until(() => frames.length === 1)).toBe(true);
    expect(JSON.parse(frames[0])).toEqual({ type: 'left', room: 'r1' });
    ws.close();
  });

  it('closes a socket, which then gets its $disconnect', async () => {
    const { ws, id } = await open();
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    expect(await new ApiGatewayConnectionSender(shim.connectionsEndpoint).close(id)).toBe(true);
    expect(await closed).toBe(1000);
    expect(
      await until(() =>
        events.some(
          (e) => e.requestContext.eventType === 'DISCONNECT' && e.requestContext.connectionId === id,
        ),
      ),
    ).toBe(true);
  });

  it('answers false (410 Gone) for a socket that is already closed', async () => {
    const sender = new ApiGatewayConnectionSender(shim.connectionsEndpoint);
    expect(await sender.send('bm90LWEtc29ja2V0', { type: 'left', room: 'r1' })).toBe(false);
    expect(await sender.close('bm90LWEtc29ja2V0')).toBe(false);
  });

  it('refuses a handshake without the Sec-WebSocket-Protocol header before any authorizer runs', async () => {
    const ws = new WebSocket(url);
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });
});
