import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';

// A Next.js-style route handler as the target (issue 26): loaded per logical client, a Request per operation.
describe('examples/route-handler', () => {
  it('finds the seeded bug (the chat created by check-then-insert) in scheduled mode, shrunk to at most 3 calls', async () => {
    const cell = await runTestCell('./examples/route-handler/chatfuzz.target.ts', 'concurrent-duplicates', {
      mode: 'scheduled',
      seed: 1,
      runs: 30,
    });
    expect(cell).toMatchObject({ gate: 'wire', outcome: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(3);
    expect(cell.failure!.statements.some((s) => s.sql.startsWith('INSERT INTO chat_sessions') && s.error?.sqlstate === '23505')).toBe(true);
  });

  it.each(builtinScenarios.map((s) => s.name))('its fixed twin passes %s', async (scenario) => {
    const cell = await runTestCell('./examples/route-handler/chatfuzz-fixed.target.ts', scenario, { mode: 'scheduled', seed: 7, runs: 8 });
    expect({ outcome: cell.outcome, failure: cell.failure?.message }).toEqual({ outcome: 'pass', failure: undefined });
  });
});
