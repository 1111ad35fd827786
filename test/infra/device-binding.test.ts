// Device binding in the template: the V2_0 pre token generation trigger exists only when the stage turns DPoP on.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GuardStack } from '../../lib/guard-stack';
import { loadStageConfig, StageConfigError } from '../../lib/stage-config';
import { testApp } from './test-app';

function template(stage: Record<string, unknown>): Template {
  const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig(stage) });
  return Template.fromStack(stack);
}

describe('device binding (stage option dpop)', () => {
  it.each(['monitor', 'enforce'])('attaches the pre token trigger with event version V2_0 in %s', (dpop) => {
    const t = template({ dpop });
    t.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: {
          LambdaArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreTokenFunction'), 'Arn'] },
          LambdaVersion: 'V2_0',
        },
      },
    });
    // Cognito may invoke it (and nothing else is granted to it).
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'cognito-idp.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp('PreTokenFunction'), 'Arn'] },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('pre token generation'),
      Timeout: 5,
    });
  });

  it('gives the authorizers the mode and the public AppUrl, and the auth function the mode', () => {
    const functions = Object.values(template({ dpop: 'enforce' }).findResources('AWS::Lambda::Function'));
    const envs = functions.map(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ??
        {},
    );
    const withMode = envs.filter((env) => env.DPOP_MODE === 'enforce');
    // REST authorizer, $connect authorizer, auth function.
    expect(withMode.length).toBeGreaterThanOrEqual(3);
    expect(withMode.filter((env) => env.APP_URL !== undefined).length).toBeGreaterThanOrEqual(2);
  });

  /** Roles allowed to PutItem, and on which leading keys, across every policy of the template. */
  function proofWriters(t: Template): { roles: string[]; leadingKeys: unknown[] } {
    const roles: string[] = [];
    const leadingKeys: unknown[] = [];
    for (const policy of Object.values(t.findResources('AWS::IAM::Policy'))) {
      const props = policy.Properties as {
        PolicyDocument: {
          Statement: {
            Action: string | string[];
            Resource: unknown;
            Condition?: Record<string, Record<string, unknown>>;
          }[];
        };
        Roles: { Ref: string }[];
      };
      for (const statement of props.PolicyDocument.Statement) {
        if (![statement.Action].flat().includes('dynamodb:PutItem')) continue;
        if (!JSON.stringify(statement.Resource).includes('"RevocationsTable')) continue;
        roles.push(...props.Roles.map((role) => role.Ref));
        leadingKeys.push(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']);
      }
    }
    return { roles: roles.sort(), leadingKeys };
  }

  it('lets every checker of proofs record used proof ids, on proof# items only (dpopReplayGuard: table, the default)', () => {
    const t = template({ dpop: 'enforce' });
    const { roles, leadingKeys } = proofWriters(t);
    // REST authorizer, $connect authorizer, signaling function (reauth), auth function: nothing else writes proofs.
    expect(roles).toHaveLength(4);
    expect(roles.join(' ')).toMatch(/Authorizer.*Authorizer/);
    expect(leadingKeys).toEqual(Array(4).fill(['proof#*']));
    const envs = Object.values(t.findResources('AWS::Lambda::Function')).map(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables ??
        {},
    );
    expect(envs.filter((env) => env.DPOP_REPLAY_GUARD === 'table').length).toBeGreaterThanOrEqual(3);
    expect(t.toJSON().Outputs.DeviceBindingReplayGuard.Value).toBe('table');
  });

  it('grants no proof writes with dpopReplayGuard: instance, nor with binding off', () => {
    expect(proofWriters(template({ dpop: 'enforce', dpopReplayGuard: 'instance' })).roles).toEqual([]);
    expect(proofWriters(template({})).roles).toEqual([]);
  });

  it('reports no unacknowledged cdk-nag finding with binding enforced (the trigger function included)', () => {
    const stack = new GuardStack(testApp(), 'CognitoGuard', { config: loadStageConfig({ dpop: 'enforce' }) });
    const report = new AwsSolutionsChecks(stack.node.root).validateScope(stack);
    const found = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`),
    );
    expect(found).toEqual([]);
  });

  it('attaches no trigger by default (off)', () => {
    const pools = template({}).findResources('AWS::Cognito::UserPool');
    for (const pool of Object.values(pools)) {
      expect((pool.Properties as { LambdaConfig?: unknown }).LambdaConfig).toBeUndefined();
    }
  });

  it('rejects a dpop value that is not off, monitor or enforce', () => {
    expect(() => loadStageConfig({ dpop: 'on' })).toThrow(StageConfigError);
  });

  it.each(['monitor', 'enforce'])(
    'refuses an authorizer result cache with dpop %s (a cached Allow would skip the proof check)',
    (dpop) => {
      expect(() => loadStageConfig({ dpop, authorizerCacheTtlSeconds: 60 })).toThrow(
        /authorizerCacheTtlSeconds 60 with dpop .*cached Allow.*without checking its DPoP proof/,
      );
      expect(loadStageConfig({ dpop, authorizerCacheTtlSeconds: 0 }).dpop).toBe(dpop);
      expect(loadStageConfig({ authorizerCacheTtlSeconds: 60 }).authorizerCacheTtlSeconds).toBe(60);
    },
  );

  it('rejects a dpopReplayGuard that is not table or instance', () => {
    expect(() => loadStageConfig({ dpop: 'enforce', dpopReplayGuard: 'redis' })).toThrow(/dpopReplayGuard/);
  });
});
