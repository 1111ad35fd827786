// Environment variable names of the signaling functions (messages, sweep) and of every function that closes sockets.

export const SignalingEnv = {
  /** The connections table (see ConnectionTableSchema). */
  connectionsTable: 'CONNECTIONS_TABLE_NAME',
  /** The @connections endpoint: `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`. */
  connectionsEndpoint: 'CONNECTIONS_ENDPOINT',
  /** Most sockets one user may have open at once (`$connect` refuses more). @default 10 */
  maxConnectionsPerUser: 'MAX_CONNECTIONS_PER_USER',
} as const;

/** A user's tabs and devices, with room to spare; one user can't hold the stage's connections. */
export const DEFAULT_MAX_CONNECTIONS_PER_USER = 10;
