// Shared by the security suites: an offline stack that logs, raw HTTP requests, auth_denied lines, JWKS fetch counts.
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { systemClock } from '../../lambdas/shared/ports';
import { RevocationService } from '../../lambdas/shared/revocation-service';
import type { OfflineStackOptions } from '../../local/stack';
import type { CapturedLogs } from '../helpers/capture-logs';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';

/**
 * An offline stack whose handlers log (the `auth_denied` lines are what these suites assert), without EMF metric
 * lines; the revocation service writes into its deny-list.
 */
export async function startLoggingStack(
  options: Partial<OfflineStackOptions> = {},
): Promise<{ stack: TestStack; revocations: RevocationService }> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const stack = await startTestStack({ quiet: false, ...options });
  return { stack, revocations: revocationService() };
}

/** The revocation service over the running stack's table (the one logout, logout-all and admin use). */
export function revocationService(): RevocationService {
  const store = new DynamoRevocationStore(process.env[AuthorizerEnv.revocationTable]!);
  return new RevocationService(store, systemClock, { refreshTokenValiditySeconds: 7 * 24 * 3600 });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A request with header values sent byte for byte (latin1 string = raw bytes), unlike fetch, which normalises
 * whitespace and refuses non-ASCII values.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** `auth_denied` lines written for requests that carried this User-Agent. */
export function deniedLines(logs: CapturedLogs, userAgent: string): Array<Record<string, unknown>> {
  return logs.lines().filter((line) => line.event === 'auth_denied' && line.userAgent === userAgent);
}

/** Counts the requests this process makes to one URL through global fetch (aws-jwt-verify's fetcher uses it). */
export function countFetches(url: string): { readonly count: number; restore(): void } {
  const original = globalThis.fetch;
  let count = 0;
  globalThis.fetch = (input, init) => {
    const target = input instanceof Request ? input.url : String(input);
    if (target === url) count += 1;
    return original(input, init);
  };
  return {
    get count() {
      return count;
    },
    restore: () => {
      globalThis.fetch = original;
    },
  };
}
