// The admin's user lookup: users of the pool whose email starts with what the admin typed, one page at a time.

import type { Outcome } from '../sessions/outcome';
import { fail, ok, SessionErrorCode } from '../sessions/outcome';

/** What the admin panel shows of a user: enough to pick one, nothing secret. */
export interface DirectoryUser {
  readonly sub: string;
  readonly username: string;
  readonly email: string;
  readonly enabled: boolean;
  /** Cognito's `UserStatus` (CONFIRMED, FORCE_CHANGE_PASSWORD, ...). */
  readonly status: string;
}

export interface DirectoryPage {
  readonly users: readonly DirectoryUser[];
  /** Opaque cursor of the next page; absent on the last page. */
  readonly next?: string;
}

/** The user pool's directory. Outages throw (UpstreamError). */
export interface UserDirectory {
  /** Users whose email starts with `prefix` (case-sensitive, as Cognito's `^=` filter), `limit` at most. */
  findByEmailPrefix(prefix: string, limit: number, cursor?: string): Promise<DirectoryPage>;
}

/** Cognito's ListUsers returns at most 60 users per call. */
export const PAGE_SIZE = 20;
// Printable text without the quote and backslash that would escape Cognito's filter string.
const EMAIL_PREFIX = /^[^"\\\s\p{Cc}]{1,128}$/u;
const CURSOR = /^[A-Za-z0-9+/=_-]{1,2048}$/;

/** GET /admin/users?email=<prefix>[&next=<cursor>]: one page of matching users. */
export async function lookUpUsers(
  query: Readonly<Record<string, string | undefined>> | null,
  directory: UserDirectory,
): Promise<Outcome> {
  const email = query?.email?.trim();
  const next = query?.next;
  if (!email || !EMAIL_PREFIX.test(email)) {
    return fail(400, SessionErrorCode.badRequest, 'email must be 1-128 characters without quotes or spaces');
  }
  if (next !== undefined && !CURSOR.test(next)) {
    return fail(400, SessionErrorCode.badRequest, 'invalid page cursor');
  }
  const page = await directory.findByEmailPrefix(email, PAGE_SIZE, next);
  return ok({ email, users: page.users, ...(page.next ? { next: page.next } : {}) });
}
