// The OAuth scopes of the web app client: allowed on the client (CDK, offline seed) and asked for at sign-in.

/** OpenID Connect scopes only: API access is decided by our authorizer (groups, deny-list), not by scopes. */
export const WEB_CLIENT_SCOPES: readonly string[] = ['openid', 'email', 'profile'];
