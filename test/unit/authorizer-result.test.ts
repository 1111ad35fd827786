// The denial a REST client reads: reason, sentence (with the scope and who ended the session) and challenge.
import { denialContext } from '../../lambdas/authorizer/result';

describe('denialContext', () => {
  it('names the scope and who ended the session of a revoked token', () => {
    const context = denialContext({
      effect: 'Deny',
      reason: 'ERR_TOKEN_REVOKED',
      scope: 'session',
      cause: 'admin',
    });
    // The page reads the cause after "): " (web/api.js revocationCause): keep the shape.
    expect(context.message).toBe('the token was revoked (scope session): an administrator ended it');
    expect(context.reason).toBe('ERR_TOKEN_REVOKED');
    expect(context.wwwAuthenticate).toContain('error="invalid_token"');
  });

  it.each([
    ['cognito-change', 'your account was changed in Cognito'],
    ['refresh-reuse', 'possible theft'],
    ['user', 'you ended it'],
  ] as const)('says who ended it for cause %p', (cause, words) => {
    const { message } = denialContext({ effect: 'Deny', reason: 'ERR_TOKEN_REVOKED', scope: 'user', cause });
    expect(message).toMatch(/^the token was revoked \(scope user\): /);
    expect(message).toContain(words);
  });

  it('says only the scope when the cause is unknown', () => {
    const { message } = denialContext({ effect: 'Deny', reason: 'ERR_TOKEN_REVOKED', scope: 'token' });
    expect(message).toBe('the token was revoked (scope token)');
  });
});
