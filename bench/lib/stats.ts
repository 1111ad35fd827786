// Small statistics and timing helpers: medians, percentiles and batch timing of a sync or async operation.

/** Median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
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
  /** Number of measured batches. @default 7 */
  readonly batches?: number;
  /** Target duration of one batch. @default 150 ms */
  readonly batchMs?: number;
}

/**
 * Times `op` in batches of a fixed iteration count (calibrated during warm-up to last about `batchMs`) and reports
 * the median batch. `op` may return a promise; it is awaited before the next call, as one request after another.
 */
export async function timeBatches(op: () => unknown, options: BatchOptions = {}): Promise<BatchResult> {
  const batchMs = options.batchMs ?? 150;
  const runs = options.batches ?? 7;
  const run = async (n: number): Promise<number> => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const result = op();
      if (result instanceof Promise) await result;
    }
    return Number(process.hrtime.bigint() - start) / 1e3 / n;
  };
  // Warm-up doubles as calibration: JIT, caches and connection pools settle before the measured batches.
  let n = 16;
  let spent = 0;
  while (spent < batchMs * 2) {
    const us = await run(n);
    spent += (us * n) / 1e3;
    n = Math.max(n, Math.ceil((batchMs * 1e3) / us));
  }
  const batches: number[] = [];
  for (let i = 0; i < runs; i++) batches.push(await run(n));
  return { usPerOp: median(batches), batches: batches.map((b) => round(b)), iterationsPerBatch: n };
}
