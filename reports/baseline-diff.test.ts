import { describe, expect, it } from 'vitest';
import type { RunResults } from '../harness/run/results.js';
import { applyBaseline, BaselineFileError, baselineLine, baselineStatus, parseBaseline } from './baseline-diff.js';
import { sampleResults } from './fixtures/sample-results.js';

// sampleResults: naive/log-before-create fail (expected), naive/hostile-input fail (unexpected),
// session-first/log-before-create pass (unexpected), session-first/hostile-input pass.
// A JSON copy, as a file would hold it: its cells may be edited freely.
function baselineOf(r: RunResults, edit: (cells: any[]) => void = () => {}): unknown {
  const copy = JSON.parse(JSON.stringify({ ...r, runId: 'base-run' }));
  edit(copy.cells);
  return copy;
}

describe('baselineStatus', () => {
  it('compares outcomes: pass→fail new-failure, fail→pass fixed, fail→fail still-failing, pass→pass unchanged, absent new-cell', () => {
    expect(baselineStatus({ outcome: 'fail' }, { outcome: 'pass' })).toBe('new-failure');
    expect(baselineStatus({ outcome: 'pass' }, { outcome: 'fail' })).toBe('fixed');
    expect(baselineStatus({ outcome: 'fail' }, { outcome: 'fail' })).toBe('still-failing');
    expect(baselineStatus({ outcome: 'pass' }, { outcome: 'pass' })).toBe('unchanged');
    expect(baselineStatus({ outcome: 'fail' }, undefined)).toBe('new-cell');
  });
});

describe('applyBaseline', () => {
  it('marks each cell by target, scenario and mode and counts the statuses', () => {
    const r = sampleResults();
    const base = parseBaseline(
      baselineOf(r, (cells) => {
        cells[1].outcome = 'pass'; // naive/hostile-input passed before
        cells[2].outcome = 'fail'; // session-first/log-before-create failed before
        cells[2].failure = { invariant: 'no-db-error', message: 'was 23505' };
        cells[3].mode = 'stress'; // another mode: not the same cell
      }),
      'base.json',
    );
    const out = applyBaseline(r, base, { file: 'base.json', gate: false });
    expect(out.cells.map((c) => c.baseline)).toEqual(['still-failing', 'new-failure', 'fixed', 'new-cell']);
    expect(out.cells[2]!.baselineFailure).toEqual({ invariant: 'no-db-error', message: 'was 23505' });
    expect(out.cells[0]!.baselineFailure?.invariant).toBe('no-fk-error');
    expect(out.baseline).toEqual({
      file: 'base.json',
      runId: 'base-run',
      startedAt: r.startedAt,
      gate: false,
      counts: { 'new-failure': 1, fixed: 1, 'still-failing': 1, unchanged: 0, 'new-cell': 1 },
      missingCells: [{ target: 'session-first', scenario: 'hostile-input', mode: 'stress' }],
    });
    // Pure: the input is untouched.
    expect(r.cells[0]!.baseline).toBeUndefined();
  });

  it('in --ci (gate) a new failure fails the run even when the cell met its expectation; without the gate it does not', () => {
    const r = sampleResults();
    r.cells = [r.cells[0]!]; // naive/log-before-create: expected fail, failed: ok
    r.exitCode = 0;
    const base = parseBaseline(
      baselineOf(r, (cells) => {
        cells[0].outcome = 'pass';
        delete cells[0].failure;
      }),
      'b.json',
    );
    expect(applyBaseline(r, base, { file: 'b.json', gate: false }).exitCode).toBe(0);
    const gated = applyBaseline(r, base, { file: 'b.json', gate: true });
    expect(gated.cells[0]!.baseline).toBe('new-failure');
    expect(gated.exitCode).toBe(1);
  });

  it('never turns an unmet expectation into a success, and a still-failing expected failure keeps exit 0', () => {
    const r = sampleResults();
    expect(r.exitCode).toBe(1);
    expect(applyBaseline(r, parseBaseline(baselineOf(r), 'b'), { file: 'b', gate: true }).exitCode).toBe(1);
    const one = sampleResults();
    one.cells = [one.cells[0]!];
    one.exitCode = 0;
    const out = applyBaseline(one, parseBaseline(baselineOf(one), 'b'), { file: 'b', gate: true });
    expect(out.cells[0]!.baseline).toBe('still-failing');
    expect(out.exitCode).toBe(0);
  });

  it('summarizes in one line', () => {
    const r = sampleResults();
    const out = applyBaseline(
      r,
      parseBaseline(
        baselineOf(r, (cells) => {
          cells[1].outcome = 'pass';
        }),
        'b',
      ),
      { file: 'b', gate: true },
    );
    expect(baselineLine(out.baseline!)).toBe(
      'baseline base-run: 1 new failure, 0 fixed, 1 still failing, 2 unchanged, 0 new cells (new failures fail the gate)',
    );
  });
});

describe('parseBaseline', () => {
  it('accepts a results.json written by a run', () => {
    const b = parseBaseline(baselineOf(sampleResults()), 'x');
    expect(b.cells).toHaveLength(4);
    expect(b.runId).toBe('base-run');
  });

  it('rejects what is not a results.json, naming the problem', () => {
    const cases: [unknown, RegExp][] = [
      [[], /expected a JSON object/],
      [{ tool: 'jest', cells: [] }, /"tool" is "jest"/],
      [{ tool: 'chatfuzz' }, /"cells" is not an array/],
      [
        { tool: 'chatfuzz', cells: [{ target: 'a', scenario: 'b', mode: 'scheduled', outcome: 'maybe' }] },
        /cells\[0\]\.outcome is "maybe"/,
      ],
      [{ tool: 'chatfuzz', cells: [{ target: 'a', mode: 'scheduled', outcome: 'pass' }] }, /cells\[0\]\.scenario is not a string/],
    ];
    for (const [json, re] of cases) {
      expect(() => parseBaseline(json, 'old.json')).toThrow(BaselineFileError);
      expect(() => parseBaseline(json, 'old.json')).toThrow(re);
    }
  });
});
