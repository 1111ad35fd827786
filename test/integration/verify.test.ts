// `npm run verify` against the offline stack: all checks pass; a store outage or a wrong client id fails them loudly.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verify } from '../../bin/verify';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.dispose();
});

/**
 * A run's logout-all writes the user watermark `notBefore = now + 1 s` (same-second iat): the next run's sign-ins
 * must be issued after it, as they are when runs are minutes apart.
 */
async function pastWatermark(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 2000 - (Date.now() % 1000)));
}

/** Runs the CLI on `outputs` (written to a file); returns its exit code and printed lines. */
async function runVerify(outputs: object = stack.outputs): Promise<{ code: number; lines: string[] }> {
  await pastWatermark();
  const file = join(stack.dataDir, `outputs-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify(outputs));
  const lines: string[] = [];
  const code = await verify(['--outputs', file, '--repeat', '2'], (line) => lines.push(...line.split('\n')));
  return { code, lines };
}

const line = (lines: string[], check: string) => lines.find((l) => l.includes(` ${check} — `)) ?? '';

describe('npm run verify on the offline stack', () => {
  it('passes every check and exits 0', async () => {
    const { code, lines } = await runVerify();

    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(lines.at(-1)).toBe('15 passed, 0 failed');
    expect(code).toBe(0);
    expect(line(lines, 'logout -> next /me 401')).toMatch(/^PASS .*the very next \/me: 401.*\(p50 \d+ ms\)$/);
    expect(line(lines, 'expired token -> 401')).toMatch(/^PASS .*validly signed/);
    // The test stacks run device binding in monitor (docs/device-binding.md): skipped, never silently absent.
    expect(line(lines, 'bound token without a proof -> 401')).toBe(
      'SKIP bound token without a proof -> 401 — device binding is monitor: the authorizers log would_deny instead of refusing',
    );
    expect(lines.at(-2)).toBe('6 skipped');
  });

  it('never prints a token', async () => {
    const { lines } = await runVerify();

    expect(lines.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // a JWT's base64url JSON header
  });

  it('reads the stack.json the offline stack wrote', async () => {
    await pastWatermark();
    const lines: string[] = [];
    const code = await verify(['--outputs', join(stack.dataDir, 'stack.json'), '--repeat', '1'], (l) =>
      lines.push(l),
    );

    expect(lines.at(-1)).toBe('15 passed, 0 failed');
    expect(code).toBe(0);
  });

  it('fails sign-in and every check that needs a session when the verification client id is wrong', async () => {
    const { code, lines } = await runVerify({
      ...stack.outputs,
      verifyClientId: 'wrongclientid000000000000',
    });

    expect(line(lines, 'sign-in')).toMatch(/^FAIL sign-in — error: /);
    expect(line(lines, 'GET /me with the fresh token')).toMatch(/^FAIL .*not run: sign-in failed/);
    expect(line(lines, 'logout -> next /me 401')).toMatch(/^FAIL /);
    expect(code).toBe(1);
  });

  it('fails the cache-TTL check when the outputs declare a cached authorizer', async () => {
    const { code, lines } = await runVerify({ ...stack.outputs, authorizerCacheTtlSeconds: 300 });

    expect(line(lines, 'authorizer cache TTL 0')).toBe(
      'FAIL authorizer cache TTL 0 — 300 s: a revoked token keeps working for up to 300 s',
    );
    expect(code).toBe(1);
  });

  it('exits 2 with a reason when the outputs file is unusable', async () => {
    const lines: string[] = [];
    const code = await verify(['--outputs', join(stack.dataDir, 'missing.json')], (l) => lines.push(l));

    expect(lines[0]).toMatch(/^cannot read .*missing\.json/);
    expect(code).toBe(2);
  });

  it('fails closed checks with a clear reason and exits 1 while the revocation store is down', async () => {
    await stack.services.dynamo.stop();
    try {
      const { code, lines } = await runVerify();

      expect(line(lines, 'sign-in')).toMatch(/^PASS/); // Cognito is up
      expect(line(lines, 'GET /me with the fresh token')).toMatch(
        /^FAIL .*expected 200 naming the user, got 401.*revocation store or JWKS unavailable/,
      );
      expect(line(lines, 'forged signature -> 401')).toMatch(/^PASS/); // refused before the store is read
      expect(line(lines, 'logout -> next /me 401')).toMatch(
        /^FAIL .*logout answered 401/, // the authorizer fails closed before the route runs
      );
      expect(line(lines, 'WebSocket opens with the token')).toMatch(/^FAIL .*refused: HTTP 401/);
      expect(lines.at(-1)).toBe('10 passed, 5 failed');
      expect(code).toBe(1);
    } finally {
      await stack.services.dynamo.start();
    }
  });
});
