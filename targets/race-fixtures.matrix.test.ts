// Issue 23's bar for the deep-race fixtures, in full (slow: `npm run test:matrix`): each broken
// fixture is found by PCT within 300 scheduled trials with 10 of 10 seeds and shrinks to ≤ 3
// calls (the deadlock fixture: ≤ 6, see race-fixture-cases.ts); each fixed twin passes 2,000 scheduled trials.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { RACE_FIXTURES, TRIALS_TO_FIND, expectFound } from '../test/race-fixture-cases.js';

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);

describe('deep-race fixtures under the PCT scheduler, 10 seeds', () => {
  for (const fx of RACE_FIXTURES) {
    it(`${fx.target} × ${fx.scenario}: found within ${TRIALS_TO_FIND} trials with 10/10 seeds, shrunk to ≤ ${fx.maxCalls ?? 3} calls`, async () => {
      for (const seed of SEEDS) {
        expectFound(fx, await runTestCell(fx.target, fx.scenario, { mode: 'scheduled', runs: TRIALS_TO_FIND, seed, maxFailures: 1 }), seed);
      }
    }, 3_600_000);
    it(`${fx.fixed} × ${fx.scenario} passes 2,000 scheduled trials`, async () => {
      const cell = await runTestCell(fx.fixed, fx.scenario, { mode: 'scheduled', runs: 2000, seed: 1 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell.outcome).toBe('pass');
    }, 3_600_000);
  }

  // The scheduled gate decides early when a call takes over a second to reach it (settleMs): on a
  // machine loaded enough for that, a schedule, and so this comparison, can differ.
  it('a parallel search (3 trials at once) gives the serial verdict, first failing trial and counterexample', async () => {
    // A deadlock's victim is chosen by the server's deadlock_timeout, not by the schedule: no exact equality to ask for.
    for (const fx of RACE_FIXTURES.filter((x) => !x.timingDecidesVictim)) {
      for (const seed of [1, 2, 3]) {
        const o = { mode: 'scheduled' as const, runs: TRIALS_TO_FIND, seed, maxFailures: 1 };
        const serial = await runTestCell(fx.target, fx.scenario, o);
        const parallel = await runTestCell(fx.target, fx.scenario, { ...o, trialsInParallel: 3 });
        expect(parallel.outcome, `${fx.target} seed ${seed}`).toBe(serial.outcome);
        expect(parallel.runsToFirstFailure, `${fx.target} seed ${seed}`).toBe(serial.runsToFirstFailure);
        expect(parallel.failure!.counterexample, `${fx.target} seed ${seed}`).toEqual(serial.failure!.counterexample);
      }
    }
  }, 3_600_000);
});
