import type { CellResult } from '../harness/run/results.js';
import type { Reporter, TrialProgress } from '../harness/run/reporter.js';
import { formatDuration } from './report-text.js';

// Ten repaints a second reads as live; more only costs terminal bandwidth when trials take microseconds.
const MIN_REDRAW_MS = 100;
const CLEAR_LINE = '\r\x1b[K';
// Off a TTY (CI logs): a cell whose calls keep timing out may run for minutes; a line this often shows it is alive.
const PLAIN_PROGRESS_MS = 30_000;

/** Live progress: on a TTY one status line rewritten as trials run, elsewhere (CI logs) one plain line per finished cell. */
export function createProgressReporter(opts: {
  out: NodeJS.WriteStream | NodeJS.WritableStream;
  tty: boolean;
  /** Clock for the redraw throttle; tests pass a fake one. */
  now?: () => number;
}): Reporter {
  const now = opts.now ?? Date.now;
  let cellCount = 0;
  let ended = 0;
  const started = new Map<string, number>();
  let shown = false;
  let lastDraw = -Infinity;
  let lastKey = '';
  /** Off a TTY: when each running cell last printed a line (or started). */
  const plainSince = new Map<number, number>();

  const clear = () => {
    if (opts.tty && shown) opts.out.write(CLEAR_LINE);
    shown = false;
  };

  return {
    onRunStart(run) {
      cellCount = run.cells.length;
      ended = 0;
      started.clear();
    },
    onCellStart(cell) {
      cellCount = cell.cellCount || cellCount;
      started.set(key(cell), cell.cellIndex);
    },
    onTrial(p) {
      const t = now();
      if (!opts.tty) {
        const since = plainSince.get(p.cellIndex) ?? plainSince.set(p.cellIndex, t).get(p.cellIndex)!;
        if (t - since >= PLAIN_PROGRESS_MS) {
          plainSince.set(p.cellIndex, t);
          opts.out.write(`${statusLine(p)}\n`);
        }
        return;
      }
      // A new cell or a change of phase is worth drawing at once; plain trial counts wait for the throttle.
      const phase = `${p.cellIndex}|${p.failed}|${p.shrinking}`;
      if (shown && phase === lastKey && t - lastDraw < MIN_REDRAW_MS) return;
      lastDraw = t;
      lastKey = phase;
      shown = true;
      opts.out.write(CLEAR_LINE + fit(statusLine(p), columns(opts.out)));
    },
    onCellEnd(cell) {
      const index = started.get(key(cell)) ?? ended;
      ended++;
      if (opts.tty) {
        clear();
        return;
      }
      opts.out.write(
        `[${index + 1}/${cellCount || '?'}] ${safe(cell.target)} × ${safe(cell.scenario)}: ${verdict(cell)} in ${formatDuration(cell.durationMs)}, ${cell.runs} trials\n`,
      );
    },
    onRunEnd() {
      clear();
    },
  };
}

function statusLine(p: TrialProgress): string {
  const trials = p.plannedTrials > 0 ? `${p.trials}/${p.plannedTrials}` : `${p.trials}`;
  const phase = p.shrinking ? '  shrinking…' : p.failed ? '  failed' : '';
  return `[${p.cellIndex + 1}/${p.cellCount}] ${safe(p.target)} × ${safe(p.scenario)}  ${trials} trials${phase}  ${formatDuration(p.elapsedMs)}`;
}

function verdict(c: CellResult): string {
  const more = Math.max(0, (c.failures?.length ?? 0) - 1);
  const muted = (c.muted ?? []).filter((m) => m.trials > 0).length;
  const rerun = c.infraRetries ?? 0;
  const extra =
    `${more ? `, ${more} more distinct failure${more === 1 ? '' : 's'}` : ''}${muted ? `, ${muted} known finding${muted === 1 ? '' : 's'} muted` : ''}` +
    `${rerun ? `, ${rerun} trial${rerun === 1 ? '' : 's'} rerun after a connection loss chatfuzz did not cause` : ''}`;
  if (c.error && !c.failure) return `error (${safe(c.error).slice(0, 200)})`;
  if (c.outcome === 'budget-exhausted') return `budget exhausted (no verdict: ${c.runs} trials before the time budget ran out)${extra}`;
  if (c.outcome === 'not-run') return 'not run (interrupted)';
  if (c.outcome === 'pass') return (c.expected === 'pass' ? 'pass' : 'pass (UNEXPECTED, expected fail)') + extra;
  if (c.expected === 'fail') return `fail (expected${extra})`;
  return c.failure ? `FAIL (${safe(c.failure.invariant)}${extra})` : 'FAIL';
}

function key(c: { target: string; scenario: string }): string {
  return `${c.target}\u0000${c.scenario}`;
}

// A line longer than the terminal wraps, and \r then only rewrites its last row.
function fit(line: string, cols: number | undefined): string {
  if (!cols || cols < 10) return line;
  const chars = [...line];
  return chars.length < cols ? line : chars.slice(0, cols - 2).join('') + '…';
}

function columns(out: NodeJS.WriteStream | NodeJS.WritableStream): number | undefined {
  const c = (out as NodeJS.WriteStream).columns;
  return typeof c === 'number' && c > 0 ? c : undefined;
}

// Names come from user modules: a control character would corrupt the status line.
function safe(s: string): string {
  return String(s ?? '').replace(/[\u0000-\u001F\u007F-\u009F]/g, '?');
}
