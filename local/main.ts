// `npm start`: the offline stack on fixed ports (env overrides), "ready" once it answers, clean stop on SIGINT/SIGTERM.
import { join, resolve } from 'node:path';
import { EnvValueError, OfflineStartError } from './errors';
import { prettyPrintOutput } from './pretty-logs';
import type { OfflineStack, StackPorts } from './stack';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { startOfflineStack } from './stack';

/** Defaults that avoid DynamoDB Local's 8000 and the usual dev-server ports; 3000 is the page's origin. */
const DEFAULT_PORTS: StackPorts = { dynamo: 4567, cognito: 9229, app: 3000, connections: 3001 };
/** Where the stack keeps its data: `.local/` in the repository unless DATA_DIR says otherwise. */
const DATA_DIR = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : join(__dirname, '..', '.local');
/** A stop that takes longer than this ends the process anyway: `npm start` must free its ports promptly. */
const STOP_DEADLINE_MS = 1500;
/** How often we check that the process that started us (npm's shell) is still there. */
const PARENT_CHECK_MS = 250;

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw new EnvValueError(name, 'a port number (0-65535)', raw);
  return port;
}

function summary(stack: OfflineStack): string {
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
    '',
    '  Demo users (username, password, groups):',
    ...users,
    '',
    `  Ctrl+C to stop. Data stays in ${DATA_DIR} (delete it to start fresh).`,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  // `npm start -- --pretty`: one short line per log event and metric instead of raw JSON.
  if (process.argv.includes('--pretty')) prettyPrintOutput();
  const ports: StackPorts = {
    dynamo: portFromEnv('DYNAMO_PORT', DEFAULT_PORTS.dynamo),
    cognito: portFromEnv('COGNITO_PORT', DEFAULT_PORTS.cognito),
    app: portFromEnv('API_PORT', DEFAULT_PORTS.app),
    connections: portFromEnv('CONNECTIONS_PORT', DEFAULT_PORTS.connections),
  };
  const running: { stack?: OfflineStack } = {};
  let stopping = false;
  const shutdown = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${why}: stopping the offline stack...`);
    setTimeout(() => {
      console.error(`the offline stack did not stop within ${STOP_DEADLINE_MS} ms: exiting anyway`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    (running.stack?.stop() ?? Promise.resolve()).then(
      () => process.exit(0),
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

  // Device binding on (docs/device-binding.md): the page signs every call with its key. DPOP_MODE=monitor|off to relax.
  process.env[AuthorizerEnv.dpopMode] ??= 'enforce';
  const stack = await startOfflineStack({ dataDir: DATA_DIR, ports });
  running.stack = stack;
  if (stopping) return; // a signal arrived while starting: shutdown() stops what started
  console.log(summary(stack));
  console.log(`  ready: ${stack.outputs.appUrl}/`);
}

main().catch((error: unknown) => {
  // Expected start failures get one line, not a stack trace.
  console.error(error instanceof OfflineStartError ? `error: ${error.message}` : error);
  process.exit(1);
});
