// cognito-local's code store, plus the `nonce` of the authorize request: Cognito "adds the nonce value to the ID
// token" (https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html); cognito-local drops it.
import { AuthorizationCodeStore } from 'cognito-local/lib/oauth2/authorizationCodeStore';
import type { StoredCode } from 'cognito-local/lib/oauth2/authorizationCodeStore';

/**
 * A stored code, the nonce its authorize request carried, and the `auth_time` its tokens get when that is not the
 * time of the exchange (a sign-in through the managed-login session cookie: managed-login-session.ts).
 */
export type NonceCode = StoredCode & { readonly nonce?: string; readonly authTime?: number };

const MAX_PENDING = 1000;

export class NonceCodeStore extends AuthorizationCodeStore {
  /** `<client_id> <state>` of a shown login form => its nonce (the form posts state back, not the nonce). */
  private readonly pending = new Map<string, string>();
  private readonly nonces = new Map<string, string>();
  private readonly authTimes = new Map<string, number>();

  /** Called for GET /oauth2/authorize, before cognito-local renders its form. */
  remember(clientId: unknown, state: unknown, nonce: unknown): void {
    if (typeof clientId !== 'string' || typeof state !== 'string' || typeof nonce !== 'string') return;
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value ?? '');
    this.pending.set(`${clientId} ${state}`, nonce);
  }

  override create(data: StoredCode, authTime?: number): string {
    const code = super.create(data);
    if (authTime !== undefined) this.authTimes.set(code, authTime);
    const key = `${data.clientId} ${data.state ?? ''}`;
    const nonce = this.pending.get(key);
    if (nonce !== undefined) {
      this.pending.delete(key);
      this.nonces.set(code, nonce);
    }
    return code;
  }

  override consume(code: string): NonceCode | null {
    const [nonce, authTime] = [this.nonces.get(code), this.authTimes.get(code)];
    this.nonces.delete(code);
    this.authTimes.delete(code);
    const data = super.consume(code);
    if (!data) return null;
    return {
      ...data,
      ...(nonce !== undefined ? { nonce } : {}),
      ...(authTime !== undefined ? { authTime } : {}),
    };
  }
}
