// Part 3: every Lambda entry bundled as CDK bundles it; size, what dominates it, and module-init time over bare node.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AUTHORIZER_ENTRY, ROUTE_FUNCTION_ENTRIES } from '../lib/constructs/rest-api';
import { CONNECT_AUTHORIZER_ENTRY, SIGNALING_ENTRY, SWEEP_ENTRY } from '../lib/constructs/signaling-api';
import { bundleEntry } from './lib/bundle';
import { median, round } from './lib/stats';
import { AuthEnv } from '../lambdas/auth/env';
import { SignalingEnv } from '../lambdas/signaling/env';
import { localAwsEnv } from '../local/aws-env';

/** Function name => entry, from the constructs themselves (a new function shows up here by itself). */
export const LAMBDA_ENTRIES: Readonly<Record<string, string>> = {
  authorizer: AUTHORIZER_ENTRY,
  'connect-authorizer': CONNECT_AUTHORIZER_ENTRY,
  signaling: SIGNALING_ENTRY,
  'signaling-sweep': SWEEP_ENTRY,
  ...ROUTE_FUNCTION_ENTRIES,
};

/** Every variable any handler reads at init; endpoints point at the discard port, as init must not call out. */
export const INIT_ENV: Readonly<Record<string, string>> = {
  ...localAwsEnv({ region: 'us-east-1', dynamo: 'http://127.0.0.1:9', cognito: 'http://127.0.0.1:9' }),
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'bench',
  [AuthEnv.userPoolId]: 'us-east-1_BenchPool',
  [AuthEnv.clientId]: 'benchclientid',
  [AuthEnv.revocationTable]: 'Revocations',
  [AuthEnv.sessionsTable]: 'Sessions',
  [SignalingEnv.connectionsTable]: 'Connections',
  [SignalingEnv.connectionsEndpoint]: 'http://127.0.0.1:9/local',
  [AuthEnv.allowedOrigins]: 'https://app.example.com',
  [AuthEnv.cognitoDomainUrl]: 'https://bench.auth.us-east-1.amazoncognito.com',
  [AuthEnv.logoutRedirectUri]: 'https://app.example.com/',
  [AuthEnv.refreshTokenValiditySeconds]: '604800',
  [AuthEnv.redirectUri]: 'https://app.example.com/',
  [AuthEnv.clientSecretId]: 'bench/client-secret', // names only: no secret is read at init
  [AuthEnv.cookieKeySecretId]: 'bench/cookie-key',
};

export interface BundleFigures {
  readonly fn: string;
  readonly kb: number;
  /** `node -e 'require(bundle)'` minus `node -e 0`, medians of the runs. */
  readonly initMs: number;
  /** The same require timed inside the process (performance.now): less noise, no process start-up. */
  readonly requireMs: number;
  /** A socket or DNS lookup was attempted during init (must be false). */
  readonly networkAtInit: boolean;
  readonly topPackages: readonly { readonly name: string; readonly kb: number }[];
}

export interface ColdStartResult {
  readonly runs: number;
  readonly bareNodeMs: number;
  readonly bundlingOptions: string;
  readonly bundles: readonly BundleFigures[];
  /** The authorizer bundled without `mainFields` (the SDK's CommonJS builds): the figures before the fix. */
  readonly authorizerWithoutMainFields: BundleFigures;
  /** Where the bundles are, for the parts that run them. */
  readonly outDir: string;
}

const PROBE = `
const net = require('node:net'), dns = require('node:dns');
const flag = () => { process.env.__BENCH_NET = '1'; };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...a) { flag(); return connect.apply(this, a); };
const lookup = dns.lookup; dns.lookup = function (...a) { flag(); return lookup.apply(this, a); };
process.on('exit', () => { if (process.env.__BENCH_NET) process.stdout.write('\\n#network\\n'); });
`;

export async function measureColdStart(outDir: string, runs = 9): Promise<ColdStartResult> {
  await mkdir(outDir, { recursive: true });
  const built = [];
  for (const [fn, entry] of Object.entries(LAMBDA_ENTRIES)) {
    built.push({ fn, ...(await bundleEntry(entry, join(outDir, fn, 'index.js'))) });
  }
  const before = {
    fn: 'authorizer (without mainFields)',
    ...(await bundleEntry(AUTHORIZER_ENTRY, join(outDir, 'authorizer-cjs', 'index.js'), {
      mainFields: ['main', 'module'], // esbuild's default for platform node
    })),
  };
  const all = [...built, before];

  const probe = join(outDir, 'network-probe.cjs');
  await writeFile(probe, PROBE);
  const env = { ...process.env, ...INIT_ENV };
  const timeNode = (args: string[]) => {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    if (child.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${child.stderr}`);
    const inside = /#init ([\d.]+)/.exec(child.stdout)?.[1];
    return { wallMs, requireMs: inside ? Number(inside) : 0, network: child.stdout.includes('#network') };
  };
  const requireCode = (file: string) =>
    `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write('\\n#init '+(performance.now()-t)+'\\n')`;

  const bare: number[] = [];
  const wall = all.map(() => [] as number[]);
  const inside = all.map(() => [] as number[]);
  timeNode(['-e', '0']); // warm the file-system cache before the measured runs
  for (let run = 0; run < runs; run++) {
    bare.push(timeNode(['-e', '0']).wallMs);
    all.forEach((bundle, i) => {
      const timed = timeNode(['-e', requireCode(bundle.file)]);
      wall[i].push(timed.wallMs);
      inside[i].push(timed.requireMs);
    });
  }
  const bareMs = median(bare);
  const figures: BundleFigures[] = all.map((bundle, i) => ({
    fn: bundle.fn,
    kb: round(bundle.bytes / 1024, 4),
    initMs: round(median(wall[i]) - bareMs),
    requireMs: round(median(inside[i])),
    networkAtInit: timeNode(['-r', probe, '-e', requireCode(bundle.file)]).network,
    topPackages: bundle.byPackage.slice(0, 12),
  }));
  return {
    runs,
    bareNodeMs: round(bareMs),
    bundlingOptions:
      'LAMBDA_BUNDLING from lib/constructs/node-function.ts (mapped as aws-lambda-nodejs maps it)',
    bundles: figures.slice(0, -1),
    authorizerWithoutMainFields: figures[figures.length - 1],
    outDir,
  };
}
