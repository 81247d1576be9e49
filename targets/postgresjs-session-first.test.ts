// postgresjs-session-first on a real database through the wire gate. Regression: with seed
// -1289521304 the default matrix once failed its retry-after-error cell (expected pass) on the
// retried message's 23505; the finding is real but shows only when the retry gets a fresh
// connection, so the cell is a pass apart from it and counts the trials it showed in.
import { expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';

it("retry-after-error passes with the retry's chat_messages_pkey 23505 muted and counted, on the seed that once failed it", async () => {
  const cell = await runTestCell('postgresjs-session-first', 'retry-after-error', { seed: -1289521304, runs: 100 });
  expect(cell.ok, JSON.stringify(cell.failure?.violations)).toBe(true);
  expect(cell.outcome).toBe('pass');
  expect(cell.muted?.[0]).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_messages_pkey' });
  expect(cell.muted![0]!.trials).toBeGreaterThan(0);
});
