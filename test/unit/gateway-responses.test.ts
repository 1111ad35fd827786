// The gateway responses as data and their rendering: every denial renders a JSON body and its RFC 6750 challenge.
import {
  GATEWAY_RESPONSES,
  gatewayResponses,
  renderGatewayResponse,
} from '../../lambdas/shared/gateway-responses';
import {
  bearerChallenge,
  DPOP_REASON_CODES,
  REASON_CODES,
  REASON_MEANINGS,
} from '../../lambdas/shared/reasons';

describe('reason meanings', () => {
  it.each([...REASON_CODES])('keeps the %s message safe to substitute into a JSON template', (reason) => {
    // Gateway response templates substitute without escaping: a quote or backslash would break the JSON body.
    expect(REASON_MEANINGS[reason].message).toMatch(/^[^"\\]+$/);
  });

  it('challenges a missing credential without an error code (RFC 6750 §3.1)', () => {
    expect(bearerChallenge('ERR_TOKEN_MISSING')).toBe('Bearer realm="cognito-guard"');
  });

  it('challenges a bad token with invalid_token and the reason as error_description', () => {
    expect(bearerChallenge('ERR_TOKEN_REVOKED')).toBe(
      'Bearer realm="cognito-guard", error="invalid_token", error_description="ERR_TOKEN_REVOKED"',
    );
  });

  it('challenges a missing group with insufficient_scope and 403', () => {
    expect(REASON_MEANINGS.ERR_FORBIDDEN.status).toBe(403);
    expect(bearerChallenge('ERR_FORBIDDEN')).toContain('error="insufficient_scope"');
  });
});

describe('renderGatewayResponse', () => {
  it.each([...REASON_CODES])(
    'renders an authorizer denial for %s as 401, the static invalid_token challenge and the typed JSON body',
    (reason) => {
      const context = {
        reason,
        message: REASON_MEANINGS[reason].message,
        wwwAuthenticate: bearerChallenge(reason),
      };
      const rendered = renderGatewayResponse('ACCESS_DENIED', 403, { authorizer: context, message: 'x' });
      expect(rendered.statusCode).toBe(401);
      expect(rendered.headers).toEqual({
        'WWW-Authenticate': 'Bearer realm="cognito-guard", error="invalid_token"',
      });
      expect(JSON.parse(rendered.body)).toEqual({ error: reason, message: REASON_MEANINGS[reason].message });
    },
  );

  it.each([...DPOP_REASON_CODES])(
    'renders a device-binding denial for %s with both challenges when binding is on, the reason in the body',
    (reason) => {
      const context = { reason, message: REASON_MEANINGS[reason].message };
      const rendered = renderGatewayResponse('ACCESS_DENIED', 403, {
        authorizer: context,
        message: 'x',
        deviceBinding: true,
      });
      expect(rendered.statusCode).toBe(401);
      expect(rendered.headers).toEqual({
        'WWW-Authenticate':
          'Bearer realm="cognito-guard", error="invalid_token", DPoP realm="cognito-guard", algs="ES256"',
      });
      expect(JSON.parse(rendered.body)).toEqual({ error: reason, message: REASON_MEANINGS[reason].message });
    },
  );

  it('offers no DPoP challenge when binding is off', () => {
    expect(gatewayResponses(false).ACCESS_DENIED.headers['WWW-Authenticate']).not.toContain('DPoP');
  });

  it.each(Object.entries(GATEWAY_RESPONSES))(
    'maps %s headers from static values only (the header sources AWS documents; no context.authorizer.*)',
    (_type, definition) => {
      for (const mapping of Object.values(definition.headers)) expect(mapping).toMatch(/^'[^']*'$/);
    },
  );

  it('falls back to DEFAULT_5XX for a type we do not customise, keeping its status and message', () => {
    const rendered = renderGatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', 500, { message: null });
    expect(rendered).toEqual({
      statusCode: 500,
      headers: {},
      body: '{"error":"ERR_AUTHORIZER_CONFIGURATION_ERROR","message":null}',
    });
  });

  it('falls back to DEFAULT_4XX with a quoted message string', () => {
    const rendered = renderGatewayResponse('THROTTLED', 429, { message: 'Too Many Requests' });
    expect(rendered.statusCode).toBe(429);
    expect(JSON.parse(rendered.body)).toEqual({ error: 'ERR_THROTTLED', message: 'Too Many Requests' });
  });

  it('answers a route that does not exist with 404 ERR_NOT_FOUND instead of 403 Missing Authentication Token', () => {
    const rendered = renderGatewayResponse('MISSING_AUTHENTICATION_TOKEN', 403, {
      message: 'Missing Authentication Token',
    });
    expect(rendered.statusCode).toBe(404);
    expect(JSON.parse(rendered.body)).toEqual({ error: 'ERR_NOT_FOUND', message: 'no such route' });
  });

  it('renders every configured body as JSON', () => {
    for (const type of Object.keys(GATEWAY_RESPONSES)) {
      const rendered = renderGatewayResponse(type, 400, {
        authorizer: { reason: 'ERR_TOKEN_EXPIRED', message: 'm', wwwAuthenticate: 'Bearer' },
        message: 'm',
      });
      expect(() => JSON.parse(rendered.body) as unknown).not.toThrow();
    }
  });
});
