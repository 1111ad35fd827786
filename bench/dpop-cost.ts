// Part 8: the DPoP proof check's CPU next to the RSA verify of the access token, and what each replay guard costs.
import { JoseDpopVerifier } from '../lambdas/adapters/jose-dpop-verifier';
import { MemoryReplayGuard } from '../lambdas/adapters/memory-replay-guard';
import { checkProof, type DpopDeps } from '../lambdas/shared/dpop';
import { systemClock } from '../lambdas/shared/ports';
import { newDeviceKey, proofFor } from '../test/helpers/dpop';
import { accessTokenClaims, rsaTestKey, signRs256 } from '../test/helpers/jwt';
import { verifyBaselines } from './decision-cost';
import { round, timeInterleaved } from './lib/stats';
import prices from './prices.json';

const URL_ME = 'https://app.example.com/api/me';

export interface DpopCostRow {
  readonly name: string;
  readonly usPerOp: number;
  readonly vsRsaFloor: number;
}

export interface DpopCostResult {
  readonly rows: readonly DpopCostRow[];
  /** The proof check over aws-jwt-verify's whole verify of the access token. */
  readonly proofVsAwsJwtVerify: number;
  /** The two replay guards (`dpopReplayGuard`): the table's write priced from prices.json, the memory's CPU. */
  readonly replayProtection: {
    readonly table: {
      readonly dynamoCallsPerRequest: number;
      readonly writeUnitsPerRequest: number;
      readonly usdPerMillionRequests: number;
      readonly vsOneReadUnit: number;
    };
    readonly instance: { readonly dynamoCallsPerRequest: number; readonly usPerRequest: number };
  };
  readonly method: string;
}

/** Warm cost per request of each check, same token and (for the proof) same key, in one process. */
export async function measureDpopCost(): Promise<DpopCostResult> {
  const key = rsaTestKey('bench-kid');
  const now = Math.floor(Date.now() / 1000);
  const token = signRs256(key, accessTokenClaims({ iat: now, exp: now + 3600 }));
  const { floor, libraryOnly } = verifyBaselines(key, token);

  const device = await newDeviceKey();
  // A proof is fresh per request in real use; iat stays inside the window for the whole run.
  const proof = await proofFor(device, { method: 'GET', url: URL_ME, accessToken: token, iat: now + 5 });
  const expected = { method: 'GET', url: URL_ME, accessToken: token, jkt: device.jkt };
  const deps: DpopDeps = { verifier: new JoseDpopVerifier(), clock: systemClock };
  const proofCheck = async () => {
    const decision = await checkProof(proof, expected, deps);
    if (!decision.ok) throw new Error(`proof: ${decision.reason}`);
  };
  const guard = new MemoryReplayGuard(systemClock);
  let n = 0;
  const withGuard = async () => {
    // A distinct jti per call would need a new signature per call; the guard's cost is its map lookup + insert.
    await guard.firstUse(device.jkt, `bench-${n++}`, now + 65);
  };
  const names = [
    'RS256 verify (node:crypto floor)',
    'aws-jwt-verify verifySync',
    'DPoP proof check (jose ES256 + rules)',
    'replay guard (memory)',
  ];
  const results = await timeInterleaved([floor, libraryOnly, proofCheck, withGuard]);
  const floorUs = results[0].usPerOp;
  const rows = results.map((r, i) => ({
    name: names[i],
    usPerOp: round(r.usPerOp, 3),
    vsRsaFloor: round(r.usPerOp / floorUs, 3),
  }));
  const { perMillionWriteRequestUnits: wru, perMillionReadRequestUnits: rru } = prices.dynamodb;
  return {
    rows,
    proofVsAwsJwtVerify: round(results[2].usPerOp / results[1].usPerOp, 3),
    replayProtection: {
      // The default: a conditional PutItem of a (jkt, jti) item under 1 KB, one write unit per proof (counted at the
      // wire in part 2's bound-token row).
      table: {
        dynamoCallsPerRequest: 1,
        writeUnitsPerRequest: 1,
        usdPerMillionRequests: wru,
        vsOneReadUnit: round(wru / rru, 3),
      },
      // `dpopReplayGuard: 'instance'`: the memory of one warm instance, no store call.
      instance: { dynamoCallsPerRequest: 0, usPerRequest: rows[3].usPerOp },
    },
    method:
      'medians of 9 interleaved warm batches in one process; one proof verified again and again (jose ES256 via WebCrypto, key import, RFC 7638 thumbprint, htm/htu/iat/ath rules); guard = map lookup + insert',
  };
}
