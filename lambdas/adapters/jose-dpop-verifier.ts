// DpopProofVerifier over jose: ES256 signature by the proof's embedded jwk, RFC 7638 thumbprint; errors -> reasons.

import { calculateJwkThumbprint, compactVerify, EmbeddedJWK, errors } from 'jose';
import type { JWK } from 'jose';
import type { DpopProofVerifier, ProofVerification } from '../shared/dpop';
import { DPOP_ALGORITHM } from '../shared/dpop';
import type { DpopReasonCode } from '../shared/reasons';

/** Stateless; one instance per process is enough. */
export class JoseDpopVerifier implements DpopProofVerifier {
  async verify(proof: string): Promise<ProofVerification> {
    try {
      // EmbeddedJWK refuses a jwk that is not a public key; `algorithms` refuses anything but ES256 (none, HS*, RS*).
      const { payload, protectedHeader } = await compactVerify(proof, EmbeddedJWK, {
        algorithms: [DPOP_ALGORITHM],
      });
      const claims: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
        return { ok: false, reason: 'ERR_DPOP_MALFORMED' };
      }
      const thumbprint = await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256');
      return { ok: true, proof: { payload: claims as Record<string, unknown>, thumbprint } };
    } catch (error) {
      return { ok: false, reason: reasonOf(error) };
    }
  }
}

/** The one place jose's errors become reason codes. */
function reasonOf(error: unknown): DpopReasonCode {
  if (error instanceof errors.JOSEAlgNotAllowed) return 'ERR_DPOP_ALG';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'ERR_DPOP_SIGNATURE';
  if (error instanceof errors.JWSInvalid && /jwk|JSON Web Key/i.test(error.message)) return 'ERR_DPOP_KEY';
  if (error instanceof errors.JOSENotSupported) return 'ERR_DPOP_KEY';
  if (error instanceof DOMException) return 'ERR_DPOP_KEY'; // WebCrypto refused to import the jwk (DataError)
  return 'ERR_DPOP_MALFORMED';
}
