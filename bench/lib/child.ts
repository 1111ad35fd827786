// Runs bench parts in child processes: a fresh module cache and env per part, and the stack apart from its load generator.
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StackOutputs } from '../../local/stack';
import { READY_PREFIX } from '../offline-server';

const BENCH_DIR = join(__dirname, '..');
const QUIET_ENV = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

function tsx(file: string, args: readonly string[]) {
  return spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, file), ...args], {
    env: QUIET_ENV,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** Runs `bench/lib/run-part.ts <part> <out> ...args` and returns what the part wrote to `<out>`. */
export async function runPart<T>(part: string, args: readonly string[] = []): Promise<T> {
  const out = join(tmpdir(), `cg-bench-${part}-${process.pid}.json`);
  const child = tsx('lib/run-part.ts', [part, out, ...args]);
  child.stdout.pipe(process.stderr); // handlers may print; keep stdout for the table
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench part ${part} exited with ${code}`);
  const result = JSON.parse(await readFile(out, 'utf8')) as T;
  await rm(out, { force: true });
  return result;
}

export interface StackProcess {
  readonly outputs: StackOutputs;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts `bench/offline-server.ts` and waits for its outputs line. */
export async function startStackProcess(timeoutMs = 60_000): Promise<StackProcess> {
  const child = tsx('offline-server.ts', []);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const outputs = await new Promise<StackOutputs>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('offline stack did not start')), timeoutMs);
    child.on('close', (code) => reject(new Error(`offline stack exited with ${code}`)));
    lines.on('line', (line) => {
      if (!line.startsWith(READY_PREFIX)) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(READY_PREFIX.length)) as StackOutputs);
    });
  });
  return {
    outputs,
    pid: child.pid!,
    stop: async () => {
      child.stdin.end(); // the server stops itself and deletes its data dir
      const timer = setTimeout(() => child.kill('SIGTERM'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
