import { describe, expect, it } from 'vitest';
import { expectSameSessionRace, expectWireTargetsPass } from '../../test/wire-gate-checks.js';
import { testServer } from '../../test/test-server.js';
import { builtinTargets } from '../../targets/builtin-targets.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import { loadTargets } from '../contract/load-target.js';
import { runScheduledTrial } from '../execute/run-trial.js';
import { formatStep } from '../gate/format-step.js';
import { openCellEnv } from './cell-env.js';

// The wire gate end to end: postgres.js and Drizzle targets, unchanged app code, scheduled through the proxy.
// wire-gate.matrix.test.ts runs the first and last checks at full size (five runs of the seed, 60 trials a cell).
describe('wire gate', () => {
  it('postgres.js session-first × concurrent-duplicates: 23505 shrunk to 2 calls, and two runs of one seed give the same counterexample', () =>
    expectSameSessionRace(2));

  it('detects a statement blocked on a row lock through the proxy (late-lock on postgres.js): the next gate opens and the step is marked blocked', async () => {
    const [target] = await loadTargets(['./test/fixtures/late-lock-postgresjs-target.ts'], {
      registry: builtinTargets,
      scenarioNames: builtinScenarios.map((s) => s.name),
    });
    const cell = await openCellEnv({
      run: { runId: `wire_${process.pid}`, mode: 'scheduled', seed: 1, runs: 1, callTimeoutMs: 5000, reportDir: '' },
      target: target!,
      server: testServer(),
      cellIndex: 0,
    });
    try {
      const w = {
        users: ['u1'],
        clients: [1, 2].map((c) => [
          {
            op: 'handleChat' as const,
            session: 's1',
            user: 'u1',
            valid: true,
            messages: [{ id: `m${c}`, role: 'user' as const, content: `tab ${c} #m${c}` }],
          },
        ]),
      };
      // c1 begin, c2 begin, both check the session, c1 locks the user row, then c2 asks for the same lock.
      const r = await runScheduledTrial(cell.env, w, 'lock1_', [0, 1, 0, 1, 0, 1]);
      const steps = r.schedule!.map(formatStep);
      const blocked = 'c2 SELECT id FROM users WHERE id = $1 FOR UPDATE [blocked] → 1 row';
      expect(steps).toContain(blocked);
      expect(steps.indexOf(blocked)).toBeLessThan(steps.findIndex((s) => /^c1 COMMIT/i.test(s)));
      expect(r.violations[0]).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    } finally {
      await cell.close();
    }
  });

  it('correct postgres.js (sql.begin) and Drizzle (db.transaction) targets pass races and deletes, scheduled and stressed', () =>
    expectWireTargetsPass(20));
});
