// The OAuth scopes of the web app client: allowed on the client (CDK, offline seed) and asked for at sign-in.

/** Identifier of the user pool's resource server for this API: custom scopes are `<identifier>/<name>`. */
export const RESOURCE_SERVER_ID = 'cognito-guard';

/** The resource server's custom scopes (name and description), as Cognito's `CreateResourceServer` takes them. */
export const API_SCOPES = {
  signaling: 'Open signaling WebSockets',
  admin: 'Call the admin routes (the admins group is still required)',
} as const;

/** `<resource server>/<scope name>`, as the access token's `scope` claim carries it. */
export function apiScope(name: keyof typeof API_SCOPES): string {
  return `${RESOURCE_SERVER_ID}/${name}`;
}

/** Required by `$connect`. */
export const SIGNALING_SCOPE = apiScope('signaling');
/** Required by the admin routes. */
export const ADMIN_SCOPE = apiScope('admin');

/** OpenID Connect scopes plus this API's custom scopes: a token asks for what the page may do with it. */
export const WEB_CLIENT_SCOPES: readonly string[] = [
  'openid',
  'email',
  'profile',
  SIGNALING_SCOPE,
  ADMIN_SCOPE,
];
