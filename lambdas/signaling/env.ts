// Environment variable names of the signaling functions (messages, sweep) and of every function that closes sockets.

export const SignalingEnv = {
  /** The connections table (see ConnectionTableSchema). */
  connectionsTable: 'CONNECTIONS_TABLE_NAME',
  /** The @connections endpoint: `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}`. */
  connectionsEndpoint: 'CONNECTIONS_ENDPOINT',
} as const;
