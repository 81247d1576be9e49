// PCT finds each deep-race fixture within 300 scheduled trials and shrinks it to at most 3
// calls (3 seeds here; all 10 and 2,000 trials of each twin in race-fixtures.matrix.test.ts),
// and the fixed twins pass.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { RACE_FIXTURES, TRIALS_TO_FIND, expectFound } from '../test/race-fixture-cases.js';

describe('deep-race fixtures under the PCT scheduler', () => {
  for (const fx of RACE_FIXTURES) {
    it(`${fx.target} × ${fx.scenario}: found within ${TRIALS_TO_FIND} trials, shrunk to ≤ ${fx.maxCalls ?? 3} calls (seeds 1-3)`, async () => {
      for (const seed of [1, 2, 3]) {
        expectFound(fx, await runTestCell(fx.target, fx.scenario, { mode: 'scheduled', runs: TRIALS_TO_FIND, seed, maxFailures: 1 }), seed);
      }
    }, 900_000);
    it(`${fx.fixed} × ${fx.scenario} passes 40 trials`, async () => {
      const cell = await runTestCell(fx.fixed, fx.scenario, { mode: 'scheduled', runs: 40, seed: 1 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell.outcome).toBe('pass');
    }, 900_000);
  }

  it('a fixed twin passes a parallel search (3 trials at once, each on its own database), every trial counted', async () => {
    const twin = await runTestCell('blob-lost-update-fixed', 'concurrent-duplicates', {
      mode: 'scheduled',
      runs: 30,
      seed: 4,
      trialsInParallel: 3,
    });
    expect([twin.outcome, twin.runs]).toEqual(['pass', 30]);
  }, 900_000);
});
