import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';

// The harness catches the deliberately broken reference targets with the right invariant…
describe('catches the broken reference targets', () => {
  it('naive × multi-message-first-request: no-fk-error on chat_messages_session_id_fkey, shrunk to one handleChat', async () => {
    const cell = await runTestCell('naive', 'multi-message-first-request');
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    const ops = cell.failure!.counterexample.ops;
    expect(ops).toHaveLength(1);
    expect(ops[0]!.label).toMatch(/^handleChat\(s1, \[system,user\]/);
    expect(cell.failure!.statements.some((s) => s.error?.sqlstate === '23503' && /INSERT INTO chat_messages/.test(s.sql))).toBe(true);
    expect(cell.failure!.replay).toMatch(/^npm run fuzz -- --replay \S+naive--multi-message-first-request--stress\.json$/);
  });

  it('naive × log-before-create: no-fk-error, shrunk to one logMessage', async () => {
    const cell = await runTestCell('naive', 'log-before-create');
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(cell.failure!.counterexample.ops.map((o) => o.label)).toEqual(['logMessage(s1, m1, user, u1)@c1']);
  });

  it('session-first × concurrent-duplicates: no-db-error, 23505 escapes from the check-then-insert race', async () => {
    // Scheduled: in stress mode a shrink step may miss the race by timing alone and stop early.
    const cell = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505' });
    expect(cell.failure!.constraint).toMatch(/^chat_(sessions|messages)_pkey$/);
    expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(3);
    expect(cell.runsToFirstFailure).not.toBeNull();
  });
});

// …and does not cry wolf on correct code.
describe('stays silent on correct code', () => {
  for (const scenario of ['multi-message-first-request', 'log-before-create']) {
    it(`session-first passes ${scenario} (sequential per session) over 200 trials`, async () => {
      const cell = await runTestCell('session-first', scenario, { runs: 200, seed: 77 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 200 });
    });
  }
  for (const scenario of ['multi-message-first-request', 'log-before-create', 'concurrent-duplicates']) {
    it(`upsert passes ${scenario} over 200 trials`, async () => {
      const cell = await runTestCell('upsert', scenario, { runs: 200, seed: 4242 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 200 });
      expect(cell.calls).toBeGreaterThan(400);
    });
  }
});
