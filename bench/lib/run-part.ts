// Child-process entry of one bench part: `run-part.ts <part> <out.json> [args...]`, result written as JSON to <out>.
import { writeFile } from 'node:fs/promises';
import { measureDecisionCost } from '../decision-cost';
import { measureDpopCost } from '../dpop-cost';
import { measureHeavyUser } from '../heavy-user';
import { countRoundTrips } from '../round-trips';
import { measureSignInCost } from '../sign-in-cost';

const PARTS: Record<string, (args: string[]) => Promise<unknown>> = {
  'decision-cost': ([bundle]) => measureDecisionCost(bundle),
  'round-trips': ([bundles]) => countRoundTrips(bundles),
  'sign-in-cost': () => measureSignInCost(),
  'heavy-user': () => measureHeavyUser(),
  'dpop-cost': () => measureDpopCost(),
};

async function main(): Promise<void> {
  const [part = '', out = '', ...args] = process.argv.slice(2);
  const run = PARTS[part];
  if (!run || !out)
    throw new Error(`usage: run-part.ts <${Object.keys(PARTS).join('|')}> <out.json> [args...]`);
  await writeFile(out, JSON.stringify(await run(args)));
  process.exit(0); // SDK keep-alive sockets and timers must not keep a finished part alive
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
