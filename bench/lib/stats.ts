// Small statistics and timing helpers: medians, percentiles and batch timing of a sync or async operation.

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function max(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), -Infinity);
}

/** Rounds for reports: 3 significant digits, no float noise in results.json. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const scale = 10 ** (digits - 1 - Math.floor(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

export interface BatchResult {
  /** Median over the batches of the per-operation time, in microseconds. */
  readonly usPerOp: number;
  readonly batches: readonly number[];
  readonly iterationsPerBatch: number;
}

export interface BatchOptions {
  /** Number of measured batches per operation. @default 9 */
  readonly batches?: number;
  /** Target duration of one batch. @default 120 ms */
  readonly batchMs?: number;
}

/** One operation: called again as soon as the previous call (or its promise) is done, like requests in a row. */
export type Operation = () => unknown;

async function runBatch(op: Operation, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const result = op();
    if (result instanceof Promise) await result;
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

/**
 * Times several operations in interleaved rounds (one batch of each per round), so a burst of load on a shared
 * machine hits every operation alike; each batch has a fixed iteration count calibrated during warm-up.
 */
export async function timeInterleaved(
  ops: readonly Operation[],
  options: BatchOptions = {},
): Promise<BatchResult[]> {
  const batchMs = options.batchMs ?? 120;
  const rounds = options.batches ?? 9;
  const sizes: number[] = [];
  for (const op of ops) {
    // Warm-up doubles as calibration: JIT, caches and keep-alive sockets settle before the measured batches.
    let n = 16;
    let spent = 0;
    while (spent < batchMs * 2) {
      const us = await runBatch(op, n);
      spent += (us * n) / 1e3;
      n = Math.max(n, Math.ceil((batchMs * 1e3) / us));
    }
    sizes.push(n);
  }
  const batches: number[][] = ops.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, op] of ops.entries()) batches[i].push(await runBatch(op, sizes[i]));
  }
  return ops.map((_, i) => ({
    usPerOp: median(batches[i]),
    batches: batches[i].map((b) => round3(b)),
    iterationsPerBatch: sizes[i],
  }));
}

function round3(value: number): number {
  return round(value, 3);
}
