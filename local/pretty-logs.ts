// `npm start` on a terminal (or `-- --pretty`): Powertools JSON log lines and EMF blobs as one short human line each.

type Json = Record<string, unknown>;

/** Readable log lines on a terminal, JSON lines when piped; `--pretty` or `--json` forces either. */
export function logFormat(argv: readonly string[], stdoutIsTty: boolean): 'pretty' | 'json' {
  if (argv.includes('--json')) return 'json';
  if (argv.includes('--pretty')) return 'pretty';
  return stdoutIsTty ? 'pretty' : 'json';
}

/** Printed right after the event, in this order and without a key (they are what one scans for). */
const POSITIONAL = ['reason', 'scope', 'route', 'sourceIp'] as const;
/** Powertools' envelope, already shown or noise on a terminal. */
const ENVELOPE = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'event',
  'userAgent',
  'xray_trace_id',
]);

/**
 * One log line as a human reads it, e.g. `12:00:01 WARN  authorizer auth_denied ERR_TOKEN_EXPIRED GET /me 127.0.0.1 fp=845e…`
 * (time in UTC). An EMF blob becomes `metric AuthDenied{Reason=ERR_TOKEN_EXPIRED}=1`; anything else is returned unchanged.
 */
export function formatLogLine(line: string): string {
  const parsed = parseObject(line);
  if (!parsed) return line;
  if (isEmf(parsed)) return formatMetrics(parsed);
  if (typeof parsed.level !== 'string' || typeof parsed.timestamp !== 'string') return line;
  const time = parsed.timestamp.slice(11, 19);
  const parts = [
    time,
    parsed.level.padEnd(5),
    text(parsed.service ?? ''),
    text(parsed.event ?? parsed.message ?? ''),
  ];
  for (const key of POSITIONAL) if (parsed[key] !== undefined) parts.push(text(parsed[key]));
  for (const [key, value] of Object.entries(parsed)) {
    if (ENVELOPE.has(key) || (POSITIONAL as readonly string[]).includes(key)) continue;
    if (key === 'tokenFingerprint') parts.push(`fp=${text(value).slice(0, 4)}…`);
    else if (key === 'error' && isObject(value))
      parts.push(`error=${text(value.name)}: ${text(value.message)}`);
    else parts.push(`${key}=${text(value)}`);
  }
  return parts.filter((part) => part !== '').join(' ');
}

/**
 * Rewrites everything written to stdout and stderr line by line through formatLogLine (partial lines are held
 * until their newline). Returns a function that restores the original writers.
 */
export function prettyPrintOutput(
  streams: NodeJS.WriteStream[] = [process.stdout, process.stderr],
): () => void {
  const restores = streams.map((stream) => {
    const original = stream.write.bind(stream);
    let pending = '';
    stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
      pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      if (lines.length === 0) {
        callback?.();
        return true;
      }
      return original(lines.map((line) => `${formatLogLine(line)}\n`).join(''), 'utf8', callback);
    };
    return () => {
      if (pending) original(formatLogLine(pending));
      stream.write = original;
    };
  });
  return () => restores.forEach((restore) => restore());
}

function formatMetrics(blob: Json & { _aws: { CloudWatchMetrics: EmfDirective[] } }): string {
  return blob._aws.CloudWatchMetrics.flatMap((directive) => {
    // Dimension names across all sets, minus the constant `service`.
    const names = [...new Set(directive.Dimensions.flat())].filter((name) => name !== 'service');
    const dimensions = names.map((name) => `${name}=${String(blob[name])}`).join(',');
    return directive.Metrics.map(
      (metric) => `metric ${metric.Name}{${dimensions}}=${String(blob[metric.Name])}`,
    );
  }).join('\n');
}

interface EmfDirective {
  readonly Dimensions: string[][];
  readonly Metrics: { readonly Name: string }[];
}

function isEmf(value: Json): value is Json & { _aws: { CloudWatchMetrics: EmfDirective[] } } {
  const aws = value._aws;
  return isObject(aws) && Array.isArray(aws.CloudWatchMetrics);
}

function parseObject(line: string): Json | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Strings as they are, anything else as JSON. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
