// Cells without a verdict (the time budget cut them, or a signal interrupted the run) read as such
// in every report: never a pass, never an unexpected pass, never a JUnit failure.
import { describe, expect, it } from 'vitest';
import { sampleResults } from './fixtures/sample-results.js';
import { summarizeCells } from '../harness/run/assemble-results.js';
import type { CellResult, RunResults } from '../harness/run/results.js';
import { renderMatrix } from './render-matrix.js';
import { renderHtml } from './render-html.js';
import { renderJunit } from './render-junit.js';
import { createProgressReporter } from './progress-reporter.js';
import { applyBaseline, parseBaseline } from './baseline-diff.js';

function unjudged(): RunResults {
  const r = sampleResults();
  const [a, b] = r.cells as [CellResult, CellResult, ...CellResult[]];
  const strip = (c: CellResult): CellResult => ({
    ...c,
    failure: undefined,
    failures: undefined,
    runsToFirstFailure: null,
    msToFirstFailure: null,
  });
  r.cells[0] = {
    ...strip(a),
    outcome: 'budget-exhausted',
    ok: true,
    runs: 3,
    note: 'the time budget ran out after 3 of 100 trials: not a pass',
  };
  r.cells[1] = { ...strip(b), outcome: 'not-run', ok: false, runs: 0 };
  r.summary = summarizeCells(r.cells);
  r.interrupted = 'SIGINT';
  return r;
}

describe('budget-exhausted and not-run cells', () => {
  it('the summary counts them, and the console matrix and summary line name them', () => {
    const r = unjudged();
    expect(r.summary).toMatchObject({ budgetExhausted: 1, notRun: 1 });
    const out = renderMatrix(r);
    expect(out).toMatch(/BUDGET\(3 trials\)/);
    expect(out).toMatch(/NOT RUN/);
    expect(out).toMatch(/1 cell cut by the time budget \(no verdict\)/);
    expect(out).toMatch(/interrupted \(SIGINT\): 1 cell not run/);
    expect(out).toMatch(/^naive\s+✓ BUDGET\(3 trials\)\s+✗ NOT RUN$/m);
  });

  it('index.html shows them as such; junit.xml skips them instead of passing or failing them', () => {
    const r = unjudged();
    const html = renderHtml(r);
    expect(html).toMatch(/data-status="budget-exhausted"/);
    expect(html).toMatch(/data-status="not-run"/);
    expect(html).toMatch(/data-summary="interrupted">SIGINT/);
    const xml = renderJunit(r);
    expect(xml).toMatch(/skipped="2"/);
    expect(xml).toMatch(/<skipped message="budget exhausted after 3 trials"\/>/);
    expect(xml).toMatch(/<skipped message="not run: the run was interrupted"\/>/);
  });

  it('the plain progress line says budget exhausted, and a baseline with such cells is read', () => {
    const r = unjudged();
    let out = '';
    const p = createProgressReporter({
      out: {
        write: (s: string) => {
          out += s;
          return true;
        },
      } as any,
      tty: false,
    });
    p.onCellEnd!(r.cells[0]!);
    expect(out).toMatch(/budget exhausted \(no verdict: 3 trials before the time budget ran out\)/);
    const base = parseBaseline(JSON.parse(JSON.stringify(r)), 'b.json');
    const diffed = applyBaseline(sampleResults(), base, { file: 'b.json', gate: true });
    expect(diffed.cells[0]!.baseline).toBe('new-cell');
  });
});

describe('progress off a TTY while calls time out', () => {
  it('a cell still running prints its trial count and phase every 30 s of its trials, not only at its end', () => {
    let out = '';
    let t = 0;
    const p = createProgressReporter({
      out: {
        write: (s: string) => {
          out += s;
          return true;
        },
      } as any,
      tty: false,
      now: () => t,
    });
    const trial = (trials: number, shrinking: boolean) =>
      p.onTrial!({
        target: 'hang',
        scenario: 'log-before-create',
        cellIndex: 0,
        cellCount: 1,
        trials,
        plannedTrials: 5,
        failed: shrinking,
        shrinking,
        elapsedMs: t,
      });
    trial(1, false);
    t = 10_000;
    trial(2, false);
    expect(out).toBe('');
    t = 31_000;
    trial(3, true);
    expect(out).toBe('[1/1] hang × log-before-create  3/5 trials  shrinking…  31.0 s\n');
  });
});

describe('trials rerun after outside connection losses', () => {
  it('the plain cell line says how many', () => {
    let out = '';
    const p = createProgressReporter({
      out: {
        write: (s: string) => {
          out += s;
          return true;
        },
      } as any,
      tty: false,
    });
    const cell = { ...sampleResults().cells[3]!, infraRetries: 2 };
    p.onCellEnd!(cell);
    expect(out).toMatch(/, 2 trials rerun after a connection loss chatfuzz did not cause/);
  });
});
