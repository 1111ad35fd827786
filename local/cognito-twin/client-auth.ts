// Client authentication of the Cognito twin: an app client with a secret must prove it (token endpoint, RevokeToken).
import { timingSafeEqual } from 'node:crypto';
import type { AppClient } from 'cognito-local/lib/services/appClient';

/** The client id and secret a token request carries: `Authorization: Basic` or `client_id`/`client_secret` in the body. */
export interface ClientCredentials {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The request carried both forms, or a Basic header that does not decode: refused. */
  readonly ambiguous: boolean;
}

/**
 * client_secret_basic (RFC 6749 §2.3.1: both parts form-urlencoded, then Base64) or client_secret_post; the token
 * endpoint page lists both the Basic header and the `client_secret` body parameter
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html).
 */
export function clientCredentials(
  authorization: string | undefined,
  body: Record<string, unknown>,
): ClientCredentials {
  const bodyId = typeof body.client_id === 'string' ? body.client_id : undefined;
  const bodySecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
  if (!authorization) return { clientId: bodyId, clientSecret: bodySecret, ambiguous: false };
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization);
  const decoded = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : '';
  const separator = decoded.indexOf(':');
  if (separator < 0 || bodySecret !== undefined) return { ambiguous: true };
  const clientId = decodeURIComponent(decoded.slice(0, separator).replace(/\+/g, ' '));
  const clientSecret = decodeURIComponent(decoded.slice(separator + 1).replace(/\+/g, ' '));
  if (bodyId !== undefined && bodyId !== clientId) return { ambiguous: true };
  return { clientId, clientSecret, ambiguous: false };
}

/** A client with a secret needs the exact secret; a public client needs none (a sent one is not checked). */
export function secretMatches(client: AppClient, presented: string | undefined): boolean {
  if (!client.ClientSecret) return true;
  if (presented === undefined) return false;
  const [expected, given] = [Buffer.from(client.ClientSecret), Buffer.from(presented)];
  return expected.length === given.length && timingSafeEqual(expected, given);
}
