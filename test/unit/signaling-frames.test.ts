// The signaling frame parser: exactly the documented fields, known actions and kinds, a size limit.

import { MAX_FRAME_BYTES, parseFrame } from '../../lambdas/signaling/frames';

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('parseFrame', () => {
  it.each([
    ['join', { action: 'join', room: 'r1' }],
    ['leave', { action: 'leave' }],
    ['reauth', { action: 'reauth', token: TOKEN }],
    ['reauth with a device proof', { action: 'reauth', token: TOKEN, proof: TOKEN }],
    [
      'an offer',
      { action: 'signal', to: 'abcDEF123=', kind: 'offer', payload: { type: 'offer', sdp: 'v=0' } },
    ],
    ['an answer without type', { action: 'signal', to: 'c1', kind: 'answer', payload: { sdp: 'v=0' } }],
    [
      'a candidate',
      {
        action: 'signal',
        to: 'c1',
        kind: 'candidate',
        payload: {
          candidate: 'candidate:1 1 udp 1 1.2.3.4 5 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: null,
        },
      },
    ],
  ])('accepts %s', (_name, frame) => {
    expect(parseFrame(JSON.stringify(frame))).toEqual({ ok: true, frame });
  });

  it.each([
    ['an empty frame', ''],
    ['non-JSON', 'hello'],
    ['a JSON array', '[]'],
    ['a JSON string', '"join"'],
    ['an unknown action', JSON.stringify({ action: 'shout' })],
    ['a missing action', JSON.stringify({ room: 'r1' })],
    ['join with an unknown field', JSON.stringify({ action: 'join', room: 'r1', admin: true })],
    ['join with a bad room', JSON.stringify({ action: 'join', room: 'a b' })],
    ['join with a long room', JSON.stringify({ action: 'join', room: 'r'.repeat(65) })],
    ['leave with a field', JSON.stringify({ action: 'leave', room: 'r1' })],
    [
      'a client-set from',
      JSON.stringify({ action: 'signal', to: 'c1', from: 'c9', kind: 'offer', payload: { sdp: 'x' } }),
    ],
    ['an unknown kind', JSON.stringify({ action: 'signal', to: 'c1', kind: 'bye', payload: {} })],
    [
      'a payload with an unknown field',
      JSON.stringify({ action: 'signal', to: 'c1', kind: 'offer', payload: { sdp: 'x', evil: 1 } }),
    ],
    [
      'an offer typed as answer',
      JSON.stringify({ action: 'signal', to: 'c1', kind: 'offer', payload: { type: 'answer', sdp: 'x' } }),
    ],
    [
      'a candidate without candidate',
      JSON.stringify({ action: 'signal', to: 'c1', kind: 'candidate', payload: { sdpMid: '0' } }),
    ],
    [
      'a fractional sdpMLineIndex',
      JSON.stringify({
        action: 'signal',
        to: 'c1',
        kind: 'candidate',
        payload: { candidate: 'c', sdpMLineIndex: 0.5 },
      }),
    ],
    ['a bad peer id', JSON.stringify({ action: 'signal', to: '../x', kind: 'offer', payload: { sdp: 'x' } })],
    ['an array payload', JSON.stringify({ action: 'signal', to: 'c1', kind: 'offer', payload: [] })],
    ['reauth with a non-JWT', JSON.stringify({ action: 'reauth', token: 'secret' })],
    [
      'reauth with a proof that is not a JWS',
      JSON.stringify({ action: 'reauth', token: TOKEN, proof: 'x y' }),
    ],
    [
      'reauth with an oversized proof',
      JSON.stringify({ action: 'reauth', token: TOKEN, proof: `a.b.${'c'.repeat(4096)}` }),
    ],
  ])('rejects %s as malformed', (_name, body) => {
    expect(parseFrame(body)).toMatchObject({ ok: false, code: 'ERR_FRAME_MALFORMED' });
  });

  it('rejects a frame over the size limit, counting UTF-8 bytes', () => {
    const sdp = 'é'.repeat(MAX_FRAME_BYTES / 2); // 2 bytes each: over the limit in bytes, under it in characters
    const body = JSON.stringify({ action: 'signal', to: 'c1', kind: 'offer', payload: { sdp } });
    expect(body.length).toBeLessThan(MAX_FRAME_BYTES + 100);
    expect(parseFrame(body)).toMatchObject({ ok: false, code: 'ERR_FRAME_TOO_LARGE' });
  });
});
