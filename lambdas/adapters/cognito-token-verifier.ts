// TokenVerifier adapter over aws-jwt-verify: Cognito access tokens, JWKS cached per kid, library errors -> reason codes.

import { CognitoJwtVerifier } from 'aws-jwt-verify';
import * as errors from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { AccessClaims } from '../shared/claims';
import { authTimeInFuture } from '../shared/claims';
import { isThumbprint } from '../shared/dpop';
import type { TokenVerifier, VerifyResult } from '../shared/ports';
import type { ReasonCode } from '../shared/reasons';

export interface CognitoVerifierConfig {
  readonly userPoolId: string;
  /** The app client(s) whose access tokens are accepted. */
  readonly clientId: string | readonly string[];
  /** Fetch the JWKS from this URL instead of Cognito's own (offline stack, tests). @default Cognito's JWKS URL */
  readonly jwksUri?: string;
  /** JWKS request timeout. @default 3000 ms */
  readonly jwksTimeoutMs?: number;
}

type CognitoAccessVerifier = ReturnType<typeof createCognitoAccessVerifier>;

function createCognitoAccessVerifier(config: CognitoVerifierConfig) {
  const clientId = typeof config.clientId === 'string' ? config.clientId : [...config.clientId];
  const props = { userPoolId: config.userPoolId, tokenUse: 'access', clientId } as const;
  if (!config.jwksUri) return CognitoJwtVerifier.create(props);
  const fetcher = new RedirectingFetcher(config.jwksUri, config.jwksTimeoutMs ?? 3000);
  return CognitoJwtVerifier.create(props, { jwksCache: new SimpleJwksCache({ fetcher }) });
}

/** Fetches every JWKS request from one configured URL (http allowed), with a timeout. */
class RedirectingFetcher implements Fetcher {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async fetch(): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new errors.FetchError(this.url, (error as Error).message);
    }
    if (!response.ok) throw new errors.FetchError(this.url, `status ${response.status}`);
    return response.arrayBuffer();
  }
}

/** Verifies Cognito access tokens for one user pool and app client. Create once per process (JWKS cache). */
export class CognitoTokenVerifier implements TokenVerifier {
  private readonly verifier: CognitoAccessVerifier;

  constructor(config: CognitoVerifierConfig) {
    this.verifier = createCognitoAccessVerifier(config);
  }

  /** Preloads the JWKS (optional; the first verify fetches it otherwise). */
  async hydrate(): Promise<void> {
    await this.verifier.hydrate();
  }

  /** Seeds the JWKS cache with known keys, e.g. a JWKS shipped with the code; no fetch needed for these kids. */
  cacheJwks(jwks: Jwks): void {
    this.verifier.cacheJwks(jwks);
  }

  async verify(token: string): Promise<VerifyResult> {
    let payload: Record<string, unknown>;
    try {
      payload = await this.verifier.verify(token);
    } catch (error) {
      return { ok: false, reason: reasonFor(error) };
    }
    const claims = accessClaims(payload);
    // Every consumer (REST and `$connect` authorizers, `reauth`, the token handler) gets this check here.
    if (!claims || authTimeInFuture(claims)) return { ok: false, reason: 'ERR_TOKEN_CLAIMS' };
    return { ok: true, claims };
  }
}

/** Maps aws-jwt-verify errors to reason codes; the only place that knows the library's error classes. */
export function reasonFor(error: unknown): ReasonCode {
  if (error instanceof errors.JwtExpiredError) return 'ERR_TOKEN_EXPIRED';
  // ParameterValidationError at verify time means an issuer this verifier was not configured for.
  if (error instanceof errors.JwtInvalidClaimError || error instanceof errors.ParameterValidationError) {
    return 'ERR_TOKEN_CLAIMS';
  }
  if (
    error instanceof errors.JwtInvalidSignatureError ||
    error instanceof errors.JwtInvalidSignatureAlgorithmError ||
    error instanceof errors.KidNotFoundInJwksError ||
    error instanceof errors.WaitPeriodNotYetEndedJwkError ||
    error instanceof errors.JwkInvalidUseError ||
    error instanceof errors.JwkInvalidKtyError ||
    error instanceof errors.NotSupportedError
  ) {
    return 'ERR_TOKEN_SIGNATURE';
  }
  if (
    error instanceof errors.FetchError ||
    error instanceof errors.JwksNotAvailableInCacheError ||
    error instanceof errors.JwksValidationError ||
    error instanceof errors.JwkValidationError
  ) {
    return 'ERR_JWKS_UNAVAILABLE';
  }
  if (error instanceof errors.JwtBaseError) return 'ERR_TOKEN_MALFORMED';
  return 'ERR_JWKS_UNAVAILABLE'; // unexpected failure while verifying: fail closed, and alarm
}

/** Extracts typed claims; undefined (=> ERR_TOKEN_CLAIMS) when a required claim is missing or mistyped. */
function accessClaims(payload: Record<string, unknown>): AccessClaims | undefined {
  const { sub, username, jti, origin_jti, client_id, iat, auth_time, exp, scope } = payload;
  const groups = payload['cognito:groups'];
  if (typeof sub !== 'string' || !sub || typeof jti !== 'string' || !jti) return undefined;
  if (typeof client_id !== 'string' || typeof iat !== 'number' || typeof exp !== 'number') return undefined; // exp required
  if (origin_jti !== undefined && (typeof origin_jti !== 'string' || !origin_jti)) return undefined;
  if (auth_time !== undefined && typeof auth_time !== 'number') return undefined;
  if (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string')))
    return undefined;
  const jkt = confirmationKey(payload.cnf);
  if (jkt === null) return undefined; // a binding we cannot read is not "unbound": fail closed
  return {
    sub,
    username: typeof username === 'string' ? username : sub,
    jti,
    ...(origin_jti ? { originJti: origin_jti } : {}),
    clientId: client_id,
    iat,
    ...(auth_time !== undefined ? { authTime: auth_time } : {}),
    exp,
    groups: groups ?? [],
    scopes: typeof scope === 'string' && scope ? scope.split(' ') : [],
    ...(jkt ? { jkt } : {}),
  };
}

/** RFC 9449 §6.1 `cnf: { jkt }`: the thumbprint, undefined without `cnf`, null for any other shape. */
function confirmationKey(cnf: unknown): string | undefined | null {
  if (cnf === undefined) return undefined;
  const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>).jkt : undefined;
  return isThumbprint(jkt) ? jkt : null;
}
