// Cold-start wiring of events out: which publisher the env selects, and misconfiguration failing fast.
import { EventsEnv } from '../../lambdas/events/env';
import { buildRevocationPublishing } from '../../lambdas/events/publishing';
import { ConfigError } from '../../lambdas/shared/config';
import { createObservability } from '../../lambdas/shared/observability';
import { RevocationEventPublishing } from '../../lambdas/shared/revocation-events';

const obs = createObservability('test');
const issuer = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC';

describe('buildRevocationPublishing', () => {
  it('publishes nothing when the env names neither a bus nor a file', () => {
    expect(buildRevocationPublishing({}, obs)).toEqual([]);
  });

  it.each([
    ['a bus (AWS)', { [EventsEnv.eventBusName]: 'guard-bus' }],
    ['a file (offline)', { [EventsEnv.eventsFile]: '/tmp/events.jsonl', AWS_REGION: 'us-east-1' }],
  ])('builds one never-throwing publishing listener for %s', (_what, env) => {
    const listeners = buildRevocationPublishing({ ...env, [EventsEnv.issuer]: issuer }, obs);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toBeInstanceOf(RevocationEventPublishing);
  });

  it('fails fast when both a bus and a file are set', () => {
    const env = { [EventsEnv.eventBusName]: 'b', [EventsEnv.eventsFile]: 'f', [EventsEnv.issuer]: issuer };
    expect(() => buildRevocationPublishing(env, obs)).toThrow(ConfigError);
  });

  it('fails fast when the issuer is missing', () => {
    expect(() => buildRevocationPublishing({ [EventsEnv.eventBusName]: 'b' }, obs)).toThrow(
      `missing environment variable ${EventsEnv.issuer}`,
    );
  });
});
