// The full-size twins of wire-gate.test.ts (`npm run test:matrix`): five runs of one seed give the same
// counterexample through the wire gate, and the correct postgres.js and Drizzle targets pass 60 trials a cell.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import type { CellResult } from './results.js';

describe('wire gate at full size', () => {
  it('postgres.js session-first × concurrent-duplicates: 23505 shrunk to 2 calls, and five runs of one seed give the same counterexample', async () => {
    const cells: CellResult[] = [];
    for (let i = 0; i < 5; i++)
      cells.push(await runTestCell('postgresjs-session-first', 'concurrent-duplicates', { mode: 'scheduled', seed: 1 }));
    // The session race, whichever distinct failure of the cell was found first (a duplicate message insert is another).
    const race = (c: CellResult) => c.failures!.find((x) => x.constraint === 'chat_sessions_pkey')!;
    const f = race(cells[0]!);
    expect(cells[0]).toMatchObject({ gate: 'wire', outcome: 'fail', ok: true });
    expect(f).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    expect(f.counterexample.ops).toHaveLength(2);
    expect(f.counterexample.schedule!.at(-1)).toMatch(/^c\d INSERT INTO chat_sessions .* → 23505 chat_sessions_pkey$/);
    const story = (c: (typeof cells)[number]) =>
      JSON.stringify([race(c).workload, race(c).counterexample, race(c).statements.map((s) => [s.call, s.sql, s.error?.sqlstate])]);
    for (const c of cells.slice(1)) expect(story(c)).toBe(story(cells[0]!));
  });

  it('correct postgres.js (sql.begin) and Drizzle (db.transaction) targets pass races and deletes, scheduled and stressed', async () => {
    for (const target of ['postgresjs-tx', 'drizzle-postgresjs']) {
      for (const scenario of ['concurrent-duplicates', 'delete-while-logging']) {
        for (const mode of ['scheduled', 'stress'] as const) {
          const cell = await runTestCell(target, scenario, { mode, runs: 60, seed: 5 });
          expect({ target, scenario, mode, outcome: cell.outcome, failure: cell.failure?.message }).toEqual({
            target,
            scenario,
            mode,
            outcome: 'pass',
            failure: undefined,
          });
        }
      }
    }
  });
});
