// The full-size twin of scheduled-mode.test.ts's determinism check (`npm run test:matrix`): a
// scheduled cell's counterexample depends on the seed alone, however busy the machine is.
import { expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';

it('the same seed gives byte-identical counterexamples, five runs out of five', async () => {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const cell = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'scheduled', seed: 2024 });
    runs.push(JSON.stringify({ ops: cell.failure!.counterexample, runs: cell.runs, first: cell.runsToFirstFailure }));
  }
  expect(new Set(runs).size).toBe(1);
});
