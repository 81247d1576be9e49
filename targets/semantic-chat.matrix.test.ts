// The long checks of declared app semantics (issue 24), run by `npm run test:matrix`: the correct
// semantic-chat target passes every scenario in 1,000 trials per mode, and the broken variants
// fail with their invariant in the scheduled delete-by-other cell.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { builtinScenarios } from '../scenarios/builtin-scenarios.js';

const TRIALS = 1000;

describe(`semantic-chat: ${TRIALS} trials per scenario and mode, no false alarm`, () => {
  for (const mode of ['scheduled', 'stress'] as const) {
    for (const scenario of builtinScenarios.map((s) => s.name)) {
      it(`${scenario} (${mode})`, async () => {
        const cell = await runTestCell('semantic-chat', scenario, { runs: TRIALS, seed: 2024, mode });
        expect(
          cell.failure ? `${cell.failure.invariant}: ${cell.failure.message}\n${cell.failure.replay}` : (cell.error ?? cell.outcome),
        ).toBe('pass');
      }, 1_800_000);
    }
  }
});

describe('the broken delete variants fail with their invariant (scheduled, 2,000 trials at most)', () => {
  it.each([
    ['delete-no-owner-check', 'delete-ownership'],
    ['soft-delete-accepts', 'deleted-stays-deleted'],
  ])(
    '%s: %s',
    async (target, invariant) => {
      const cell = await runTestCell(target, 'delete-by-other', { runs: 2000, seed: 2024, mode: 'scheduled' });
      expect(cell.failure?.invariant).toBe(invariant);
      expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(3);
    },
    1_800_000,
  );
});
