// Device names for "Your sessions": what bowser recognises in a User-Agent, and nothing made up when it does not.
import { deviceName } from '../../lambdas/sessions/device-name';

describe('deviceName', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36',
      'Chrome on Linux',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
      'Firefox on Windows',
    ],
    ['Mozilla/5.0 (Linux; Android 14) Chrome/130 bob-phone', 'Chrome on Android'],
    ['Mozilla/5.0 (X11; Linux x86_64) laptop', 'Linux'], // "Mozilla" is no browser's name
  ])('names %p as %p', (userAgent, name) => {
    expect(deviceName(userAgent)).toBe(name);
  });

  it.each([undefined, '', 'curl/8.5.0', 'x'])('rejects %p: no name rather than a guess', (userAgent) => {
    expect(deviceName(userAgent)).toBeUndefined();
  });
});
