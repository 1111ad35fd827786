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

/** Stops accepting connections, drops idle keep-alive sockets and waits for the close. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}
