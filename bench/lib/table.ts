// Plain-text tables for the terminal: one header row, columns padded, numbers right-aligned.

export type Cell = string | number | boolean | null | undefined;

export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (cell: Cell) => (cell === null || cell === undefined ? '-' : String(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => text(r[i]).length)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((cell, i) =>
        typeof cell === 'number' ? text(cell).padStart(widths[i]) : text(cell).padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `ok` / `MISSED` against a goal, for the last column. */
export function verdict(met: boolean | undefined): string {
  if (met === undefined) return '';
  return met ? 'ok' : 'MISSED';
}
