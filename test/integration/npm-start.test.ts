// `npm start` as a user runs it: answers (or 503s) while starting, prints "ready", stops on a signal to npm alone.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** A request that gets no answer within this is a hang. */
const PROBE_TIMEOUT_MS = 2000;
/** Generous bound for a stop the stack itself caps at 1.5 s (a loaded CI machine). */
const STOP_WAIT_MS = 5000;

interface Started {
  readonly npm: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

let dataDir: string;
let ports: Record<'API_PORT' | 'CONNECTIONS_PORT' | 'DYNAMO_PORT' | 'COGNITO_PORT', number>;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cognito-guard-npm-'));
  const [api, connections, dynamo, cognito] = await Promise.all([0, 1, 2, 3].map(() => freePort()));
  ports = { API_PORT: api, CONNECTIONS_PORT: connections, DYNAMO_PORT: dynamo, COGNITO_PORT: cognito };
});

afterAll(() => rm(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `npm start` in its own process group (as a terminal would start it), with our ports and data dir. */
function npmStart(env: Record<string, string> = {}): Started {
  const npm = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      DATA_DIR: dataDir,
      ...env,
    },
  });
  let output = '';
  npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  return { npm, output: () => output, exited };
}

/** GET with a deadline: the status, 'refused' before the port listens, 'hang' when no answer comes in time. */
function probe(port: number, path: string): Promise<number | 'refused' | 'hang'> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve('hang');
    });
    req.on('error', () => resolve('refused'));
    req.end();
  });
}

/** Probes /api/health until the stack says ready; returns every answer seen on the way. */
async function probeUntilReady(started: Started): Promise<(number | 'refused' | 'hang')[]> {
  const answers: (number | 'refused' | 'hang')[] = [];
  const deadline = Date.now() + 60_000;
  while (!started.output().includes('ready:')) {
    if (Date.now() > deadline || started.npm.exitCode !== null) throw new Error(started.output());
    answers.push(await probe(ports.API_PORT, '/api/health'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return answers;
}

/** The process group (npm and everything it started) is gone and every port is free. */
async function expectStopped(started: Started): Promise<void> {
  const deadline = Date.now() + STOP_WAIT_MS;
  const groupAlive = () => {
    try {
      process.kill(-started.npm.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (groupAlive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(groupAlive()).toBe(false);
  for (const port of Object.values(ports)) expect(await portIsFree(port)).toBe(true);
}

describe('npm start', () => {
  let running: Started | undefined;
  afterEach(() => {
    if (running && running.npm.exitCode === null) process.kill(-running.npm.pid!, 'SIGKILL');
  });

  it('answers every request while starting (503 + Retry-After, never a hang), then stops on SIGTERM to npm', async () => {
    running = npmStart();
    const answers = await probeUntilReady(running);
    expect(answers).not.toContain('hang');
    expect(answers.every((answer) => answer === 'refused' || answer === 503 || answer === 200)).toBe(true);
    expect(await probe(ports.API_PORT, '/api/health')).toBe(200);

    process.kill(running.npm.pid!, 'SIGTERM'); // npm only, not its group
    await expectStopped(running);
    expect(running.output()).toContain('SIGTERM: stopping the offline stack');
  });

  it('restarts on the same data without UsernameExists traces, then stops on SIGINT to npm', async () => {
    running = npmStart();
    await probeUntilReady(running);
    process.kill(running.npm.pid!, 'SIGINT');
    await expectStopped(running);
    expect(running.output()).not.toMatch(/UsernameExists/);
    expect(running.output()).not.toMatch(/^\s+at /m);
  });

  it('prints JSON log lines when piped and says how to get readable ones', async () => {
    running = npmStart();
    await probeUntilReady(running);
    expect(running.output()).toContain(
      'Logs                  JSON lines (`npm start -- --pretty` for readable lines)',
    );
    expect(running.output()).toContain('Step-up window        900 s');
    process.kill(running.npm.pid!, 'SIGTERM');
    await expectStopped(running);
  });

  it('rejects a second start on the same data dir by naming the running stack, not a port', async () => {
    running = npmStart();
    await probeUntilReady(running);
    const second = npmStart();
    expect(await second.exited).toBe(1);
    const errors = second
      .output()
      .split('\n')
      .filter((line) => /error|at /i.test(line));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: another offline stack is running \(pid \d+\) on .*; stop it first/);
    expect(await probe(ports.API_PORT, '/api/health')).toBe(200); // the first one is untouched
    process.kill(running.npm.pid!, 'SIGTERM');
    await expectStopped(running);
  });

  it('fails with one line when its data dir is deleted while running, and the next start recreates it', async () => {
    running = npmStart();
    await probeUntilReady(running);
    await rm(dataDir, { recursive: true, force: true });
    expect(await running.exited).toBe(1);
    const errors = running
      .output()
      .split('\n')
      .filter((line) => /error|at /i.test(line));
    expect(errors).toEqual([
      `error: ${dataDir} was deleted while the stack was running; run \`npm start\` again to recreate and reseed it`,
    ]);
    await expectStopped(running);

    running = npmStart();
    await probeUntilReady(running);
    expect(running.output()).toContain('ready:');
    process.kill(running.npm.pid!, 'SIGTERM');
    await expectStopped(running);
  });

  it.each([
    ['SECRETS_PORT', 'abc', 'error: SECRETS_PORT must be a port number (0-65535), got "abc"'],
    [
      'STEP_UP_MAX_AGE_SECONDS',
      '0',
      'error: STEP_UP_MAX_AGE_SECONDS must be a whole number of seconds (1-86400), got "0"',
    ],
  ])('rejects %s=%s with one line, no stack trace', async (name, value, line) => {
    running = npmStart({ [name]: value });
    expect(await running.exited).toBe(1);
    const errors = running
      .output()
      .split('\n')
      .filter((l) => /error|at /i.test(l));
    expect(errors).toEqual([line]);
  });

  it('rejects API_PORT=abc with one line, no stack trace', async () => {
    running = npmStart({ API_PORT: 'abc' });
    expect(await running.exited).toBe(1);
    const errors = running
      .output()
      .split('\n')
      .filter((line) => /error|at /i.test(line));
    expect(errors).toEqual(['error: API_PORT must be a port number (0-65535), got "abc"']);
  });
});
