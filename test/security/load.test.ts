// Bounded loopback load on the offline stack: valid and forged tokens mixed under concurrency; no forged token is
// accepted, no valid one is denied, nothing crashes. Figures are printed, never asserted (shared CI machines).
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { DEFAULT_RATE_LIMITS } from '../../lambdas/signaling/rate-limiter';
import { decodePayload, mintAccessToken } from '../helpers/mint-token';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';
import { signIn } from '../helpers/sign-in';
import type { WsClient } from '../helpers/ws-client';
import { connectWs } from '../helpers/ws-client';
import type { AttackContext, AttackerServer } from './attack-matrix';
import { ATTACK_CASES, startAttackerServer } from './attack-matrix';
import { revocationService } from './support';

const DURATION_MS = 3000;
let stack: TestStack;
let attacker: AttackerServer;
let ctx: AttackContext;
const opened: WsClient[] = [];

beforeAll(async () => {
  attacker = await startAttackerServer();
  stack = await startTestStack(); // quiet: the load is on the handlers, not on the log pipe
  ctx = { audience: stack.outputs, attacker, revocations: revocationService() };
});

afterAll(async () => {
  for (const client of opened) client.ws.terminate();
  await stack?.dispose();
  await attacker?.close();
});

/** Forged, wrong and revoked tokens from the matrix (whole-token cases; header tricks need their own framing). */
async function forgedPool(): Promise<string[]> {
  const cases = ATTACK_CASES.filter((c) => !c.authorization && !c.subprotocols);
  return Promise.all(cases.map(async (c) => c.token(ctx)));
}

async function validPool(): Promise<string[]> {
  const user = stack.outputs.users[0];
  const signedIn = await signIn(stack, user.username, user.password);
  return [signedIn.accessToken, ...Array.from({ length: 30 }, () => mintAccessToken(stack.outputs))];
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function get(url: string, token: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /me under load', () => {
  it('50 concurrent clients for 3 s, valid and forged tokens mixed: no forged accepted, no valid denied', async () => {
    const [valid, forged] = await Promise.all([validPool(), forgedPool()]);
    const agent = new Agent({ keepAlive: true, maxSockets: 50 });
    const url = `${stack.outputs.apiUrl.replace('localhost', '127.0.0.1')}/me`;
    const outcomes = { validAllowed: 0, validDenied: 0, forgedDenied: 0, forgedAccepted: 0, other: 0 };
    const latencies: number[] = [];
    const deadline = Date.now() + DURATION_MS;
    const started = Date.now();

    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (Date.now() < deadline) {
          const isValid = Math.random() < 0.5;
          const token = pick(isValid ? valid : forged);
          const sent = performance.now();
          const status = await get(url, token, agent);
          latencies.push(performance.now() - sent);
          if (isValid) {
            if (status === 200) outcomes.validAllowed += 1;
            else if (status === 401) outcomes.validDenied += 1;
            else outcomes.other += 1;
          } else if (status === 401) outcomes.forgedDenied += 1;
          else if (status === 200) outcomes.forgedAccepted += 1;
          else outcomes.other += 1;
        }
      }),
    );
    const elapsedS = (Date.now() - started) / 1000;
    agent.destroy();

    latencies.sort((a, b) => a - b);
    const total = latencies.length;
    console.info(
      `[load] REST GET /me: ${total} requests in ${elapsedS.toFixed(1)} s = ${(total / elapsedS).toFixed(0)} req/s, ` +
        `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; ` +
        JSON.stringify(outcomes),
    );
    expect(outcomes.forgedAccepted).toBe(0);
    expect(outcomes.validDenied).toBe(0);
    expect(outcomes.other).toBe(0);
    expect(outcomes.validAllowed).toBeGreaterThan(0);
    expect(outcomes.forgedDenied).toBeGreaterThan(0);
    // Still serving after the burst.
    expect(await get(url, mintAccessToken(stack.outputs), new Agent())).toBe(200);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The shortest round that keeps one frame per socket within the per-connection rate limit. */
const MIN_ROUND_MS = 1000 / DEFAULT_RATE_LIMITS.framesPerSecond;

describe('signaling WebSocket under load', () => {
  it('100 concurrent sockets relaying frames for 3 s while forged handshakes hammer $connect', async () => {
    // Only tokens a `ws` client can offer as a subprotocol (RFC 7230 token characters).
    const forged = (await forgedPool()).filter((t) => /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/.test(t));
    const connect = (token: string) =>
      connectWs(stack.outputs.wsUrl!, token, { origin: stack.outputs.appUrl });

    // One group room per pair; each pair's tokens carry its group (room <name> admits group room-<name>).
    const rooms = Array.from({ length: 50 }, (_, i) => `load-${i}-${randomUUID().slice(0, 8)}`);
    const clients = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        connect(mintAccessToken(stack.outputs, { 'cognito:groups': [`room-${rooms[Math.floor(i / 2)]}`] })),
      ),
    );
    opened.push(...clients);
    const pairs = Array.from({ length: 50 }, (_, i) => [clients[2 * i], clients[2 * i + 1]] as const);
    const ids = await Promise.all(
      pairs.map(async ([a, b], i) => {
        const room = rooms[i];
        const join = async (client: WsClient) => {
          client.send({ action: 'join', room });
          return (await client.next('joined', 15_000)).self as string;
        };
        const aId = await join(a);
        const bId = await join(b);
        await a.next('peer-joined', 15_000);
        return [aId, bId] as const;
      }),
    );

    const handshakes = { refused: 0, accepted: 0 };
    const latencies: number[] = [];
    let relayed = 0;
    const deadline = Date.now() + DURATION_MS;
    const started = Date.now();
    const relay = async (
      from: WsClient,
      to: WsClient,
      toId: string,
      fromId: string,
      kind: 'offer' | 'answer',
    ) => {
      const sdp = `v=0 ${randomUUID()}`;
      const sent = performance.now();
      from.send({ action: 'signal', to: toId, kind, payload: { type: kind, sdp } });
      const frame = await to.next('signal', 15_000);
      latencies.push(performance.now() - sent);
      expect(frame).toEqual({ type: 'signal', from: fromId, kind, payload: { type: kind, sdp } });
      relayed += 1;
    };

    await Promise.all([
      ...pairs.map(async ([a, b], i) => {
        const [aId, bId] = ids[i];
        while (Date.now() < deadline) {
          const round = Date.now();
          await relay(a, b, bId, aId, 'offer');
          await relay(b, a, aId, bId, 'answer');
          // Each socket sends one frame per round: stay within the per-connection rate limit.
          await sleep(MIN_ROUND_MS - (Date.now() - round));
        }
      }),
      // Forged handshakes in parallel, 10 at a time.
      ...Array.from({ length: 10 }, async () => {
        while (Date.now() < deadline) {
          try {
            const client = await connect(pick(forged));
            opened.push(client);
            handshakes.accepted += 1;
          } catch (error) {
            expect((error as Error).message).toBe('HTTP 401');
            handshakes.refused += 1;
          }
        }
      }),
    ]);
    const elapsedS = (Date.now() - started) / 1000;

    latencies.sort((a, b) => a - b);
    console.info(
      `[load] WebSocket: 100 sockets, ${relayed} frames relayed in ${elapsedS.toFixed(1)} s = ` +
        `${(relayed / elapsedS).toFixed(0)} frames/s, relay p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(latencies, 99).toFixed(1)} ms; forged handshakes ${JSON.stringify(handshakes)}`,
    );
    expect(handshakes.accepted).toBe(0);
    expect(handshakes.refused).toBeGreaterThan(0);
    expect(relayed).toBeGreaterThan(0);
    for (const client of clients) {
      expect(client.isOpen).toBe(true);
      expect(client.frames.filter((f) => f.type === 'error' || f.type === 'revoked')).toEqual([]);
    }
    // A revocation right after the load still lands on the very next frame, and closes that socket.
    const [a, b] = pairs[0];
    const token = mintAccessToken(stack.outputs);
    const victim = await connect(token);
    opened.push(victim);
    const { jti, sub, exp } = decodePayload(token) as { jti: string; sub: string; exp: number };
    await ctx.revocations.revokeToken({ jti, sub, exp }, { actor: 'load-test', reason: 'test' });
    victim.send({ action: 'join', room: 'after-load' });
    expect(await victim.next('error', 15_000)).toMatchObject({ reason: 'ERR_TOKEN_REVOKED' });
    await victim.closed;
    expect(a.isOpen && b.isOpen).toBe(true);
  });
});
