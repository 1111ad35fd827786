// Test helper: IAM statements as sorted `action resource` pairs, for exact least-privilege assertions on a template.

/** One statement of a synthesized policy document. */
export interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** `action resource` with the resource as JSON: one grant, comparable across templates. */
export function pair(action: string, resource: unknown): string {
  return `${action} ${JSON.stringify(resource)}`;
}

/** Every `action resource` pair of `statements`, sorted, whatever way CDK merged the statements. */
export function grantPairs(statements: readonly Statement[]): string[] {
  return statements
    .flatMap((s) =>
      [s.Action].flat().flatMap((action) => [s.Resource].flat().map((resource) => pair(action, resource))),
    )
    .sort();
}

/** The `execute-api:ManageConnections` resource of the signaling API's `ws` stage (`@connections` of every socket). */
export function connectionsArn(apiLogicalId: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':execute-api:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':',
        { Ref: apiLogicalId },
        '/ws/*/@connections/*',
      ],
    ],
  };
}
