// The shim's evaluation of authorizer policies, as API Gateway does it: explicit Deny wins, wildcards match.
import type { PolicyDocument } from 'aws-lambda';
import { policyAllows } from '../../local/iam-policy';

const ARN = 'arn:aws:execute-api:us-east-1:000000000000:local/local/GET/me';

function policy(...statements: PolicyDocument['Statement']): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

const allow = (Resource: string | string[], Action: string | string[] = 'execute-api:Invoke') =>
  ({ Effect: 'Allow', Action, Resource }) as const;
const deny = (Resource: string) => ({ Effect: 'Deny', Action: 'execute-api:Invoke', Resource }) as const;

it.each([
  ['an exact Allow', policy(allow(ARN))],
  ['a stage wildcard Allow', policy(allow('arn:aws:execute-api:us-east-1:000000000000:local/local/*'))],
  ['an Allow among several resources', policy(allow(['arn:other', ARN]))],
  ['an Allow with a wildcard action', policy(allow(ARN, 'execute-api:*'))],
])('allows %s', (_name, document) => {
  expect(policyAllows(document, ARN)).toBe(true);
});

it.each([
  ['an empty policy', policy()],
  ['no policy at all', undefined],
  [
    'an Allow on another route',
    policy(allow('arn:aws:execute-api:us-east-1:000000000000:local/local/POST/me')),
  ],
  ['an Allow for another action', policy(allow(ARN, 'execute-api:ManageConnections'))],
  ['an explicit Deny next to an Allow', policy(allow('*'), deny(ARN))],
  ['a wildcard Deny', policy(allow(ARN), deny('arn:aws:execute-api:*'))],
])('denies %s', (_name, document) => {
  expect(policyAllows(document, ARN)).toBe(false);
});
