// The full-size zero-false-positive sweeps of catalogue.test.ts (`npm run test:matrix`): the correct
// `upsert` passes every built scenario over 200 trials in each mode, client-seq its two scenarios.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { builtinScenarios } from './builtin-scenarios.js';

// The operations scenario does not apply to chat targets (run-cell.test.ts checks its not-applicable cells).
const SCENARIOS = builtinScenarios.filter((s) => s.kind !== 'operations').map((s) => s.name);

describe('upsert passes every built scenario (zero false positives)', () => {
  for (const mode of ['stress', 'scheduled'] as const) {
    for (const scenario of SCENARIOS) {
      it(`upsert × ${scenario}: 200 ${mode} trials`, async () => {
        const cell = await runTestCell('upsert', scenario, { runs: 200, seed: 4243, mode });
        expect(cell.failure?.message).toBeUndefined();
        expect(cell.error).toBeUndefined();
        expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 200 });
        expect(cell.calls).toBeGreaterThan(400);
      });
    }
  }
});

describe('client-seq: a custom schema with its own registerUsers() and snapshot()', () => {
  for (const scenario of ['multi-message-first-request', 'log-before-create']) {
    it(`passes ${scenario} (one client per session) over 200 trials`, async () => {
      const cell = await runTestCell('client-seq', scenario, { runs: 200, seed: 77 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell.error).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 200 });
    });
  }
});
