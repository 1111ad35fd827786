// RevocationPublisher over EventBridge PutEvents: one entry per revocation on our bus; partial failures are errors.

import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { RevocationEvent, RevocationPublisher } from '../shared/revocation-events';

/** Short timeouts and SDK retries (standard mode, jittered backoff): a revocation response must not hang on it. */
export function createEventBridgeClient(): EventBridgeClient {
  return new EventBridgeClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 500, requestTimeout: 1500 },
  });
}

export class EventBridgePublisher implements RevocationPublisher {
  constructor(
    private readonly eventBusName: string,
    private readonly client: EventBridgeClient = createEventBridgeClient(),
  ) {}

  async publish(event: RevocationEvent): Promise<void> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: event.source,
            DetailType: event.detailType,
            Time: new Date(event.time * 1000),
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    // PutEvents answers 200 even when an entry was refused: FailedEntryCount says so.
    if ((output.FailedEntryCount ?? 0) > 0) {
      const entry = output.Entries?.[0];
      throw new Error(`PutEvents refused the event: ${entry?.ErrorCode ?? 'unknown'}`);
    }
  }
}
