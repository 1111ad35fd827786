// `npm start`: the offline stack on fixed ports (env overrides), "ready" once it answers, clean stop on SIGINT/SIGTERM.
import { join, resolve } from 'node:path';
import { STEP_UP_MAX_AGE_RANGE } from '../lambdas/admin/config';
import { DEFAULT_STEP_UP_MAX_AGE_SECONDS } from '../lambdas/shared/route-policy';
import { EnvValueError, OfflineStartError } from './errors';
import { logFormat, prettyPrintOutput } from './pretty-logs';
import type { OfflineStack, StackPorts } from './stack';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { startOfflineStack } from './stack';
import type { StackLock } from './stack-lock';
import { acquireStackLock } from './stack-lock';

/** Defaults that avoid DynamoDB Local's 8000 and the usual dev-server ports; 3000 is the page's origin. */
const DEFAULT_PORTS: StackPorts = { dynamo: 4567, cognito: 9229, app: 3000, connections: 3001 };
/** Where the stack keeps its data: `.local/` in the repository unless DATA_DIR says otherwise. */
const DATA_DIR = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : join(__dirname, '..', '.local');
/** A stop that takes longer than this ends the process anyway: `npm start` must free its ports promptly. */
const STOP_DEADLINE_MS = 1500;
/** How often we check that the process that started us (npm's shell) is still there. */
const PARENT_CHECK_MS = 250;
/** How often we check that the data dir (its lock file) still exists. */
const DATA_DIR_CHECK_MS = 500;

/** STEP_UP_MAX_AGE_SECONDS: how recent a sign-in the admin revoke routes need (short values show step-up). */
function stepUpFromEnv(): number {
  const raw = process.env.STEP_UP_MAX_AGE_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_STEP_UP_MAX_AGE_SECONDS;
  const { min, max } = STEP_UP_MAX_AGE_RANGE;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new EnvValueError('STEP_UP_MAX_AGE_SECONDS', `a whole number of seconds (${min}-${max})`, raw);
  }
  return value;
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new EnvValueError(name, 'a port number (0-65535)', raw);
  return port;
}

function summary(stack: OfflineStack, logs: 'pretty' | 'json', stepUpSeconds: number): string {
  const { outputs } = stack;
  const users = outputs.users.map(
    (u) => `    ${u.username.padEnd(20)} ${u.password.padEnd(16)} ${u.groups.join(', ')}`,
  );
  return [
    '',
    '  ############################################################################',
    '  #  DEVELOPMENT ONLY. cognito-local signs tokens with a PUBLIC private key   #',
    '  #  (it ships in the npm package): anyone can mint tokens this stack accepts. #',
    '  #  Never expose these ports, never trust this key anywhere else.            #',
    '  ############################################################################',
    '',
    `  App (open this)       ${outputs.appUrl}/`,
    `  REST API              ${outputs.apiUrl}/…   (e.g. ${outputs.apiUrl}/health)`,
    `  Signaling WebSocket   ${outputs.wsUrl}`,
    `  Login (cognito-local) ${outputs.hostedUiUrl}/oauth2/authorize`,
    `  DynamoDB (dynalite)   http://127.0.0.1:${stack.ports.dynamo}`,
    `  Outputs               ${join(DATA_DIR, 'stack.json')}`,
    `  Step-up window        ${stepUpSeconds} s (admin revokes need a sign-in this recent; STEP_UP_MAX_AGE_SECONDS)`,
    logs === 'pretty'
      ? '  Logs                  readable lines (`npm start -- --json` for JSON lines)'
      : '  Logs                  JSON lines (`npm start -- --pretty` for readable lines)',
    '',
    '  Demo users (username, password, groups):',
    ...users,
    '',
    `  Ctrl+C to stop. Data stays in ${DATA_DIR} (stop the stack, then delete it to start fresh).`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  // One short line per log event and metric on a terminal; JSON lines for a pipe (or as forced).
  const logs = logFormat(process.argv, process.stdout.isTTY === true);
  if (logs === 'pretty') prettyPrintOutput();
  const ports: StackPorts = {
    dynamo: portFromEnv('DYNAMO_PORT', DEFAULT_PORTS.dynamo),
    cognito: portFromEnv('COGNITO_PORT', DEFAULT_PORTS.cognito),
    app: portFromEnv('API_PORT', DEFAULT_PORTS.app),
    connections: portFromEnv('CONNECTIONS_PORT', DEFAULT_PORTS.connections),
    secrets: portFromEnv('SECRETS_PORT', 0),
  };
  const stepUpMaxAgeSeconds = stepUpFromEnv();
  // Before any port is probed: a second `npm start` names the running one instead of blaming a port.
  const lock = await acquireStackLock(DATA_DIR);
  const running: { stack?: OfflineStack; lock: StackLock } = { lock };
  let stopping = false;
  const shutdown = (why: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping the offline stack...`);
    setTimeout(() => {
      console.error(`the offline stack did not stop within ${STOP_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    (running.stack?.stop() ?? Promise.resolve()).then(
      () => running.lock.release().finally(() => process.exit(exitCode)),
      (error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  // `kill <pid of npm>` ends npm and its shell without passing the signal on: we notice our new parent and stop.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown('the process that started the stack exited');
  }, PARENT_CHECK_MS).unref();
  // Deleting the data dir under a running stack loses its users, secrets and sessions: every sign-in would fail.
  setInterval(() => {
    void lock.lost().then((lost) => {
      if (!lost || stopping) return;
      console.error(
        `error: ${DATA_DIR} was deleted while the stack was running; run \`npm start\` again to recreate and reseed it`,
      );
      shutdown('data dir deleted', 1);
    });
  }, DATA_DIR_CHECK_MS).unref();

  // Device binding on (docs/device-binding.md): the page signs every call with its key. DPOP_MODE=monitor|off to relax.
  process.env[AuthorizerEnv.dpopMode] ??= 'enforce';
  let stack: OfflineStack;
  try {
    stack = await startOfflineStack({ dataDir: DATA_DIR, ports, stepUpMaxAgeSeconds });
  } catch (error) {
    await lock.release();
    throw error;
  }
  running.stack = stack;
  if (stopping) return; // a signal arrived while starting: shutdown() stops what started
  console.log(summary(stack, logs, stepUpMaxAgeSeconds));
  console.log(`  ready: ${stack.outputs.appUrl}/`);
}

main().catch((error: unknown) => {
  // Expected start failures get one line, not a stack trace.
  console.error(error instanceof OfflineStartError ? `error: ${error.message}` : error);
  process.exit(1);
});
