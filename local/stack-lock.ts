// `npm start`'s lock on its data dir: a second start names the running one, and a deleted data dir stops the stack.
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { OfflineStartError } from './errors';

/** The lock file inside the data dir; it holds the pid of the `npm start` that owns the dir. */
export const LOCK_FILE = 'stack.lock';

/** Another `npm start` holds this data dir. */
export class StackRunningError extends OfflineStartError {
  constructor(pid: number, dir: string) {
    super(
      `another offline stack is running (pid ${pid}) on ${dir}; stop it first (Ctrl+C in its terminal, or kill ${pid})`,
    );
  }
}

export interface StackLock {
  /** The data dir, or its lock, is gone (deleted while running). */
  lost(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * Takes the lock before any port is probed, so a second start blames the running stack, not a port. A lock whose
 * pid is no longer alive (a killed stack) is taken over.
 */
export async function acquireStackLock(dir: string, pid = process.pid): Promise<StackLock> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600); // exclusive create: one winner when two start at once
      await handle.writeFile(`${pid}\n`);
      await handle.close();
      return {
        lost: () =>
          stat(file).then(
            () => false,
            () => true,
          ),
        release: () => rm(file, { force: true }),
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== pid && isAlive(owner)) {
        throw new StackRunningError(owner, dir);
      }
      await rm(file, { force: true }); // stale: its stack is gone
    }
  }
  throw new OfflineStartError(`cannot take the lock ${file}: another stack keeps recreating it`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}
