// Part 6: what one sign-in followed by a logout consumes on the offline stack: REST calls, Lambda time, DynamoDB units.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../local/handlers';
import { startOfflineStack } from '../local/stack';
import { BrowserSession } from '../test/helpers/browser-session';
import { newDeviceKey } from '../test/helpers/dpop';
import { startCountingEndpoint } from './lib/counting-endpoint';
import { round } from './lib/stats';

/** What one sign-in + logout cycle consumed, per cycle. */
export interface SignInCycleCost {
  readonly cycles: number;
  /** REST requests that reached API Gateway. */
  readonly restRequests: number;
  /** Invocations and summed handler wall time (ms) by function. */
  readonly lambda: Readonly<Record<string, { readonly invocations: number; readonly ms: number }>>;
  /** DynamoDB calls by operation and request units (dynalite's ReturnConsumedCapacity). */
  readonly dynamoByOperation: Readonly<Record<string, number>>;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Revocation events published (EventBridge PutEvents entries in AWS). */
  readonly eventsPublished: number;
}

/** The page's sign-in (device-bound: every call carries a proof) and, beside it, one without a device key. */
export interface SignInCostResult extends SignInCycleCost {
  readonly deviceBound: true;
  readonly withoutDeviceKey: SignInCycleCost;
  readonly method: string;
}

const CYCLES = 10;

export async function measureSignInCost(cycles = CYCLES): Promise<SignInCostResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cg-bench-signin-'));
  const invocations: Record<string, { invocations: number; ms: number }> = {};
  let restRequests = 0;
  let proxy: Awaited<ReturnType<typeof startCountingEndpoint>> | undefined;
  const stack = await startOfflineStack({
    dataDir,
    quiet: true,
    instrument: {
      dynamoEndpoint: async (dynalite) => {
        proxy = await startCountingEndpoint({ jwks: { keys: [] }, upstream: dynalite });
        return proxy.url;
      },
      handlers: (handlers) => countInvocations(handlers, invocations, () => restRequests++),
    },
  });
  try {
    // One user per variant and the same history for both: each logout adds an entry to that user's deny-list item,
    // whose size sets the write units of the next one.
    const [boundUser, unboundUser] = stack.outputs.users;
    const user = (bound: boolean) => (bound ? boundUser : unboundUser);
    const device = await newDeviceKey();
    const browser = (bound: boolean) => {
      const session = new BrowserSession(stack.outputs);
      if (bound) session.device = device; // the page's key: every call carries a fresh proof
      return session;
    };
    // As the page sends a bound token: the DPoP scheme, so the authorizer checks the proof too.
    const logOut = (session: BrowserSession, bound: boolean) =>
      session.call('POST', '/auth/logout', {
        authorization: `${bound ? 'DPoP' : 'Bearer'} ${session.accessToken}`,
      });
    for (const bound of [true, false]) {
      const warmUp = browser(bound); // JWKS, secrets and connections fetched once
      await warmUp.signIn(user(bound));
      await logOut(warmUp, bound);
    }
    const measure = async (bound: boolean): Promise<SignInCycleCost> => {
      for (const entry of Object.values(invocations)) Object.assign(entry, { invocations: 0, ms: 0 });
      restRequests = 0;
      const calls = proxy!.counts();
      const units = proxy!.units();
      const events = await eventLines(dataDir);
      for (let cycle = 0; cycle < cycles; cycle++) {
        const session = browser(bound);
        await session.signIn(user(bound));
        if (boundTo(session.accessToken) !== (bound ? device.jkt : undefined))
          throw new Error(
            `sign-in ${bound ? 'with' : 'without'} a device key: wrong cnf.jkt in the access token`,
          );
        const logout = await logOut(session, bound);
        if (logout.status !== 200) throw new Error(`logout: ${logout.status}`);
      }
      const callsAfter = proxy!.counts();
      const unitsAfter = proxy!.units();
      return {
        cycles,
        restRequests: restRequests / cycles,
        lambda: Object.fromEntries(
          Object.entries(invocations).map(([fn, c]) => [
            fn,
            { invocations: c.invocations / cycles, ms: round(c.ms / cycles) },
          ]),
        ),
        dynamoByOperation: Object.fromEntries(
          Object.entries(callsAfter)
            .map(([op, n]) => [op, (n - (calls[op] ?? 0)) / cycles] as const)
            .filter(([, n]) => n > 0),
        ),
        readUnits: (unitsAfter.read - units.read) / cycles,
        writeUnits: (unitsAfter.write - units.write) / cycles,
        eventsPublished: ((await eventLines(dataDir)) - events) / cycles,
      };
    };
    const bound = await measure(true);
    const withoutDeviceKey = await measure(false);
    return {
      ...bound,
      deviceBound: true,
      withoutDeviceKey,
      method:
        'offline stack in-process (dpop monitor: a session a proof started is bound, one without a key is not): REST handlers wrapped to count and time invocations, DynamoDB behind a counting proxy',
    };
  } finally {
    await stack.stop();
    await proxy?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Wraps the authorizer and every route function: invocations and wall time per function, REST requests in all. */
function countInvocations(
  handlers: Handlers,
  counts: Record<string, { invocations: number; ms: number }>,
  onRequest: () => void,
): Handlers {
  const timed = <A extends unknown[], R>(fn: string, handler: (...args: A) => Promise<R>) => {
    counts[fn] ??= { invocations: 0, ms: 0 };
    return async (...args: A): Promise<R> => {
      const start = performance.now();
      try {
        return await handler(...args);
      } finally {
        counts[fn].invocations++;
        counts[fn].ms += performance.now() - start;
      }
    };
  };
  const authorizer = timed('authorizer', handlers.authorizer);
  const routes = Object.fromEntries(
    Object.entries(handlers.routes).map(([fn, handler]) => {
      const wrapped = timed(fn, handler);
      return [fn, (...args: Parameters<typeof handler>) => (onRequest(), wrapped(...args))];
    }),
  ) as unknown as Handlers['routes'];
  return {
    ...handlers,
    authorizer: async (...args) => {
      try {
        return await authorizer(...args);
      } catch (error) {
        onRequest(); // denied at the authorizer: the request still reached (and is billed by) API Gateway
        throw error;
      }
    },
    routes,
  };
}

function boundTo(accessToken: string): string | undefined {
  const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
    cnf?: { jkt?: string };
  };
  return payload.cnf?.jkt;
}

async function eventLines(dataDir: string): Promise<number> {
  try {
    return (await readFile(join(dataDir, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}
