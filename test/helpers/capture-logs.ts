// Test helper: capture everything written to stdout/stderr (Powertools writes JSON lines there) as parsed lines.

export interface CapturedLogs {
  /** Raw captured text, for "never contains" assertions. */
  text(): string;
  /** JSON lines that parsed as objects. */
  lines(): Array<Record<string, unknown>>;
  stop(): void;
}

export function captureLogs(): CapturedLogs {
  let text = '';
  const originals = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const intercept = (chunk: unknown, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = intercept;
  process.stderr.write = intercept;
  return {
    text: () => text,
    lines: () =>
      text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    stop: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}
