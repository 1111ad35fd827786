// Test helper: an in-memory ConnectionStore and a recording ConnectionSender (fakes for the signaling core).

import type { ServerFrame } from '../../lambdas/signaling/frames';
import type {
  Connection,
  ConnectionSender,
  ConnectionStore,
  ConnectionToken,
} from '../../lambdas/signaling/ports';

export class MemoryConnections implements ConnectionStore {
  readonly rows = new Map<string, Connection>();

  constructor(initial: readonly Connection[] = []) {
    for (const row of initial) this.rows.set(row.connectionId, row);
  }

  async put(connection: Connection) {
    this.rows.set(connection.connectionId, connection);
  }
  async get(connectionId: string) {
    return this.rows.get(connectionId);
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
    this.rows.set(connectionId, { ...omit(row, 'sessionId'), ...token });
    return true;
  }
  async listRoom(room: string) {
    return [...this.rows.values()].filter((c) => c.room === room);
  }
  async listBySub(sub: string) {
    return [...this.rows.values()].filter((c) => c.sub === sub);
  }
  async listBySession(sessionId: string) {
    return [...this.rows.values()].filter((c) => c.sessionId === sessionId);
  }
  async listExpired(nowSeconds: number) {
    return [...this.rows.values()].filter((c) => c.tokenExp <= nowSeconds);
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
