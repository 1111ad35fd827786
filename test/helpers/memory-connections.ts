// Test helper: an in-memory ConnectionStore + CheckedConnections and a recording ConnectionSender (core fakes).

import type { RevocationRecord } from '../../lambdas/shared/ports';
import type { ServerFrame } from '../../lambdas/signaling/frames';
import type {
  CheckedConnection,
  CheckedConnections,
  Connection,
  ConnectionSender,
  ConnectionStore,
  ConnectionToken,
  RoomAdd,
} from '../../lambdas/signaling/ports';

export class MemoryConnections implements ConnectionStore, CheckedConnections {
  readonly rows = new Map<string, Connection>();
  readonly rooms = new Map<string, Set<string>>();
  /** Deny-list entries by connection id (what a checked read returns with the row). */
  readonly revocations = new Map<string, RevocationRecord[]>();
  /** Every `get` call's ids, in order (a checked read is one round trip in the real adapter). */
  readonly reads: string[][] = [];
  /** Set to make every checked read throw (store outage). */
  failing = false;

  constructor(initial: readonly Connection[] = []) {
    for (const row of initial) {
      this.rows.set(row.connectionId, row);
      if (row.room) this.members(row.room).add(row.connectionId);
    }
  }

  async put(connection: Connection) {
    this.rows.set(connection.connectionId, connection);
  }
  async delete(connectionId: string) {
    const row = this.rows.get(connectionId);
    this.rows.delete(connectionId);
    return row;
  }
  async setRoom(connectionId: string, room: string | undefined) {
    const row = this.rows.get(connectionId);
    if (!row) return false;
    this.rows.set(connectionId, room === undefined ? omit(row, 'room') : { ...row, room });
    return true;
  }
  async updateToken(connectionId: string, token: ConnectionToken) {
    const row = this.rows.get(connectionId);
    if (!row) return false;
    this.rows.set(connectionId, { ...omit(omit(row, 'sessionId'), 'authTime'), ...token });
    return true;
  }
  async addMember(room: string, connectionId: string, maxMembers: number): Promise<RoomAdd> {
    const members = this.members(room);
    if (!members.has(connectionId) && members.size >= maxMembers) return 'full';
    members.add(connectionId);
    return { members: [...members] };
  }
  async removeMember(room: string, connectionId: string) {
    const members = this.members(room);
    members.delete(connectionId);
    return [...members];
  }
  async claimUserSocket(sub: string, connectionId: string, max: number) {
    const sockets = this.members(`sockets#${sub}`);
    if (!sockets.has(connectionId) && sockets.size >= max) return false;
    sockets.add(connectionId);
    return true;
  }
  async releaseUserSocket(sub: string, connectionId: string) {
    this.members(`sockets#${sub}`).delete(connectionId);
  }
  async listBySub(sub: string) {
    return [...this.rows.values()].filter((c) => c.sub === sub);
  }
  async listBySession(sessionId: string) {
    return [...this.rows.values()].filter((c) => c.sessionId === sessionId);
  }
  async get(connectionIds: readonly string[]) {
    if (this.failing) throw new Error('store down');
    this.reads.push([...connectionIds]);
    const found = new Map<string, CheckedConnection>();
    for (const id of connectionIds) {
      const row = this.rows.get(id);
      if (row) found.set(id, { connection: row, revocations: this.revocations.get(id) ?? [] });
    }
    return found;
  }
  async all() {
    return { checked: [...(await this.get([...this.rows.keys()])).values()], skipped: 0 };
  }

  private members(room: string): Set<string> {
    const members = this.rooms.get(room) ?? new Set<string>();
    this.rooms.set(room, members);
    return members;
  }
}

/** Records frames and closes; ids in `gone` answer like a 410. */
export class RecordingSender implements ConnectionSender {
  readonly sent: Array<{ to: string; frame: ServerFrame }> = [];
  readonly closed: string[] = [];
  constructor(readonly gone = new Set<string>()) {}

  async send(to: string, frame: ServerFrame) {
    if (this.gone.has(to)) return false;
    this.sent.push({ to, frame });
    return true;
  }
  async close(connectionId: string) {
    if (this.gone.has(connectionId)) return false;
    this.closed.push(connectionId);
    return true;
  }
}

/** A copy without one key (as a store that REMOVEs an attribute). */
export function omit<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  return Object.fromEntries(Object.entries(value).filter(([name]) => name !== key)) as Omit<T, K>;
}
