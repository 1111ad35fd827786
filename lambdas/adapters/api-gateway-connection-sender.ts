// ConnectionSender over the API Gateway @connections API: PostToConnection / DeleteConnection, 410 Gone = closed.

import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ServerFrame } from '../signaling/frames';
import type { ConnectionSender } from '../signaling/ports';

/** Talks to `https://{apiId}.execute-api.{region}.amazonaws.com/{stage}` (or the offline shim's endpoint). */
export class ApiGatewayConnectionSender implements ConnectionSender {
  private readonly client: ApiGatewayManagementApiClient;

  constructor(endpoint: string, client?: ApiGatewayManagementApiClient) {
    this.client = client ?? new ApiGatewayManagementApiClient({ endpoint, maxAttempts: 2 });
  }

  async send(connectionId: string, frame: ServerFrame): Promise<boolean> {
    const data = new TextEncoder().encode(JSON.stringify(frame));
    return this.delivered(
      this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data })),
    );
  }

  async close(connectionId: string): Promise<boolean> {
    return this.delivered(this.client.send(new DeleteConnectionCommand({ ConnectionId: connectionId })));
  }

  /** true when the call succeeded; false when the socket was already gone (the only error translated here). */
  private async delivered(call: Promise<unknown>): Promise<boolean> {
    try {
      await call;
      return true;
    } catch (error) {
      if (error instanceof GoneException) return false;
      throw error;
    }
  }
}
