// The offline stack in its own process (the "deployment" under test); prints its outputs, stops on SIGTERM or stdin EOF.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOfflineStack } from '../local/stack';

export const READY_PREFIX = 'BENCH_STACK_READY ';

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cg-bench-stack-'));
  const stack = await startOfflineStack({ dataDir, quiet: true });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.stdin.on('end', () => void stop()).resume();
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(stack.outputs)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
