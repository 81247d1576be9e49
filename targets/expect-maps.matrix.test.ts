// Every built-in target's `expect` map holds for every scenario, on a real database (scheduled
// mode). The cells scenarios/catalogue.test.ts and catalogue.matrix.test.ts already prove with a sharper assertion are skipped here
// (`npm run test:matrix`: the whole file takes minutes).
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { builtinScenarios } from '../scenarios/builtin-scenarios.js';
import { builtinTargets } from './builtin-targets.js';
import { cellExpectation } from '../harness/run/cell-expectation.js';

const SCENARIOS = builtinScenarios.map((s) => s.name);

describe("every built-in target's expect map holds for every built scenario", () => {
  const covered = new Set([
    'upsert',
    'no-owner-check × cross-user',
    'swallow-errors × multi-message-first-request',
    'swallow-errors × log-before-create',
    'client-seq × parallel-first-messages',
    'client-seq × multi-message-first-request',
    'client-seq × log-before-create',
    'session-first × parallel-first-messages',
    'naive × unknown-user',
    'retry-duplicates × retry-after-error',
    // A server process per client makes a trial ~6× slower than naive's; http-chat.test.ts and the CLI check it.
    'http-chat',
    // Issue 25: targets of operations only; their own tests run their operations cell, run-cell.test.ts the not-applicable chat cells.
    'credits-rmw',
    'credits-atomic',
    'claim-handle',
    'claim-handle-upsert',
    // The deep-race fixtures (issue 23): race-fixtures.matrix.test.ts checks each one's racing scenario over 10 seeds and
    // its fixed twin over 2,000 trials. Their other scenarios' entries are unverified (their files say so); here
    // blob-lost-update's took 6 minutes and missed one: open in issue 23.
    'blob-lost-update',
    'blob-lost-update-fixed',
    'delete-four-statements',
    'delete-four-statements-fixed',
    'count-then-insert',
    'count-then-insert-fixed',
    'lock-order-deadlock',
    'lock-order-deadlock-fixed',
  ]);
  for (const target of Object.keys(builtinTargets)) {
    if (covered.has(target)) continue;
    it(`${target}`, async () => {
      const def = await builtinTargets[target]!();
      const missed: string[] = [];
      for (const scenario of SCENARIOS) {
        // Issue 25: a chat target runs no operations cell (it is not applicable, see run-cell.test.ts).
        if (covered.has(`${target} × ${scenario}`) || scenario === 'operations') continue;
        const { expected } = cellExpectation(def.expect, scenario);
        // Races get up to 200 tries to show an expected failure; a pass takes 40 trials (the whole file is
        // the suite's longest: 400 s with 60). The whole-matrix run (`npm run fuzz -- --all`, `npm run bench`) takes 100.
        const cell = await runTestCell(target, scenario, { runs: expected === 'fail' ? 200 : 40, seed: 21, mode: 'scheduled' });
        if (!cell.ok)
          missed.push(
            `${scenario}: expected ${expected}, got ${cell.outcome}${cell.failure ? ` (${cell.failure.invariant}: ${cell.failure.message})` : ''}${cell.error ? ` (${cell.error})` : ''}`,
          );
      }
      expect(missed).toEqual([]);
    });
  }
});
