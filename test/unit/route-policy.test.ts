// The route-policy check: scopes first (403 insufficient_scope), then the sign-in age (401, RFC 9470 max_age).
import { policyRefusal, withStepUpAge } from '../../lambdas/shared/route-policy';

const NOW = 1_800_000_000;
const ADMIN = 'cognito-guard/admin';

describe('policyRefusal', () => {
  it('passes a token with every scope and a recent enough sign-in', () => {
    const policy = { scopes: [ADMIN], maxAuthAgeSeconds: 900 };
    expect(policyRefusal(policy, { scopes: ['openid', ADMIN], authTime: NOW - 900 }, NOW)).toBeUndefined();
    expect(policyRefusal({}, { scopes: [] }, NOW)).toBeUndefined();
  });

  it('refuses a missing scope with 403 and the RFC 6750 scope parameter', () => {
    expect(policyRefusal({ scopes: [ADMIN] }, { scopes: ['openid'], authTime: NOW }, NOW)).toEqual({
      status: 403,
      reason: 'ERR_FORBIDDEN',
      message: `requires scope ${ADMIN}`,
      wwwAuthenticate: `Bearer realm="cognito-guard", error="insufficient_scope", error_description="ERR_FORBIDDEN", scope="${ADMIN}"`,
    });
  });

  it('refuses an old sign-in with 401 insufficient_user_authentication and max_age', () => {
    const refusal = policyRefusal({ maxAuthAgeSeconds: 900 }, { scopes: [], authTime: NOW - 901 }, NOW);
    expect(refusal).toEqual({
      status: 401,
      reason: 'ERR_STEP_UP_REQUIRED',
      message: 'requires a sign-in within the last 900 seconds',
      wwwAuthenticate:
        'Bearer realm="cognito-guard", error="insufficient_user_authentication", error_description="ERR_STEP_UP_REQUIRED", max_age="900"',
    });
  });

  it('refuses a token without auth_time on a step-up route (fail closed)', () => {
    expect(policyRefusal({ maxAuthAgeSeconds: 900 }, { scopes: [] }, NOW)?.reason).toBe(
      'ERR_STEP_UP_REQUIRED',
    );
  });

  it('answers the scope first: signing in again would not add it', () => {
    const refusal = policyRefusal({ scopes: [ADMIN], maxAuthAgeSeconds: 60 }, { scopes: [] }, NOW);
    expect(refusal?.status).toBe(403);
  });
});

describe('withStepUpAge', () => {
  it('replaces the age of step-up routes only', () => {
    expect(withStepUpAge({ maxAuthAgeSeconds: 900 }, 60)).toEqual({ maxAuthAgeSeconds: 60 });
    expect(withStepUpAge({ scopes: [ADMIN] }, 60)).toEqual({ scopes: [ADMIN] });
  });
});
