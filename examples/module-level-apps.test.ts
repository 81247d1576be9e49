import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import type { CellResult } from '../harness/run/results.js';

// Apps as they are (issue 26): module-level clients built from env variables, loaded per logical client with ctx.load.
// The session race, whichever distinct failure of the cell was found first (a duplicate message insert is another).
const race = (c: CellResult) => c.failures?.find((f) => f.constraint === 'chat_sessions_pkey');
const story = (c: CellResult) =>
  JSON.stringify([race(c)!.workload, race(c)!.counterexample, race(c)!.statements.map((s) => [s.call, s.sql, s.error?.sqlstate])]);

describe.each([
  [
    'module-level postgres.js with an env module validated at import',
    './examples/module-level-postgresjs/chatfuzz.target.ts',
    'INSERT INTO chat_sessions',
  ],
  ['a Prisma 7 globalThis singleton', './examples/prisma-singleton/chatfuzz.target.ts', 'INSERT INTO "public"."chat_sessions"'],
])('%s', (_name, target, insert) => {
  it('runs unchanged: its check-then-insert is caught in scheduled mode in 2 calls, with statements, and the same seed gives the same counterexample', async () => {
    const a = await runTestCell(target, 'concurrent-duplicates', { mode: 'scheduled', seed: 1, runs: 30 });
    expect(a).toMatchObject({ gate: 'wire', outcome: 'fail' });
    expect(race(a)).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    expect(race(a)!.counterexample.ops).toHaveLength(2);
    expect(race(a)!.statements.some((s) => s.sql.startsWith(insert) && s.error?.sqlstate === '23505')).toBe(true);
    const b = await runTestCell(target, 'concurrent-duplicates', { mode: 'scheduled', seed: 1, runs: 30 });
    expect(story(b)).toBe(story(a));
  });
});
