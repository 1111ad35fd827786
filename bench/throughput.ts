// Part 5: autocannon on loopback against the offline stack: /me with a valid token vs public /health, same server.
import autocannon from 'autocannon';
import type { StackOutputs } from '../local/stack';
import { BrowserSession } from '../test/helpers/browser-session';
import { round } from './lib/stats';

export interface ThroughputRow {
  readonly path: string;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface ThroughputResult {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly rows: readonly ThroughputRow[];
  /** /me req/s divided by /health req/s. */
  readonly meVsHealth: number;
}

export async function measureThroughput(
  stack: StackOutputs,
  options: { connections?: number; durationSeconds?: number } = {},
): Promise<ThroughputResult> {
  const connections = options.connections ?? 20;
  const duration = options.durationSeconds ?? 5;
  const browser = new BrowserSession(stack);
  await browser.signIn(stack.users.find((u) => !u.groups.length) ?? stack.users[0]);
  const targets: [string, Record<string, string>][] = [
    ['/health', {}],
    ['/me', { authorization: `Bearer ${browser.accessToken}` }],
  ];
  // A short warm-up of each path: JIT, the authorizer's JWKS cache and the keep-alive sockets.
  for (const [path, headers] of targets) {
    await autocannon({ url: `${stack.apiUrl}${path}`, connections, duration: 1, headers });
  }
  const rows: ThroughputRow[] = [];
  for (const [path, headers] of targets) {
    const result = await autocannon({ url: `${stack.apiUrl}${path}`, connections, duration, headers });
    rows.push({
      path,
      reqPerSec: round(result.requests.average),
      p50Ms: round(result.latency.p50),
      p99Ms: round(result.latency.p99),
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
    });
  }
  return {
    connections,
    durationSeconds: duration,
    rows,
    meVsHealth: round(rows[1].reqPerSec / rows[0].reqPerSec),
  };
}
