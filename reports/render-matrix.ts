import type { BaselineStatus, CellResult, CounterexampleOp, RunResults } from '../harness/run/results.js';
import { baselineLine } from './baseline-diff.js';
import { alsoLines, clip, errorCode, findingText, formatDuration, mutedLines } from './report-text.js';

const MAX_MESSAGE = 400;
const MAX_LABEL = 200;
const MAX_SCHEDULE_LINES = 20;

const ANSI = { red: '\x1b[31m', green: '\x1b[32m', yellow: '\x1b[33m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
type Paint = (code: keyof typeof ANSI, s: string) => string;

/**
 * Plain-text console report: the target × scenario matrix, each failing cell (one line for a
 * cell that failed as expected, the whole story of calls and statements for one that did not, or
 * for every failure with `verbose`) with its replay line and one line per further distinct
 * failure, the known findings each cell muted, and a summary line. With `firstInFull` (the demo)
 * the first expected failure is told in full and the others are counted, not listed.
 */
export function renderMatrix(results: RunResults, opts: { color?: boolean; verbose?: boolean; firstInFull?: boolean } = {}): string {
  const paint: Paint = opts.color ? (code, s) => `${ANSI[code]}${s}${ANSI.reset}` : (_code, s) => s;
  const cells = results.cells ?? [];
  const lines: string[] = [...matrixLines(results, paint), ''];
  if (results.baseline) {
    const b = results.baseline;
    lines.push(paint(b.gate && b.counts['new-failure'] ? 'red' : 'dim', baselineLine(b)));
    for (const c of cells.filter((x) => x.baseline === 'fixed')) {
      lines.push(
        paint(
          'green',
          `  fixed: ${safe(c.target)} × ${safe(c.scenario)}${c.baselineFailure ? ` (was ${safe(c.baselineFailure.invariant)})` : ''}`,
        ),
      );
    }
    for (const m of b.missingCells) lines.push(paint('dim', `  not run: ${safe(m.target)} × ${safe(m.scenario)} [${safe(m.mode)}]`));
    lines.push('');
  }

  const gate = !!results.baseline?.gate;
  const failed = cells.filter((c) => c.failure || c.error);
  // Expected failures are the demo's point, not news: a line each keeps a run on a screen or two.
  const brief = opts.verbose ? [] : failed.filter((c) => c.ok && c.failure && !c.error && !(gate && c.baseline === 'new-failure'));
  if (opts.firstInFull && brief.length) {
    lines.push(...failureBlock(brief[0]!, cells, paint, gate), '');
    const more = brief.slice(1);
    const found = more.reduce((n, c) => n + Math.max(1, c.failures?.length ?? 1), 0);
    if (found)
      lines.push(
        paint(
          'yellow',
          `${found} more expected failure${found === 1 ? '' : 's'} in ${more.length} other cell${more.length === 1 ? '' : 's'}: --verbose prints them all, the report has each one's replay`,
        ),
        '',
      );
  } else {
    for (const cell of brief) lines.push(briefLine(cell, cells, paint), ...also(cell), ...muted(cell, paint));
    if (brief.length) lines.push('');
  }
  for (const cell of failed.filter((c) => !brief.includes(c))) lines.push(...failureBlock(cell, cells, paint, gate), '');
  // A cell that passed only because its findings are muted still says so.
  const quiet = cells.filter((c) => !failed.includes(c) && muted(c, paint).length);
  for (const cell of quiet) lines.push(`${cellName(cell, cells)}: ${safe(cell.outcome)} apart from known findings`, ...muted(cell, paint));
  if (quiet.length) lines.push('');

  const s = results.summary ?? { cells: cells.length, ok: cells.filter((c) => c.ok).length, notOk: 0, trials: 0, calls: 0 };
  const summary = [
    `${s.ok}/${s.cells} cells met their expectation`,
    ...(s.budgetExhausted ? [`${s.budgetExhausted} cell${s.budgetExhausted === 1 ? '' : 's'} cut by the time budget (no verdict)`] : []),
    ...(results.interrupted
      ? [`interrupted (${safe(results.interrupted)}): ${s.notRun ?? 0} cell${s.notRun === 1 ? '' : 's'} not run`]
      : []),
    `${s.trials} trials`,
    `${s.calls} calls`,
    formatDuration(results.durationMs),
    `${safe(results.db?.kind ?? '?')} ${safe(results.db?.serverVersion ?? '?')}`,
  ].join(' · ');
  lines.push(paint(s.ok === s.cells ? 'green' : 'red', summary));
  return lines.join('\n') + '\n';
}

function matrixLines(r: RunResults, paint: Paint): string[] {
  const cells = r.cells ?? [];
  const targets = ordered(
    r.options?.targets,
    cells.map((c) => c.target),
  );
  const scenarios = ordered(
    r.options?.scenarios,
    cells.map((c) => c.scenario),
  );
  // One mode per run today; if a results file ever mixes modes, each gets its own column.
  const modes = [...new Set(cells.map((c) => c.mode))];
  const columns =
    modes.length > 1
      ? scenarios.flatMap((sc) =>
          modes.filter((m) => cells.some((c) => c.scenario === sc && c.mode === m)).map((mode) => ({ sc, mode, head: `${sc} [${mode}]` })),
        )
      : scenarios.map((sc) => ({ sc, mode: undefined as string | undefined, head: sc }));

  const grid = targets.map((t) =>
    columns.map((col) => {
      const cell = cells.find((c) => c.target === t && c.scenario === col.sc && (!col.mode || c.mode === col.mode));
      return cell
        ? { text: `${cell.ok && !gateFails(r, cell) ? '✓' : '✗'} ${shortStatus(cell)}${BASELINE_TAG[cell.baseline ?? 'unchanged']}`, cell }
        : { text: '-', cell: undefined };
    }),
  );
  const first = Math.max(0, ...targets.map((t) => width(safe(t))));
  const widths = columns.map((col, i) => Math.max(width(safe(col.head)), ...grid.map((row) => width(row[i]!.text))));

  const out = [[pad('', first), ...columns.map((col, i) => pad(safe(col.head), widths[i]!))].join('  ').trimEnd()];
  grid.forEach((row, ri) => {
    // Pad before colouring: escape codes have no width on screen.
    const tds = row.map((g, i) => {
      // The last column is not padded: trailing blanks inside colour codes would survive trimEnd.
      const padded = i === row.length - 1 ? g.text : pad(g.text, widths[i]!);
      if (!g.cell) return paint('dim', padded);
      return paint(g.cell.ok && !gateFails(r, g.cell) ? (g.cell.outcome === 'fail' ? 'yellow' : 'green') : 'red', padded);
    });
    out.push([pad(safe(targets[ri]!), first), ...tds].join('  ').trimEnd());
  });
  return out;
}

// Unchanged is the quiet case: only differences from the baseline are tagged.
const BASELINE_TAG: Record<BaselineStatus, string> = {
  'new-failure': ' NEW FAILURE',
  fixed: ' fixed',
  'still-failing': ' still failing',
  unchanged: '',
  'new-cell': ' new cell',
};

/** A cell that met its expectation but broke what the baseline passed, in a gated (--ci) run. */
function gateFails(r: RunResults, c: CellResult): boolean {
  return !!r.baseline?.gate && c.baseline === 'new-failure';
}

function cellName(cell: CellResult, all: CellResult[]): string {
  const mixedModes = new Set(all.map((c) => c.mode)).size > 1;
  return `${safe(cell.target)} × ${safe(cell.scenario)}${mixedModes ? ` [${cell.mode}]` : ''}`;
}

function where(f: NonNullable<CellResult['failure']>): string {
  return [[f.prismaCode, f.sqlstate].filter(Boolean).join('/'), f.constraint]
    .filter(Boolean)
    .map((x) => safe(x!))
    .join(' ');
}

/** `naive × log-before-create (expected): no-fk-error [23503 …], 1 call · replay: …` */
function briefLine(cell: CellResult, all: CellResult[], paint: Paint): string {
  const f = cell.failure!;
  const calls = f.counterexample?.ops?.length ?? 0;
  const w = where(f);
  return (
    paint(
      'yellow',
      `${cellName(cell, all)} (expected): ${safe(f.invariant)}${w ? ` [${w}]` : ''}, ${calls} call${calls === 1 ? '' : 's'}`,
    ) + ` · replay: ${safe(f.replay)}`
  );
}

function failureBlock(cell: CellResult, all: CellResult[], paint: Paint, gate: boolean): string[] {
  const name = cellName(cell, all);
  const fresh = cell.baseline === 'new-failure';
  const tag = `${cell.ok ? ' (expected)' : ''}${fresh ? ' (NEW FAILURE since the baseline)' : ''}`;
  if (gate && fresh) cell = { ...cell, ok: false };
  const out: string[] = [];
  const f = cell.failure;
  if (f) {
    const w = where(f);
    out.push(
      paint(cell.ok ? 'yellow' : 'red', `${name}${tag}: ${safe(f.invariant)} — ${clip(safe(f.message), MAX_MESSAGE)}${w ? ` [${w}]` : ''}`),
    );
    const ops = [...(f.counterexample?.ops ?? [])].sort((a, b) => a.invokedAt - b.invokedAt || a.client - b.client);
    for (const op of ops) out.push(`  ${opLine(op)}`);
    // The statement order is the story of a race; long schedules stay in the HTML report.
    const schedule = f.counterexample?.schedule ?? [];
    if (schedule.length) {
      out.push('  statements in order:');
      for (const step of schedule.slice(0, MAX_SCHEDULE_LINES)) out.push(`    ${clip(safe(step), MAX_LABEL)}`);
      if (schedule.length > MAX_SCHEDULE_LINES) out.push(`    … ${schedule.length - MAX_SCHEDULE_LINES} more in the report`);
    }
  }
  if (cell.error)
    out.push(paint(cell.ok ? 'yellow' : 'red', `${f ? '  error' : `${name}${tag}: error`} — ${clip(safe(cell.error), MAX_MESSAGE)}`));
  if (cell.note) out.push(paint('dim', `  note: ${safe(cell.note)}`));
  if (f) out.push(`  replay: ${safe(f.replay)}`);
  out.push(...also(cell), ...muted(cell, paint));
  return out;
}

function also(cell: CellResult): string[] {
  return alsoLines(cell).map((l) => `  ${safe(l)}`);
}

function muted(cell: CellResult, paint: Paint): string[] {
  return mutedLines(cell, MAX_LABEL).map((l) => paint('dim', `  ${safe(l)}`));
}

function opLine(op: CounterexampleOp): string {
  const e = op.error;
  const code = e
    ? [errorCode(e), e.constraint]
        .filter(Boolean)
        .map((x) => safe(x!))
        .join(' ')
    : '';
  return `${clip(safe(op.label), MAX_LABEL)} → ${safe(op.outcome)}${code ? ` ${code}` : ''}`;
}

function shortStatus(c: CellResult): string {
  if (c.error && !c.failure) return 'ERROR';
  if (c.outcome === 'budget-exhausted') return `BUDGET(${c.runs} trials)`;
  if (c.outcome === 'not-run') return 'NOT RUN';
  if (c.outcome === 'pass') return c.expected === 'fail' ? 'pass(UNEXPECTED)' : 'pass';
  return c.expected === 'fail' ? 'FAIL(expected)' : 'FAIL';
}

// Hostile input reaches messages and labels: a raw ESC or newline would repaint or break the terminal output.
function safe(s: string): string {
  return String(s ?? '')
    .replace(/\r?\n/g, ' ⏎ ')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0008\u000B-\u001F]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)))
    .replace(/[\u007F-\u009F]/g, '\uFFFD');
}

// Code points, not UTF-16 units, so ✓/✗ and non-BMP names align.
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

function ordered(preferred: string[] | undefined, seen: string[]): string[] {
  const present = new Set(seen);
  const out = (preferred ?? []).filter((x) => present.has(x));
  for (const x of seen) if (!out.includes(x)) out.push(x);
  return out;
}
