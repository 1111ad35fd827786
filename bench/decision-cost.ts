// Part 1: warm cost of one decision in one process, same token: RSA floor, aws-jwt-verify, our core, the whole handler.
import { createPublicKey, verify } from 'node:crypto';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { CognitoTokenVerifier } from '../lambdas/adapters/cognito-token-verifier';
import { DynamoRevocationStore } from '../lambdas/adapters/dynamo-revocation-store';
import { authorizeToken, type AuthorizeDeps } from '../lambdas/authorizer/authorize';
import { systemClock } from '../lambdas/shared/ports';
import { meEvent } from '../test/helpers/rest-authorizer';
import { accessTokenClaims, rsaTestKey, signRs256, TEST_CLIENT_ID, TEST_POOL_ID } from '../test/helpers/jwt';
import { startCountingEndpoint } from './lib/counting-endpoint';
import { round, timeInterleaved, type BatchResult, type Operation } from './lib/stats';
import { AuthorizerEnv } from '../lambdas/authorizer/env';
import { localAwsEnv } from '../local/aws-env';

const BENCH_IP = '198.51.100.7';

const HANDLER = 'authorizer handler (bundle, instant store)';

export interface DecisionCostRow {
  readonly name: string;
  readonly usPerOp: number;
  readonly vsFloor: number;
  readonly vsAwsJwtVerify: number;
  readonly batches: readonly number[];
  readonly iterationsPerBatch: number;
}

export interface DecisionCostResult {
  readonly rows: readonly DecisionCostRow[];
  /** Our core / aws-jwt-verify alone; goal <= 1.25. */
  readonly coreVsAwsJwtVerify: number;
  readonly store: string;
  readonly handlerModule: string;
  /** CPU time per handler call (user + system, both sides of loopback): the SDK's request cost, not waiting. */
  readonly handlerCpuUsPerOp: number;
  /** DynamoDB calls the handler made per decision while timed (must be 1). */
  readonly handlerDynamoCallsPerOp: number;
}

type Handler = (event: APIGatewayRequestAuthorizerEvent) => Promise<unknown>;

/**
 * The two baselines every CPU row is compared with, for one token: `floor`, the RS256 signature check alone (key
 * imported, bytes decoded), and `libraryOnly`, aws-jwt-verify's whole synchronous verify with its JWKS cached.
 */
export function verifyBaselines(
  key: ReturnType<typeof rsaTestKey>,
  token: string,
): { readonly floor: () => void; readonly libraryOnly: () => unknown } {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const signed = Buffer.from(`${header}.${payload}`);
  const sig = Buffer.from(signature, 'base64url');
  const publicKey = createPublicKey(key.privateKey);
  const floor = () => {
    if (!verify('RSA-SHA256', signed, publicKey, sig)) throw new Error('floor: bad signature');
  };
  const library = CognitoJwtVerifier.create({
    userPoolId: TEST_POOL_ID,
    tokenUse: 'access',
    clientId: TEST_CLIENT_ID,
  });
  library.cacheJwks({ keys: [key.publicJwk] } as unknown as Jwks);
  return { floor, libraryOnly: () => library.verifySync(token) };
}

/** `authorizerBundle`: the file built by cold-start (the same minified code CDK deploys). */
export async function measureDecisionCost(authorizerBundle: string): Promise<DecisionCostResult> {
  const key = rsaTestKey('bench-kid');
  const now = Math.floor(Date.now() / 1000);
  const token = signRs256(key, accessTokenClaims({ iat: now, exp: now + 3600 }));
  const jwks = { keys: [key.publicJwk] } as unknown as Jwks;

  const { floor, libraryOnly } = verifyBaselines(key, token);

  const verifier = new CognitoTokenVerifier({ userPoolId: TEST_POOL_ID, clientId: TEST_CLIENT_ID });
  verifier.cacheJwks(jwks);
  const deps: AuthorizeDeps = {
    verifier,
    revocations: { lookup: async () => [] }, // in-memory deny-list: nothing revoked
    clock: systemClock,
    requireSessionId: true,
    mode: 'enforce',
  };
  const core = async () => {
    const decision = await authorizeToken(token, deps);
    if (decision.effect !== 'Allow') throw new Error(`core: ${JSON.stringify(decision)}`);
  };

  // The whole handler: the deployed bundle, a store on loopback that answers GetItem at once with no item.
  const endpoint = await startCountingEndpoint({ jwks });
  Object.assign(process.env, {
    ...localAwsEnv({ region: 'us-east-1', dynamo: endpoint.url }),
    POWERTOOLS_SERVICE_NAME: 'authorizer',
    [AuthorizerEnv.userPoolId]: TEST_POOL_ID,
    [AuthorizerEnv.clientId]: TEST_CLIENT_ID,
    [AuthorizerEnv.revocationTable]: 'Revocations',
    [AuthorizerEnv.jwksUri]: endpoint.jwksUri,
    [AuthorizerEnv.requireSessionId]: 'true',
    [AuthorizerEnv.enforcementMode]: 'enforce',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS bundle, loaded after its env is set
  const { handler } = require(authorizerBundle) as { handler: Handler };
  const event = meEvent(`Bearer ${token}`, BENCH_IP);
  // The deny-list read alone (the same adapter, SDK v3 over loopback): what the handler adds to the core.
  const store = new DynamoRevocationStore('Revocations');
  const claims = { jti: 'jti-1', sub: 'aaaaaaaa-1111-2222-3333-444444444444', originJti: 'origin-jti-1' };
  const lookup = () => store.lookup(claims);
  const full = async () => {
    const result = (await handler(event)) as { principalId?: string };
    if (!result.principalId) throw new Error('handler: no policy');
  };

  const measured: [string, Operation][] = [
    ['crypto.verify RS256 (floor)', floor],
    ['aws-jwt-verify verifySync', libraryOnly],
    ['authorize core (in-memory deny-list)', core],
    ['DynamoDB GetItem alone (SDK, instant store)', lookup],
    [HANDLER, full],
  ];
  // Powertools writes an EMF line per handler decision: keep the serialisation, drop the terminal I/O.
  const restore = swallowStdout();
  let handlerCalls = 0;
  let handlerCpuUs = 0;
  const countedFull = async () => {
    const cpu = process.cpuUsage();
    await full();
    const used = process.cpuUsage(cpu);
    handlerCpuUs += used.user + used.system;
    handlerCalls++;
  };
  let results: BatchResult[];
  let handlerDynamoCalls: number;
  try {
    results = await timeInterleaved(measured.map(([name, op]) => (name === HANDLER ? countedFull : op)));
    const callsBefore = endpoint.counts().GetItem ?? 0;
    for (let i = 0; i < 20; i++) await full();
    handlerDynamoCalls = ((endpoint.counts().GetItem ?? 0) - callsBefore) / 20;
  } finally {
    restore();
  }
  measured.forEach(([name], i) => process.stderr.write(`  ${name}: ${round(results[i].usPerOp)} µs/op\n`));
  await endpoint.close();

  const floorUs = results[0].usPerOp;
  const libraryUs = results[1].usPerOp;
  return {
    rows: measured.map(([name], i) => ({
      name,
      usPerOp: round(results[i].usPerOp),
      vsFloor: round(results[i].usPerOp / floorUs),
      vsAwsJwtVerify: round(results[i].usPerOp / libraryUs),
      batches: results[i].batches,
      iterationsPerBatch: results[i].iterationsPerBatch,
    })),
    coreVsAwsJwtVerify: round(results[2].usPerOp / libraryUs),
    store:
      'in-process HTTP server on 127.0.0.1 answering GetItem at once with no item (not dynalite: its LevelDB would dominate)',
    handlerModule: authorizerBundle,
    handlerCpuUsPerOp: round(handlerCpuUs / handlerCalls),
    handlerDynamoCallsPerOp: round(handlerDynamoCalls),
  };
}

function swallowStdout(): () => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true;
  return () => {
    process.stdout.write = write;
  };
}
