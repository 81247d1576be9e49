// The wire gate's end-to-end checks, at a size the caller picks: wire-gate.test.ts runs them small in
// `npm test`, wire-gate.matrix.test.ts at full size.
import { expect } from 'vitest';
import type { CellResult } from '../harness/run/results.js';
import { runTestCell } from './run-test-cell.js';

/** postgres.js session-first × concurrent-duplicates, `runs` times on one seed: the 23505 race shrunk to 2 calls, the same story every time. */
export async function expectSameSessionRace(runs: number): Promise<void> {
  const cells: CellResult[] = [];
  for (let i = 0; i < runs; i++)
    cells.push(await runTestCell('postgresjs-session-first', 'concurrent-duplicates', { mode: 'scheduled', seed: 1 }));
  // The session race, whichever distinct failure of the cell was found first (a duplicate message insert is another).
  const race = (c: CellResult) => c.failures!.find((x) => x.constraint === 'chat_sessions_pkey')!;
  const f = race(cells[0]!);
  expect(cells[0]).toMatchObject({ gate: 'wire', outcome: 'fail', ok: true });
  expect(f).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
  expect(f.counterexample.ops).toHaveLength(2);
  expect(f.counterexample.schedule!.at(-1)).toMatch(/^c\d INSERT INTO chat_sessions .* → 23505 chat_sessions_pkey$/);
  const story = (c: CellResult) =>
    JSON.stringify([race(c).workload, race(c).counterexample, race(c).statements.map((s) => [s.call, s.sql, s.error?.sqlstate])]);
  for (const c of cells.slice(1)) expect(story(c)).toBe(story(cells[0]!));
}

/** The correct postgres.js (sql.begin) and Drizzle (db.transaction) targets pass races and deletes, scheduled and stressed, `runs` trials a cell. */
export async function expectWireTargetsPass(runs: number): Promise<void> {
  for (const target of ['postgresjs-tx', 'drizzle-postgresjs']) {
    for (const scenario of ['concurrent-duplicates', 'delete-while-logging']) {
      for (const mode of ['scheduled', 'stress'] as const) {
        const cell = await runTestCell(target, scenario, { mode, runs, seed: 5 });
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
}
