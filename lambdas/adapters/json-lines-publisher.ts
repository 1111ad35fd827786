// RevocationPublisher for the offline stack: appends the envelope EventBridge would deliver as one JSON line to a file.

import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type {
  RevocationEvent,
  RevocationEventDetail,
  RevocationPublisher,
} from '../shared/revocation-events';

/** An event as an EventBridge target receives it (the `aws.events` envelope around our detail). */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601, second precision, as EventBridge writes it. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: RevocationEventDetail;
}

export interface JsonLinesPublisherOptions {
  /** The file to append to, e.g. `.local/events.jsonl`. */
  readonly file: string;
  readonly region: string;
  /** @default '000000000000' */
  readonly account?: string;
}

/** Wraps one event in the delivery envelope. */
export function deliveredEvent(
  event: RevocationEvent,
  where: { region: string; account: string },
  id: string = randomUUID(),
): DeliveredEvent {
  return {
    version: '0',
    id,
    'detail-type': event.detailType,
    source: event.source,
    account: where.account,
    time: new Date(event.time * 1000).toISOString().replace('.000Z', 'Z'),
    region: where.region,
    resources: [],
    detail: event.detail,
  };
}

export class JsonLinesPublisher implements RevocationPublisher {
  constructor(private readonly options: JsonLinesPublisherOptions) {}

  async publish(event: RevocationEvent): Promise<void> {
    const line = deliveredEvent(event, {
      region: this.options.region,
      account: this.options.account ?? '000000000000',
    });
    // One appendFile call per line: concurrent writers in this process never interleave within a line.
    await appendFile(this.options.file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
