// `npm run web:config -- cdk-outputs.json --redirect-uri https://app.example.com/`: the demo page for a deployment.
// Turns `cdk deploy --outputs-file` into the page's config.json and copies the page + its one vendor module into a
// folder any static server can serve at the root of an allowed origin.
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** What the page reads from `/config.json` (offline, local/stack.ts serves the same shape). */
export interface WebConfig {
  readonly apiUrl: string;
  readonly wsUrl: string | null;
  readonly hostedUiUrl: string;
  readonly tokenEndpoint: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Navigate to managed login's `/logout` after sign-out (its own session cookie goes too). */
  readonly followLogoutUrl: boolean;
  readonly users: readonly { username: string; groups: readonly string[] }[];
}

const REQUIRED = ['ApiUrl', 'HostedUiDomain', 'UserPoolId', 'UserPoolClientId', 'Region'] as const;

/** The config for one stack of a `--outputs-file` document; throws a one-line error when it cannot. */
export function webConfigFromOutputs(
  document: unknown,
  options: { readonly redirectUri: string; readonly stack?: string },
): WebConfig {
  if (typeof document !== 'object' || document === null)
    throw new Error('the outputs file is not a JSON object');
  const stacks = Object.entries(document as Record<string, Partial<Record<string, string>>>);
  const chosen = options.stack ? stacks.filter(([name]) => name === options.stack) : stacks;
  if (chosen.length !== 1) {
    const names = stacks.map(([name]) => name).join(', ') || 'none';
    throw new Error(`choose one stack with --stack (stacks in the file: ${names})`);
  }
  const [[name, outputs]] = chosen;
  const missing = REQUIRED.filter((key) => typeof outputs[key] !== 'string');
  if (missing.length) throw new Error(`stack ${name} lacks the outputs ${missing.join(', ')}`);
  const output = (key: (typeof REQUIRED)[number]): string => outputs[key] ?? '';
  if (!URL.canParse(options.redirectUri))
    throw new Error(`--redirect-uri is not a URL: ${options.redirectUri}`);
  const hostedUiUrl = output('HostedUiDomain').replace(/\/+$/, '');
  return {
    apiUrl: output('ApiUrl').replace(/\/+$/, ''),
    wsUrl: outputs.WebSocketUrl ?? null,
    hostedUiUrl,
    tokenEndpoint: `${hostedUiUrl}/oauth2/token`,
    region: output('Region'),
    userPoolId: output('UserPoolId'),
    clientId: output('UserPoolClientId'),
    redirectUri: options.redirectUri,
    followLogoutUrl: true,
    users: [],
  };
}

/** Why refresh will not work when page and API are on different sites (the cookie is SameSite=Strict). */
export function sameSiteWarning(config: WebConfig): string | undefined {
  const page = new URL(config.redirectUri).hostname;
  const api = new URL(config.apiUrl).hostname;
  const site = (host: string) => host.split('.').slice(-2).join('.'); // approximation; the PSL decides
  if (page === api || (site(page) === site(api) && !api.endsWith('.amazonaws.com'))) return undefined;
  return (
    `the page (${page}) and the API (${api}) are on different sites: the SameSite=Strict refresh cookie will not ` +
    'be sent, so silent refresh and session restore fail (sign-in, /me, signaling and sign-out still work). ' +
    'Serve both under one site: a custom domain for the API, or CloudFront in front of page and API.'
  );
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'redirect-uri': { type: 'string', default: 'http://localhost:3000/' },
      stack: { type: 'string' },
      out: { type: 'string', default: 'dist/web' },
    },
  });
  const [outputsFile] = positionals;
  if (!outputsFile) {
    throw new Error(
      'usage: npm run web:config -- <cdk-outputs.json> [--redirect-uri URL] [--stack NAME] [--out DIR]',
    );
  }
  const config = webConfigFromOutputs(JSON.parse(await readFile(outputsFile, 'utf8')), {
    redirectUri: values['redirect-uri'],
    stack: values.stack,
  });
  const root = join(__dirname, '..');
  const out = resolve(values.out);
  await mkdir(join(out, 'vendor'), { recursive: true });
  const pageFiles = (await readdir(join(root, 'web'))).filter((file) => /\.(html|js|css|svg)$/.test(file));
  for (const file of pageFiles) await copyFile(join(root, 'web', file), join(out, file));
  await copyFile(require.resolve('oauth4webapi'), join(out, 'vendor', 'oauth4webapi.js'));
  await writeFile(join(out, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  console.log(`wrote ${out} (${pageFiles.length} page files, vendor/oauth4webapi.js, config.json)`);
  console.log(
    `serve it at the root of ${new URL(config.redirectUri).origin}; CSP connect-src: 'self' ${new URL(config.apiUrl).origin}${config.wsUrl ? ` ${new URL(config.wsUrl).origin}` : ''}`,
  );
  const warning = sameSiteWarning(config);
  if (warning) console.warn(`warning: ${warning}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
