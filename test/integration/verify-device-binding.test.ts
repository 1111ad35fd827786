// `npm run verify` against an offline stack with device binding enforced (as `npm start` runs): the binding checks pass.
import { join } from 'node:path';
import { verify } from '../../bin/verify';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import { CHECKS } from '../../lambdas/verify/journey';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';

let stack: TestStack;
let previousMode: string | undefined;

beforeAll(async () => {
  // Read by the authorizers and the auth function at their cold start, inside startTestStack.
  previousMode = process.env[AuthorizerEnv.dpopMode];
  process.env[AuthorizerEnv.dpopMode] = 'enforce';
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.dispose();
  if (previousMode === undefined) delete process.env[AuthorizerEnv.dpopMode];
  else process.env[AuthorizerEnv.dpopMode] = previousMode;
});

const line = (lines: string[], check: string) => lines.find((l) => l.includes(` ${check} — `)) ?? '';

describe('npm run verify on a stack with device binding enforced', () => {
  it('binds a token to its own key and proves it is refused without a proof, with another key, replayed or stale', async () => {
    const file = join(stack.dataDir, 'stack.json'); // written by the stack itself: dpopMode enforce
    const lines: string[] = [];

    const code = await verify(['--outputs', file, '--repeat', '2'], (l) => lines.push(l));

    expect(lines.filter((l) => l.startsWith('FAIL'))).toEqual([]);
    expect(line(lines, CHECKS.boundToken)).toMatch(/^PASS .*cnf\.jkt = the key.*: 200 \(p50 \d+ ms\)$/);
    expect(line(lines, CHECKS.boundNoProof)).toMatch(/^PASS .*401 ERR_DPOP_MISSING/);
    expect(line(lines, CHECKS.boundOtherKey)).toMatch(/^PASS .*401 ERR_DPOP_KEY_MISMATCH/);
    expect(line(lines, CHECKS.boundReplayed)).toMatch(/^PASS .*401 ERR_DPOP_REPLAY/);
    expect(line(lines, CHECKS.boundStale)).toMatch(/^PASS .*401 ERR_DPOP_STALE/);
    expect(line(lines, CHECKS.boundCookie)).toMatch(/^SKIP .*managed-login \(browser\) sign-in/);
    expect(lines.slice(-2)).toEqual(['1 skipped', '20 passed, 0 failed']);
    expect(lines.join('\n')).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no token, no proof (a JWS too)
    expect(code).toBe(0);
  });
});
