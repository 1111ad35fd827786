// `npm start`: the offline stack on fixed ports (env overrides), a short summary, clean shutdown on SIGINT/SIGTERM.
import { join } from 'node:path';
import { OfflineStartError } from './errors';
import { prettyPrintOutput } from './pretty-logs';
import type { OfflineStack, StackPorts } from './stack';
import { startOfflineStack } from './stack';

/** Defaults that avoid DynamoDB Local's 8000 and the usual dev-server ports; 3000 is the CDK default callback. */
const DEFAULT_PORTS: StackPorts = { dynamo: 4567, cognito: 9229, api: 3000, ws: 3001 };
/** `DATA_DIR` moves everything the stack stores (CI verifies a throwaway stack in a temp dir). */
const DATA_DIR = process.env.DATA_DIR || join(__dirname, '..', '.local');

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
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
    `  Demo page + REST API  ${outputs.apiUrl}/`,
    `  Login (cognito-local) ${outputs.hostedUiUrl}/oauth2/authorize`,
    `  Signaling WebSocket   ${outputs.wsUrl}`,
    `  DynamoDB (dynalite)   http://127.0.0.1:${stack.ports.dynamo}`,
    `  Outputs               ${join(DATA_DIR, 'stack.json')}`,
    '',
    '  Demo users (username, password, groups):',
    ...users,
    '',
    '  Ctrl+C to stop. Data stays in .local/ (delete it to start fresh).',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  // `npm start -- --pretty`: one short line per log event and metric instead of raw JSON.
  if (process.argv.includes('--pretty')) prettyPrintOutput();
  const stack = await startOfflineStack({
    dataDir: DATA_DIR,
    ports: {
      dynamo: portFromEnv('DYNAMO_PORT', DEFAULT_PORTS.dynamo),
      cognito: portFromEnv('COGNITO_PORT', DEFAULT_PORTS.cognito),
      api: portFromEnv('API_PORT', DEFAULT_PORTS.api),
      ws: portFromEnv('WS_PORT', DEFAULT_PORTS.ws),
    },
  });
  console.log(summary(stack));
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the offline stack...`);
    stack.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  // Expected start failures get one line, not a stack trace.
  console.error(error instanceof OfflineStartError ? `error: ${error.message}` : error);
  process.exit(1);
});
