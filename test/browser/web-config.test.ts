// `npm run web:config`: the page's config.json from `cdk deploy --outputs-file`, and the same-site warning.
import { sameSiteWarning, webConfigFromOutputs } from '../../bin/web-config';

const OUTPUTS = {
  CognitoGuard: {
    ApiUrl: 'https://api.example.com/prod/',
    WebSocketUrl: 'wss://ws.example.com/prod',
    HostedUiDomain: 'https://guard-demo-login.auth.eu-west-1.amazoncognito.com',
    UserPoolId: 'eu-west-1_AbCdEfGhI',
    UserPoolClientId: 'client123',
    Region: 'eu-west-1',
  },
};

test('builds the page config from the stack outputs', () => {
  const config = webConfigFromOutputs(OUTPUTS, { redirectUri: 'https://app.example.com/' });
  expect(config).toEqual({
    apiUrl: 'https://api.example.com/prod',
    wsUrl: 'wss://ws.example.com/prod',
    hostedUiUrl: 'https://guard-demo-login.auth.eu-west-1.amazoncognito.com',
    tokenEndpoint: 'https://guard-demo-login.auth.eu-west-1.amazoncognito.com/oauth2/token',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_AbCdEfGhI',
    clientId: 'client123',
    redirectUri: 'https://app.example.com/',
    followLogoutUrl: true,
    users: [],
  });
  expect(sameSiteWarning(config)).toBeUndefined();
});

test('warns when page and API are on different sites (the SameSite=Strict cookie would not travel)', () => {
  const outputs = {
    CognitoGuard: {
      ...OUTPUTS.CognitoGuard,
      ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
    },
  };
  const config = webConfigFromOutputs(outputs, { redirectUri: 'http://localhost:3000/' });
  expect(sameSiteWarning(config)).toMatch(/different sites/);
});

test('rejects an outputs file without the stack outputs, or with several stacks and no --stack', () => {
  expect(() => webConfigFromOutputs({ Other: {} }, { redirectUri: 'https://app.example.com/' })).toThrow(
    /lacks the outputs ApiUrl/,
  );
  const two = { A: OUTPUTS.CognitoGuard, B: OUTPUTS.CognitoGuard };
  expect(() => webConfigFromOutputs(two, { redirectUri: 'https://app.example.com/' })).toThrow(/--stack/);
  expect(webConfigFromOutputs(two, { redirectUri: 'https://app.example.com/', stack: 'B' }).clientId).toBe(
    'client123',
  );
});
