// The default room policy: private rooms per sub, group rooms per Cognito group, what peers are shown.

import type { Member } from '../../lambdas/signaling/room-policy';
import { namedRoomPolicy, roomGroup } from '../../lambdas/signaling/room-policy';

const alice: Member = {
  sub: 'sub-alice',
  username: 'sub-alice',
  displayName: 'alice@example.com',
  groups: ['room-demo', 'admins'],
};

describe('namedRoomPolicy.mayJoin', () => {
  it.each<[string, string, Member, boolean]>([
    ['admits a user to their own private room', 'user:sub-alice', alice, true],
    ['refuses another user’s private room', 'user:sub-bob', alice, false],
    ['refuses a private room whose name only starts with the sub', 'user:sub-alice2', alice, false],
    ['admits a member of group room-<name>', 'demo', alice, true],
    ['refuses a non-member', 'robots', alice, false],
    ['never treats another group as a room group', 'admins', alice, false],
    ['refuses a member without groups', 'demo', { ...alice, groups: [] }, false],
  ])('%s', (_name, room, member, expected) => {
    expect(namedRoomPolicy.mayJoin(room, member)).toBe(expected);
  });
});

describe('namedRoomPolicy.describe', () => {
  it('shows the display name (email), never the sub or the groups', () => {
    const view = namedRoomPolicy.describe('demo', alice);
    expect(view).toEqual({ name: 'alice@example.com' });
  });

  it('falls back to the username when no display name is known', () => {
    expect(namedRoomPolicy.describe('demo', { ...alice, displayName: undefined })).toEqual({
      name: 'sub-alice',
    });
  });
});

it('names the group that admits to a room', () => {
  expect([roomGroup('demo'), roomGroup('user:sub-alice')]).toEqual(['room-demo', undefined]);
});
