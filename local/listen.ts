// Listening and closing HTTP servers with a clear error when a port is taken.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PortInUseError } from './errors';

export interface ListenTarget {
  readonly service: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** The env variable that sets this port (for the error message). */
  readonly envName: string;
}

/** How long a request in flight may finish before `close` drops its connection. */
const CLOSE_GRACE_MS = 300;

/** Listens and resolves with the bound port. */
export function listen(server: Server, target: ListenTarget): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' ? new PortInUseError(target.service, target.port, target.envName) : error,
      );
    };
    server.once('error', onError);
    server.listen(target.port, target.host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting connections, drops idle keep-alive sockets at once and busy ones after a short grace. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    server.close((error) => {
      clearTimeout(force);
      if (error) reject(error);
      else resolve();
    });
    server.closeIdleConnections();
  });
}
