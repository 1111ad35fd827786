import { startCountingEndpoint } from '../lib/counting-endpoint';
import { DynamoRevocationStore } from '../../lambdas/adapters/dynamo-revocation-store';
(async () => {
  const ep = await startCountingEndpoint({ jwks: {} });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'a',
    AWS_SECRET_ACCESS_KEY: 'b',
    AWS_ENDPOINT_URL_DYNAMODB: ep.url,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const store = new DynamoRevocationStore('Revocations');
  const claims = { jti: 'j', sub: 's', originJti: 'o' };
  for (let i = 0; i < 200; i++) await store.lookup(claims);
  const n = 500;
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await store.lookup(claims);
  const u = process.cpuUsage(cpu);
  console.log('wall us', Number(process.hrtime.bigint() - t) / 1e3 / n, 'cpu us', (u.user + u.system) / n);
  await ep.close();
})();
