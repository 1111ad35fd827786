// The one place a path changes offline: `/api/<route>` becomes the route-table path the REST shim matches.
import { apiRoutePath, EDGE_PATHS } from '../../lambdas/shared/edge';

describe('apiRoutePath', () => {
  it.each([
    ['/api/me', '/me'],
    ['/api/health', '/health'],
    ['/api/auth/refresh', '/auth/refresh'],
    ['/api/admin/users/abc/sessions', '/admin/users/abc/sessions'],
    ['/api/', '/'],
  ])('maps %s to %s', (edgePath, routePath) => {
    expect(apiRoutePath(edgePath)).toBe(routePath);
  });

  it.each([['/api'], ['/apim/me'], ['/me'], ['/'], ['/ws'], ['/API/me'], ['//api/me']])(
    'rejects %s (not under /api/)',
    (path) => {
      expect(apiRoutePath(path)).toBeUndefined();
    },
  );

  it('keeps the prefix the CloudFront behaviour uses', () => {
    expect(EDGE_PATHS.api).toBe('/api');
  });
});
