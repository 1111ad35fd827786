// The EventBridge publisher over the real SDK against a local endpoint speaking PutEvents: wire shape and partial failure.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { revocationEvent } from '../../lambdas/shared/revocation-events';

const NOW = 1_800_000_000;
const event = revocationEvent(
  { scope: 'session', sessionId: 's1' },
  { scope: 'session', sub: 'u1', revokedAt: NOW, expiresAt: NOW + 60, reason: 'logout', actor: 'u1' },
  'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC',
);

interface Received {
  readonly target: string | undefined;
  readonly body: { Entries: Array<Record<string, unknown>> };
}

/** A PutEvents endpoint that records requests and answers with the given body. */
async function endpoint(answer: Record<string, unknown>) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        target: req.headers['x-amz-target'] as string | undefined,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const close = () => {
    client.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { received, client, close };
}

describe('EventBridgePublisher', () => {
  it('puts one entry on the named bus with source, detail-type, time and the JSON detail', async () => {
    const { received, client, close } = await endpoint({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    try {
      await new EventBridgePublisher('guard-bus', client).publish(event);
      expect(received).toHaveLength(1);
      expect(received[0].target).toBe('AWSEvents.PutEvents');
      expect(received[0].body.Entries).toEqual([
        {
          EventBusName: 'guard-bus',
          Source: 'cognito-guard',
          DetailType: 'Session Revoked',
          Time: NOW,
          Detail: JSON.stringify(event.detail),
        },
      ]);
    } finally {
      await close();
    }
  });

  it('fails when PutEvents answers 200 but refused the entry (FailedEntryCount)', async () => {
    const { client, close } = await endpoint({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    try {
      await expect(new EventBridgePublisher('guard-bus', client).publish(event)).rejects.toThrow(
        'PutEvents refused the event: InternalFailure',
      );
    } finally {
      await close();
    }
  });
});
