// Idempotent seed of the offline user pool: the confidential web app client, the admins group and the demo users.
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUsersCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CreateUserPoolClientCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import { WEB_CLIENT_SCOPES } from '../lambdas/shared/oauth-scopes';
import { ADMIN_GROUP } from '../lambdas/shared/routes';

export interface DemoUser {
  /** What you type on the login form (the pool signs in by email). */
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
}

/** The demo page's signaling room `demo`: admitted by this group (lambdas/signaling/room-policy.ts). */
export const DEMO_ROOM_GROUP = 'room-demo';

/** Development-only credentials, printed at start and written to stack.json. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'alice@example.com', password: 'Alice-local-1!', groups: [DEMO_ROOM_GROUP] },
  { username: 'bob@example.com', password: 'Bob-local-1!', groups: [DEMO_ROOM_GROUP] },
  { username: 'admin@example.com', password: 'Admin-local-1!', groups: [ADMIN_GROUP] },
];

const CLIENT_NAME = 'web';

/** Refresh-token validity of the web client, as in the CDK stage default. */
export const REFRESH_TOKEN_DAYS = 7;

export interface SeedOptions {
  readonly cognitoUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly redirectUri: string;
  /** The refresh-token rotation grace period (RetryGracePeriodSeconds). */
  readonly rotationGraceSeconds: number;
  /**
   * Access and ID token lifetime. Cognito's minimum is 5 minutes
   * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html);
   * the emulator takes any, which tests use to watch refreshes. @default 900 (15 min, as the CDK stage)
   */
  readonly accessTokenValiditySeconds?: number;
}

/** The web app client: its id, and its secret (for the auth function only). */
export interface SeededClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Creates or updates everything the demo needs through the offline Cognito API; returns the web client. */
export async function seedUserPool(options: SeedOptions): Promise<SeededClient> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: options.cognitoUrl,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const client = await ensureClient(cognito, options);
    for (const group of new Set(DEMO_USERS.flatMap((user) => user.groups))) {
      await ensureGroup(cognito, options.userPoolId, group);
    }
    const existing = await existingEmails(cognito, options.userPoolId);
    for (const user of DEMO_USERS) await ensureUser(cognito, options.userPoolId, user, existing);
    return client;
  } finally {
    cognito.destroy();
  }
}

async function ensureClient(
  cognito: CognitoIdentityProviderClient,
  options: SeedOptions,
): Promise<SeededClient> {
  // Mirrors the CDK web client: confidential (secret), code + PKCE, no SRP, 15 min access/ID tokens, 7 day refresh
  // tokens rotated with a grace period.
  const settings: Omit<CreateUserPoolClientCommandInput, 'GenerateSecret'> = {
    UserPoolId: options.userPoolId,
    ClientName: CLIENT_NAME,
    CallbackURLs: [options.redirectUri],
    LogoutURLs: [options.redirectUri],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthFlowsUserPoolClient: true,
    // cognito-local has no resource servers: the twin grants the custom scopes the client allows (as Cognito does
    // once the resource server defines them).
    AllowedOAuthScopes: [...WEB_CLIENT_SCOPES],
    SupportedIdentityProviders: ['COGNITO'],
    // As deployed (lib/constructs/user-pool.ts): only the IAM-gated admin flow; with rotation on, Cognito refuses
    // REFRESH_TOKEN_AUTH, so refresh goes through the token endpoint.
    ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
    RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: options.rotationGraceSeconds },
    EnableTokenRevocation: true,
    AccessTokenValidity: options.accessTokenValiditySeconds ?? 15 * 60,
    IdTokenValidity: options.accessTokenValiditySeconds ?? 15 * 60,
    RefreshTokenValidity: REFRESH_TOKEN_DAYS,
    TokenValidityUnits: { AccessToken: 'seconds', IdToken: 'seconds', RefreshToken: 'days' },
  };
  const { UserPoolClients = [] } = await cognito.send(
    new ListUserPoolClientsCommand({ UserPoolId: options.userPoolId, MaxResults: 60 }),
  );
  const existing = UserPoolClients.find((client) => client.ClientName === CLIENT_NAME)?.ClientId;
  if (existing) {
    const { UserPoolClient } = await cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: options.userPoolId, ClientId: existing }),
    );
    if (UserPoolClient?.ClientSecret) {
      // The callback URL follows the API port, which may differ from the last run.
      await cognito.send(new UpdateUserPoolClientCommand({ ...settings, ClientId: existing }));
      return { clientId: existing, clientSecret: UserPoolClient.ClientSecret };
    }
    // A public client from an older data dir: a secret cannot be added to a client, so replace it.
    await cognito.send(
      new DeleteUserPoolClientCommand({ UserPoolId: options.userPoolId, ClientId: existing }),
    );
  }
  const created = await cognito.send(new CreateUserPoolClientCommand({ ...settings, GenerateSecret: true }));
  const { ClientId: clientId, ClientSecret: clientSecret } = created.UserPoolClient ?? {};
  if (!clientId || !clientSecret)
    throw new Error('the offline Cognito created an app client without id or secret');
  return { clientId, clientSecret };
}

async function ensureGroup(cognito: CognitoIdentityProviderClient, userPoolId: string, groupName: string) {
  const { Groups = [] } = await cognito.send(new ListGroupsCommand({ UserPoolId: userPoolId }));
  if (Groups.some((group) => group.GroupName === groupName)) return;
  await cognito.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: groupName }));
}

/** Emails of the pool's users: asking first keeps restarts quiet (cognito-local logs every refused create). */
async function existingEmails(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<Set<string>> {
  const emails = new Set<string>();
  let token: string | undefined;
  do {
    const page = await cognito.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken: token }));
    for (const user of page.Users ?? []) {
      const email = user.Attributes?.find((attribute) => attribute.Name === 'email')?.Value;
      if (email) emails.add(email);
    }
    token = page.PaginationToken;
  } while (token);
  return emails;
}

/** Creates the user if missing (`existing`: the pool's emails, listed once per seeding), (re)sets its password, adds its groups. */
export async function ensureUser(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  user: DemoUser,
  existing?: ReadonlySet<string>,
) {
  const emails = existing ?? (await existingEmails(cognito, userPoolId));
  if (!emails.has(user.username)) {
    await cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: user.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: user.username },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  }
  // Always reset: the printed password is the one that works.
  await cognito.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: user.username,
      Password: user.password,
      Permanent: true,
    }),
  );
  for (const group of user.groups) {
    await cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
    );
  }
}
