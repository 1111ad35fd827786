// Room access control: who may be in a room and what the other members see of them (pluggable; docs/rooms.md).

import type { Connection } from './ports';

/** The claims a policy decides on: read from the verified token stored with the connection. */
export type Member = Pick<Connection, 'sub' | 'username' | 'displayName' | 'groups'>;

/** What one member of a room sees of another (besides the connection id it addresses signals to). */
export interface PeerView {
  readonly name: string;
}

/** Decides room membership; consulted on every join and on every relay, for both ends. */
export interface RoomPolicy {
  /** True when this member may be in the room. */
  mayJoin(room: string, member: Member): boolean;
  /** What the room's other members are shown of this member. */
  describe(room: string, member: Member): PeerView;
}

/** Prefix of a private room: `user:<sub>` admits only connections of that sub. */
export const PRIVATE_ROOM_PREFIX = 'user:';
/** Prefix of the Cognito group that admits to a group room: room `<name>` needs group `room-<name>`. */
export const ROOM_GROUP_PREFIX = 'room-';

/** The group a user needs to join a group room, or undefined for a private room. */
export function roomGroup(room: string): string | undefined {
  return room.startsWith(PRIVATE_ROOM_PREFIX) ? undefined : `${ROOM_GROUP_PREFIX}${room}`;
}

/**
 * The default policy. `user:<sub>` is private to that sub (an operator's browser and their robot signed in as the
 * same user); any other `<name>` admits members of group `room-<name>`. Peers see a display name (email when known,
 * else the username), never a sub, groups or token ids.
 */
export const namedRoomPolicy: RoomPolicy = {
  mayJoin(room, member) {
    const group = roomGroup(room);
    return group ? member.groups.includes(group) : room === `${PRIVATE_ROOM_PREFIX}${member.sub}`;
  },
  describe(_room, member) {
    return { name: member.displayName ?? member.username };
  },
};
