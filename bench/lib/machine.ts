// What the figures were measured on: CPU, cores, memory, Node.js version, load average, date.
import { cpus, loadavg, totalmem, platform, release } from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  /** 1-minute load average when sampled; figures taken above ~1 on this many cores are noisy. */
  readonly loadAverage1m: number;
  readonly date: string;
}

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    date: new Date().toISOString(),
  };
}

export function loadAverage1m(): number {
  return Math.round(loadavg()[0] * 100) / 100;
}
