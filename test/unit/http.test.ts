// Error responses of the REST handlers: a 401 or 403 carries its RFC 6750 challenge, other errors do not.
import { errorResponse } from '../../lambdas/shared/http';

describe('errorResponse', () => {
  it('adds the insufficient_scope challenge to a 403 ERR_FORBIDDEN', () => {
    const response = errorResponse(403, 'ERR_FORBIDDEN', 'requires group admins');
    expect(response.headers?.['WWW-Authenticate']).toBe(
      'Bearer realm="cognito-guard", error="insufficient_scope", error_description="ERR_FORBIDDEN"',
    );
    expect(JSON.parse(response.body)).toEqual({ error: 'ERR_FORBIDDEN', message: 'requires group admins' });
  });

  it('adds the invalid_token challenge to a 401 from a session route', () => {
    const response = errorResponse(401, 'ERR_REFRESH_REUSE', 'reused');
    expect(response.headers?.['WWW-Authenticate']).toContain('error_description="ERR_REFRESH_REUSE"');
  });

  it('adds no challenge to other errors', () => {
    expect(errorResponse(404, 'ERR_NOT_FOUND', 'no such route').headers).not.toHaveProperty(
      'WWW-Authenticate',
    );
  });
});
