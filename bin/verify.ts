// `npm run verify -- --outputs <file>`: runs the verification journey against a deployment and exits non-zero on failure.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { emulatorTokenForge } from '../local/emulator-token-forge';
import type { VerifyDeployment } from '../lambdas/verify/deployment';
import { parseOutputs } from '../lambdas/verify/deployment';
import { buildJourneyDeps } from '../lambdas/verify/deps';
import { runJourney } from '../lambdas/verify/journey';
import { formatReport, journeyPassed } from '../lambdas/verify/report';
import { tamperedTokenForge } from '../lambdas/verify/tampered-token-forge';

/** Default outputs file: the one `npm start` writes. */
export const DEFAULT_OUTPUTS = '.local/stack.json';

const USAGE = 'usage: npm run verify -- [--outputs <file>] [--stack <name>] [--repeat <n>]';

/** Runs the journey for the outputs file and prints one line per check; resolves the process exit code. */
export async function verify(argv: readonly string[], print: (line: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        outputs: { type: 'string', default: DEFAULT_OUTPUTS },
        stack: { type: 'string' },
        repeat: { type: 'string', default: '3' },
      },
    }));
  } catch (error) {
    print(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const repetitions = Number(values.repeat);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 50) {
    print(`--repeat must be an integer in 1..50\n${USAGE}`);
    return 2;
  }
  let deployment: VerifyDeployment;
  try {
    deployment = parseOutputs(JSON.parse(await readFile(values.outputs, 'utf8')), values.stack);
  } catch (error) {
    print(`cannot read ${values.outputs}: ${(error as Error).message}`);
    return 2;
  }
  // Offline the emulator's key is public, so refusable tokens can be validly signed; in AWS they are tampered.
  const forge = deployment.offlineCognitoUrl ? emulatorTokenForge : tamperedTokenForge;
  print(`verifying ${deployment.apiUrl} (${deployment.offlineCognitoUrl ? 'offline stack' : 'AWS'})`);
  const report = await runJourney(deployment, buildJourneyDeps(deployment, forge), { repetitions });
  for (const line of formatReport(report)) print(line);
  return journeyPassed(report) ? 0 : 1;
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void verify(process.argv.slice(2), (line) => console.log(line)).then((code) => {
    process.exitCode = code;
  });
}
