import { describe, expect, it } from 'vitest';
import { cellWithoutTrials } from './cell-without-trials.js';

describe('cellWithoutTrials', () => {
  const target = {
    def: { name: 't', expect: { '*': 'fail' as const }, gate: 'wire' as const, create: () => ({}) as never },
    source: 'test',
  };

  it("takes the target's expectation and gate, zero counts, and what the caller says of its outcome", () => {
    expect(cellWithoutTrials(target, 'mixed', 'scheduled', { outcome: 'not-run', ok: false, note: 'n' })).toEqual({
      target: 't',
      scenario: 'mixed',
      mode: 'scheduled',
      expected: 'fail',
      runs: 0,
      calls: 0,
      durationMs: 0,
      runsToFirstFailure: null,
      msToFirstFailure: null,
      gate: 'wire',
      outcome: 'not-run',
      ok: false,
      note: 'n',
    });
  });

  it('lets the caller override a field (a not-applicable cell expects a pass)', () => {
    expect(cellWithoutTrials(target, 'operations', 'stress', { outcome: 'pass', ok: true, expected: 'pass', durationMs: 3 })).toMatchObject(
      {
        expected: 'pass',
        durationMs: 3,
        mode: 'stress',
      },
    );
  });
});
