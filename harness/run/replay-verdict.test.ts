import { describe, expect, it } from 'vitest';
import { sampleResults } from '../../reports/fixtures/sample-results.js';
import { replayVerdict } from './replay-verdict.js';

describe('replayVerdict', () => {
  it('a replayed cell that failed the saved invariant reproduced it; one that did not is not ok, exit 1, with the sentence', () => {
    const r = sampleResults();
    const failing = r.cells.find((c) => c.failure)!;
    const same = replayVerdict(r, { target: failing.target, scenario: failing.scenario, invariant: failing.failure!.invariant });
    expect(same.messages).toEqual([]);
    expect(
      same.results.cells.find((c) => c === failing || (c.target === failing.target && c.scenario === failing.scenario))!.replay,
    ).toEqual({ invariant: failing.failure!.invariant, reproduced: true });

    const passing = r.cells.find((c) => c.outcome === 'pass' && c.ok)!;
    const gone = replayVerdict(r, { target: passing.target, scenario: passing.scenario, invariant: 'no-db-error' });
    expect(gone.messages).toEqual([
      expect.stringMatching(
        new RegExp(`^the saved no-db-error did not reproduce in ${passing.runs} runs? \\(${passing.target} × ${passing.scenario}\\)`),
      ),
    ]);
    const cell = gone.results.cells.find((c) => c.target === passing.target && c.scenario === passing.scenario)!;
    expect(cell).toMatchObject({ ok: false, replay: { invariant: 'no-db-error', reproduced: false } });
    expect(gone.results.exitCode).toBe(1);
    expect(gone.results.summary.ok).toBe(r.summary.ok - 1);
  });

  it('leaves cells without a verdict and other targets alone', () => {
    const r = sampleResults();
    r.cells[0] = { ...r.cells[0]!, outcome: 'not-run', failure: undefined, failures: undefined };
    const out = replayVerdict(r, { target: r.cells[0]!.target, scenario: r.cells[0]!.scenario, invariant: 'no-fk-error' });
    expect(out.messages).toEqual([]);
    expect(out.results.cells[0]!.replay).toBeUndefined();
  });
});
