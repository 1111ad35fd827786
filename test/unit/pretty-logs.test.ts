// The --pretty formatter: Powertools lines and EMF blobs as one short line; everything else untouched.

import { PassThrough } from 'node:stream';
import { formatLogLine, logFormat, prettyPrintOutput } from '../../local/pretty-logs';

const denied = JSON.stringify({
  level: 'WARN',
  message: 'auth denied',
  timestamp: '2026-11-23T12:00:01.361Z',
  service: 'authorizer',
  sampling_rate: 0,
  event: 'auth_denied',
  reason: 'ERR_TOKEN_EXPIRED',
  route: 'GET /me',
  sourceIp: '127.0.0.1',
  userAgent: 'curl/8',
  tokenFingerprint: '845e30448809',
});

const emf = JSON.stringify({
  _aws: {
    Timestamp: 1,
    CloudWatchMetrics: [
      {
        Namespace: 'CognitoGuard',
        Dimensions: [
          ['service', 'Reason'],
          ['service', 'Function'],
        ],
        Metrics: [{ Name: 'AuthDenied', Unit: 'Count' }],
      },
    ],
  },
  service: 'cognito-guard',
  Reason: 'ERR_TOKEN_EXPIRED',
  Function: 'authorizer',
  AuthDenied: 1,
});

describe('formatLogLine', () => {
  it('prints an auth_denied line as time, level, service, event, reason, route, IP and a short fingerprint', () => {
    expect(formatLogLine(denied)).toBe(
      '12:00:01 WARN  authorizer auth_denied ERR_TOKEN_EXPIRED GET /me 127.0.0.1 fp=845e…',
    );
  });

  it('summarises an EMF blob as metric Name{dimensions}=value without the constant service', () => {
    expect(formatLogLine(emf)).toBe('metric AuthDenied{Reason=ERR_TOKEN_EXPIRED,Function=authorizer}=1');
  });

  it('keeps other fields as key=value and an error as its name and message', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'session request failed',
      timestamp: '2026-11-23T12:00:02.000Z',
      service: 'auth',
      event: 'session_error',
      actor: 'admin:x',
      error: { name: 'TypeError', message: 'bad', stack: 'TypeError: bad\n at x' },
    });

    expect(formatLogLine(line)).toBe('12:00:02 ERROR auth session_error actor=admin:x error=TypeError: bad');
  });

  it.each([
    ['plain text', '  Demo page + REST API  http://localhost:3000/'],
    ['JSON that is not a log line', '{"hello":"world"}'],
    ['broken JSON', '{"level":'],
  ])('leaves %s unchanged', (_name, line) => {
    expect(formatLogLine(line)).toBe(line);
  });
});

describe('prettyPrintOutput', () => {
  it('formats whole lines, holds a partial line until its newline, and restores the stream', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let written = '';
    stream.write = (chunk: string | Uint8Array) => {
      written += String(chunk);
      return true;
    };

    const restore = prettyPrintOutput([stream]);
    stream.write(`${denied.slice(0, 40)}`);
    expect(written).toBe('');
    stream.write(`${denied.slice(40)}\nplain\n`);
    restore();

    expect(written).toBe(
      '12:00:01 WARN  authorizer auth_denied ERR_TOKEN_EXPIRED GET /me 127.0.0.1 fp=845e…\nplain\n',
    );
    stream.write(`${denied}\n`);
    expect(written.endsWith(`${denied}\n`)).toBe(true); // restored: raw JSON again
  });
});

describe('logFormat', () => {
  it.each([
    [[], true, 'pretty'],
    [[], false, 'json'],
    [['--json'], true, 'json'],
    [['--pretty'], false, 'pretty'],
    [['--pretty', '--json'], true, 'json'],
  ] as const)('with flags %p and a terminal %p prints %p', (argv, tty, expected) => {
    expect(logFormat(argv, tty)).toBe(expected);
  });
});
