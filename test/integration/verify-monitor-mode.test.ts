// `npm run verify` against an offline stack left in monitor mode: the mode and revocation checks fail, exit 1.
import { join } from 'node:path';
import { verify } from '../../bin/verify';
import { AuthorizerEnv } from '../../lambdas/authorizer/env';
import type { TestStack } from '../helpers/offline-stack';
import { startTestStack } from '../helpers/offline-stack';

let stack: TestStack;

beforeAll(async () => {
  // Read by the authorizers and the api function at their cold start, inside startTestStack.
  process.env[AuthorizerEnv.enforcementMode] = 'monitor';
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.dispose();
  delete process.env[AuthorizerEnv.enforcementMode];
});

describe('npm run verify on a stack in monitor mode', () => {
  it('fails the mode, logout and logout-all checks and exits 1', async () => {
    const file = join(stack.dataDir, 'stack.json'); // written by the stack itself
    const lines: string[] = [];

    const code = await verify(['--outputs', file, '--repeat', '1'], (line) => lines.push(line));

    const failed = lines.filter((line) => line.startsWith('FAIL')).map((line) => line.split(' — ')[0]);
    expect(failed).toEqual([
      'FAIL enforce mode',
      'FAIL logout -> next /me 401',
      'FAIL logout-all -> every session 401',
    ]);
    expect(lines.find((line) => line.startsWith('FAIL enforce mode'))).toContain(
      'outputs say monitor: revoked tokens are not denied',
    );
    expect(lines.find((line) => line.startsWith('FAIL logout ->'))).toMatch(
      /the very next \/me answered 200/,
    );
    expect(lines.at(-1)).toBe('12 passed, 3 failed');
    expect(code).toBe(1);
  });
});
