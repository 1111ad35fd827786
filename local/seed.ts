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
  UpdateUserPoolClientCommand,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CreateUserPoolClientCommandInput } from '@aws-sdk/client-cognito-identity-provider';
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
    for (const group of new Set(DEMO_USERS.flatMap((user) => user.groups))) {
      await ensureGroup(cognito, options.userPoolId, group);
    }
    for (const user of DEMO_USERS) await ensureUser(cognito, options.userPoolId, user);
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

async function ensureUser(cognito: CognitoIdentityProviderClient, userPoolId: string, user: DemoUser) {
  try {
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
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
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
