// Reading one header of an authorizer event, where a repeated header is ambiguous and so malformed.

import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';

/** Case-insensitive header value (`name` in lower case); null when the header is sent more than once. */
export function singleHeader(
  event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders'>,
  name: string,
): string | undefined | null {
  const values = Object.entries(event.multiValueHeaders ?? {})
    .filter(([key]) => key.toLowerCase() === name)
    .flatMap(([, value]) => value ?? []);
  if (values.length > 1) return null;
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1] ?? values[0];
}
