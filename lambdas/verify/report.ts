// Renders a journey report: one `PASS|FAIL|SKIP <check> — <reason> (p50 N ms)` line per check, then `N passed, N failed`.

import type { JourneyReport } from './journey';

/** The report's lines, in check order; the last one is the `N passed, N failed` summary CI recognises. */
export function formatReport(report: JourneyReport): string[] {
  const lines = report.checks.map(
    (check) =>
      `${check.skipped ? 'SKIP' : check.passed ? 'PASS' : 'FAIL'} ${check.name} — ${check.reason}` +
      (check.p50Ms !== undefined ? ` (p50 ${check.p50Ms} ms)` : ''),
  );
  const delay = report.revocationDelayMs;
  lines.push(`revocation delay seen: ${delay === undefined ? 'none (never refused)' : `${delay} ms`}`);
  const skipped = report.checks.filter((check) => check.skipped).length;
  const passed = report.checks.filter((check) => check.passed && !check.skipped).length;
  if (skipped) lines.push(`${skipped} skipped`);
  lines.push(`${passed} passed, ${report.checks.length - passed - skipped} failed`);
  return lines;
}

/** True when every check passed or was skipped. */
export function journeyPassed(report: JourneyReport): boolean {
  return report.checks.every((check) => check.passed);
}
