import type { BaselineStatus, BaselineSummary, CellOutcome, CellResult, Mode, RunResults } from '../harness/run/results.js';

/** Every status a cell can have against a baseline, in the order reports list them. */
export const BASELINE_STATUSES: readonly BaselineStatus[] = ['new-failure', 'fixed', 'still-failing', 'unchanged', 'new-cell'];

/** Why a file cannot serve as a baseline; the CLI turns it into a usage error (exit 2). */
export class BaselineFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineFileError';
  }
}

/** The parts of a previous results.json a comparison needs. */
export interface Baseline {
  runId: string;
  startedAt: string;
  cells: Pick<CellResult, 'target' | 'scenario' | 'mode' | 'outcome' | 'failure'>[];
}

/** Checks that parsed JSON is a chatfuzz results.json (tool, cells with target, scenario, mode, outcome); throws BaselineFileError naming what is wrong. */
export function parseBaseline(json: unknown, file: string): Baseline {
  const bad = (why: string) => new BaselineFileError(`--baseline ${file} is not a chatfuzz results.json: ${why}`);
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw bad('expected a JSON object');
  const r = json as Record<string, unknown>;
  if (r.tool !== 'chatfuzz') throw bad(`"tool" is ${JSON.stringify(r.tool) ?? 'missing'}, expected "chatfuzz"`);
  if (!Array.isArray(r.cells)) throw bad('"cells" is not an array');
  const cells = r.cells.map((c: any, i: number) => {
    for (const key of ['target', 'scenario', 'mode']) if (typeof c?.[key] !== 'string') throw bad(`cells[${i}].${key} is not a string`);
    if (!CELL_OUTCOMES.includes(c.outcome))
      throw bad(`cells[${i}].outcome is ${JSON.stringify(c.outcome)}, expected one of ${CELL_OUTCOMES.map((o) => `"${o}"`).join(', ')}`);
    return {
      target: c.target,
      scenario: c.scenario,
      mode: c.mode as Mode,
      outcome: c.outcome as CellOutcome,
      ...(c.failure ? { failure: c.failure } : {}),
    };
  });
  return { runId: String(r.runId ?? ''), startedAt: String(r.startedAt ?? ''), cells };
}

const CELL_OUTCOMES: readonly string[] = ['pass', 'fail', 'budget-exhausted', 'not-run'] satisfies CellOutcome[];

function judged(c: Pick<CellResult, 'outcome'>): boolean {
  return c.outcome === 'pass' || c.outcome === 'fail';
}

/** A cell's status against its baseline cell (same target, scenario and mode): failing means outcome "fail", expected or not. */
export function baselineStatus(current: Pick<CellResult, 'outcome'>, before: Pick<CellResult, 'outcome'> | undefined): BaselineStatus {
  // A baseline cell without a verdict (budget, interruption) is as good as absent; a current one has nothing to compare.
  if (!before || !judged(before)) return 'new-cell';
  if (!judged(current)) return 'unchanged';
  if (current.outcome === 'fail') return before.outcome === 'fail' ? 'still-failing' : 'new-failure';
  return before.outcome === 'fail' ? 'fixed' : 'unchanged';
}

/**
 * Marks every cell of `results` with its status against `baseline` and records the comparison;
 * with `gate` (--ci) a new failure also makes the exit code 1, even in a cell whose `expect`
 * says fail: the baseline passed it, so the change under test broke it. Pure: returns a copy.
 */
export function applyBaseline(results: RunResults, baseline: Baseline, opts: { file: string; gate: boolean }): RunResults {
  const key = (c: { target: string; scenario: string; mode: string }) => `${c.target}\u0000${c.scenario}\u0000${c.mode}`;
  const before = new Map(baseline.cells.map((c) => [key(c), c]));
  const counts = Object.fromEntries(BASELINE_STATUSES.map((s) => [s, 0])) as Record<BaselineStatus, number>;
  const cells = results.cells.map((cell): CellResult => {
    const old = before.get(key(cell));
    const status = baselineStatus(cell, old);
    counts[status]++;
    const { baseline: _s, baselineFailure: _f, ...rest } = cell;
    return {
      ...rest,
      baseline: status,
      ...(old?.outcome === 'fail' && old.failure
        ? { baselineFailure: { invariant: String(old.failure.invariant), message: String(old.failure.message) } }
        : {}),
    };
  });
  const seen = new Set(results.cells.map(key));
  const summary: BaselineSummary = {
    file: opts.file,
    runId: baseline.runId,
    startedAt: baseline.startedAt,
    gate: opts.gate,
    counts,
    missingCells: baseline.cells.filter((c) => !seen.has(key(c))).map(({ target, scenario, mode }) => ({ target, scenario, mode })),
  };
  const gateFails = opts.gate && counts['new-failure'] > 0;
  return { ...results, cells, baseline: summary, exitCode: results.exitCode === 1 || gateFails ? 1 : 0 };
}

/** One line for logs: `baseline <run>: 1 new failure, 2 fixed, …`. */
export function baselineLine(b: BaselineSummary): string {
  const parts = [
    `${b.counts['new-failure']} new failure${b.counts['new-failure'] === 1 ? '' : 's'}`,
    `${b.counts.fixed} fixed`,
    `${b.counts['still-failing']} still failing`,
    `${b.counts.unchanged} unchanged`,
    `${b.counts['new-cell']} new cell${b.counts['new-cell'] === 1 ? '' : 's'}`,
  ];
  if (b.missingCells.length) parts.push(`${b.missingCells.length} baseline cell${b.missingCells.length === 1 ? '' : 's'} not run`);
  return `baseline ${b.runId || b.file}: ${parts.join(', ')}${b.gate && b.counts['new-failure'] ? ' (new failures fail the gate)' : ''}`;
}
