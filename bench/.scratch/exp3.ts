import { createServer } from 'node:http';
import { DynamoDBClient, BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
(async () => {
  let conns = 0;
  const s = createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }); r.end('{"Responses":{"R":[]},"UnprocessedKeys":{}}'); }); });
  s.on('connection', () => conns++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as any).port;
  for (const opts of [{}, { requestHandler: { connectionTimeout: 500, requestTimeout: 1500 } }]) {
    const c = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, ...opts });
    const cmd = () => c.send(new BatchGetItemCommand({ RequestItems: { R: { Keys: [{ pk: { S: 'x' } }], ConsistentRead: true } } }));
    for (let k = 0; k < 4; k++) { const n = 200; const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) await cmd(); console.log(JSON.stringify(opts).slice(0, 20), Number(process.hrtime.bigint() - t) / 1e3 / n, 'us', 'conns', conns); }
    c.destroy();
  }
  s.close();
})();
