// HttpProbe over fetch: a Bearer or DPoP token (+ proof) in, the status and the JSON body out; a timeout so a hung API fails a check.

import type { DpopPresentation, HttpAnswer, HttpProbe } from '../verify/ports';

/** The header the session routes accept as CSRF proof from scripts (see lambdas/sessions/auth-core.ts). */
const CSRF_HEADER = 'X-CognitoGuard-CSRF';

export class FetchHttpProbe implements HttpProbe {
  constructor(private readonly timeoutMs = 5000) {}

  async request(
    method: 'GET' | 'POST',
    url: string,
    token?: string,
    dpop?: DpopPresentation,
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `${dpop ? 'DPoP' : 'Bearer'} ${token}`;
    if (dpop?.proof !== undefined) headers.dpop = dpop.proof;
    if (method === 'POST') headers[CSRF_HEADER] = '1';
    const response = await fetch(url, { method, headers, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }
}
