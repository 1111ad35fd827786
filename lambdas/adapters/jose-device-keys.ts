// DeviceKeys over jose: a non-extractable ES256 key pair and RFC 9449 proofs, for the verification journey.

import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accessTokenHash, DPOP_TYPE } from '../shared/dpop';
import type { DeviceKey, DeviceKeys, ProofRequest } from '../verify/ports';

/** Keys made with jose (WebCrypto P-256, private key not extractable), proofs signed as the page signs them. */
export class JoseDeviceKeys implements DeviceKeys {
  async create(): Promise<DeviceKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    return {
      jkt,
      proof: (request: ProofRequest) =>
        new SignJWT({
          jti: randomUUID(),
          htm: request.method,
          htu: request.url,
          iat: request.iat ?? Math.floor(Date.now() / 1000),
          ath: accessTokenHash(request.accessToken),
        })
          .setProtectedHeader({ typ: DPOP_TYPE, alg: 'ES256', jwk })
          .sign(privateKey),
    };
  }
}
