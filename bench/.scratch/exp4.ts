import { createServer } from 'node:http';
import { DynamoDBClient, BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
(async () => {
  const s = createServer((q, r) => { q.resume(); q.on('end', () => { r.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }); r.end('{"Responses":{"R":[]},"UnprocessedKeys":{}}'); }); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as any).port;
  const c = new DynamoDBClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const cmd = () => c.send(new BatchGetItemCommand({ RequestItems: { R: { Keys: [{ pk: { S: 'x' } }], ConsistentRead: true } } }));
  for (let i = 0; i < 100; i++) await cmd();
  const n = 300; const cpu = process.cpuUsage(); const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) await cmd();
  const wall = Number(process.hrtime.bigint() - t) / 1e3 / n; const u = process.cpuUsage(cpu);
  console.log('wall us', wall, 'cpu us', (u.user + u.system) / n);
  c.destroy(); s.close();
})();
