// Evaluates an authorizer's IAM policy against a method ARN the way API Gateway does (explicit Deny wins).
import type { PolicyDocument, Statement } from 'aws-lambda';

/** True when some statement allows `execute-api:Invoke` on the ARN and none denies it. */
export function policyAllows(policy: PolicyDocument | undefined, arn: string): boolean {
  const statements = (policy?.Statement ?? []).filter((statement) => appliesTo(statement, arn));
  if (statements.some((statement) => statement.Effect === 'Deny')) return false;
  return statements.some((statement) => statement.Effect === 'Allow');
}

function appliesTo(statement: Statement, arn: string): boolean {
  const action =
    'Action' in statement
      ? matches(statement.Action, 'execute-api:Invoke')
      : !matches(statement.NotAction, 'execute-api:Invoke');
  if ('Resource' in statement) return action && matches(statement.Resource, arn);
  if ('NotResource' in statement) return action && !matches(statement.NotResource, arn);
  return false;
}

function matches(patterns: string | string[] | undefined, value: string): boolean {
  return [patterns ?? []].flat().some((pattern) => wildcard(pattern, value));
}

/** IAM wildcards: `*` any run of characters, `?` exactly one. */
function wildcard(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, (char) => `\\${char}`)
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(value);
}
