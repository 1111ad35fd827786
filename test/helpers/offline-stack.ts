// Test helper: one offline stack per test file, on random ports with a fresh temporary data dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OfflineStack, OfflineStackOptions } from '../../local/stack';
import { startOfflineStack } from '../../local/stack';

export interface TestStack extends OfflineStack {
  readonly dataDir: string;
  /** Stops the stack and deletes its data dir. */
  dispose(): Promise<void>;
}

/** Starts a quiet stack; pass `dataDir`/`ports` to restart one on the same data and endpoints. */
export async function startTestStack(options: Partial<OfflineStackOptions> = {}): Promise<TestStack> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'cognito-guard-it-')));
  const stack = await startOfflineStack({ quiet: true, ...options, dataDir });
  return {
    ...stack,
    dataDir,
    dispose: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
