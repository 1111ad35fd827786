// Idempotent seed of the offline user pool: the web app client, the admins group and the demo users.
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUsersCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CreateUserPoolClientCommandInput } from '@aws-sdk/client-cognito-identity-provider';
import { ADMIN_GROUP } from '../lambdas/shared/routes';

export interface DemoUser {
  /** What you type on the login form (the pool signs in by email). */
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
}

/** Development-only credentials, printed at start and written to stack.json. */
export const DEMO_USERS: readonly DemoUser[] = [
  { username: 'alice@example.com', password: 'Alice-local-1!', groups: [] },
  { username: 'bob@example.com', password: 'Bob-local-1!', groups: [] },
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
}

/** Creates or updates everything the demo needs through cognito-local's Cognito API; returns the client id. */
export async function seedUserPool(options: SeedOptions): Promise<string> {
  const cognito = new CognitoIdentityProviderClient({
    endpoint: options.cognitoUrl,
    region: options.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const clientId = await ensureClient(cognito, options);
    await ensureGroup(cognito, options.userPoolId, ADMIN_GROUP);
    const existing = await existingEmails(cognito, options.userPoolId);
    for (const user of DEMO_USERS) await ensureUser(cognito, options.userPoolId, user, existing);
    return clientId;
  } finally {
    cognito.destroy();
  }
}

async function ensureClient(cognito: CognitoIdentityProviderClient, options: SeedOptions): Promise<string> {
  // Mirrors the CDK web client: public (no secret), code + PKCE, 15 min access/ID tokens, 7 day refresh tokens.
  const settings: CreateUserPoolClientCommandInput = {
    UserPoolId: options.userPoolId,
    ClientName: CLIENT_NAME,
    CallbackURLs: [options.redirectUri],
    LogoutURLs: [options.redirectUri],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    SupportedIdentityProviders: ['COGNITO'],
    ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    EnableTokenRevocation: true,
    AccessTokenValidity: 15,
    IdTokenValidity: 15,
    RefreshTokenValidity: REFRESH_TOKEN_DAYS,
    TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
  };
  const { UserPoolClients = [] } = await cognito.send(
    new ListUserPoolClientsCommand({ UserPoolId: options.userPoolId, MaxResults: 60 }),
  );
  const existing = UserPoolClients.find((client) => client.ClientName === CLIENT_NAME)?.ClientId;
  if (existing) {
    // The callback URL follows the API port, which may differ from the last run.
    await cognito.send(new UpdateUserPoolClientCommand({ ...settings, ClientId: existing }));
    return existing;
  }
  const created = await cognito.send(new CreateUserPoolClientCommand(settings));
  const clientId = created.UserPoolClient?.ClientId;
  if (!clientId) throw new Error('cognito-local created an app client without an id');
  return clientId;
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
