import { describe, expect, it } from 'vitest';
import naive from '../../targets/naive.js';
import upsert from '../../targets/upsert.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import type { CellResult } from './results.js';
import type { FuzzPlan } from './run-fuzz.js';
import { interruptedResults } from './interrupted-results.js';

describe('interruptedResults', () => {
  it('keeps the finished cells, marks every other cell of the plan not-run (not ok), and carries the signal and its exit code', () => {
    const scenarios = builtinScenarios.filter((s) => s.name === 'log-before-create' || s.name === 'concurrent-duplicates');
    const plan = {
      run: { runId: 'r1', seed: 1, mode: 'scheduled', runs: 10, callTimeoutMs: 5000, reportDir: '/tmp/x' },
      timeBudgetMs: null,
      reporters: [],
      targets: [
        { def: naive, source: 'built-in naive' },
        { def: upsert, source: 'built-in upsert' },
      ],
      scenarios,
    } as unknown as FuzzPlan;
    const done: CellResult = {
      target: 'upsert',
      scenario: scenarios[1]!.name,
      mode: 'scheduled',
      expected: 'pass',
      outcome: 'pass',
      ok: true,
      runs: 10,
      calls: 40,
      durationMs: 5,
      runsToFirstFailure: null,
      msToFirstFailure: null,
    };
    const r = interruptedResults(
      plan,
      { kind: 'url', serverVersion: 'PostgreSQL 15', adminUrl: 'postgres://u:secret@h/db' },
      new Date(),
      [done],
      'SIGTERM',
    );
    expect(r).toMatchObject({ interrupted: 'SIGTERM', exitCode: 143, summary: { cells: 4, ok: 1, notOk: 3, notRun: 3, trials: 10 } });
    expect(r.cells.map((c) => `${c.target}/${c.outcome}`)).toEqual(['naive/not-run', 'naive/not-run', 'upsert/not-run', 'upsert/pass']);
    expect(r.cells[3]).toBe(done);
    expect(r.cells[0]).toMatchObject({ expected: 'fail', ok: false, runs: 0 });
    expect(r.db.url).not.toContain('secret');
  });
});
