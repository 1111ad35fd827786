// Expected reasons the offline stack cannot start: `npm start` prints their message as one line, no stack trace.

export class OfflineStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A port the stack needs is taken; the message names the service and the env variable to change. */
export class PortInUseError extends OfflineStartError {
  constructor(service: string, port: number, envName: string) {
    super(`${service} cannot listen on port ${port}: it is already in use (set ${envName} to another port)`);
  }
}

/** Another process (probably another `npm start`) holds the DynamoDB data directory. */
export class DataDirInUseError extends OfflineStartError {
  constructor(dir: string) {
    super(`the DynamoDB data in ${dir} is locked by another process: stop the other offline stack first`);
  }
}

/** An environment variable holds a value `npm start` cannot use. */
export class EnvValueError extends OfflineStartError {
  constructor(name: string, expected: string, got: string) {
    super(`${name} must be ${expected}, got ${JSON.stringify(got)}`);
  }
}
