// assistant-logging-after on a real database: the seed's fix ends the P2003 / 25P02 of the
// "before" code, and the harness names what it still gets wrong, each with its shrunk
// counterexample: check-then-insert races on the session (scheduled and stress mode), auto-created
// users colliding (on the id, or on the username derived from it), a non-idempotent
// createSession, and no session-ownership check.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import type { CellResult } from '../harness/run/results.js';

const labels = (cell: CellResult) =>
  cell.failure!.counterexample.ops.map(
    (o) => `${o.label} → ${o.outcome}${o.error ? ` ${[o.error.prismaCode, o.error.sqlstate].filter(Boolean).join('/')}` : ''}`,
  );

describe('assistant-logging-after (seed 000 with its fix)', () => {
  it("multi-message-first-request passes (the route creates the session; the seed's own bug is gone)", async () => {
    const cell = await runTestCell('assistant-logging-after', 'multi-message-first-request', { runs: 40, seed: 41 });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 40 });
  });

  it('log-before-create: no more P2003 or 25P02; what fails is the late createSession, a plain insert (P2002 on AssistantChatSession_pkey)', async () => {
    const cell = await runTestCell('assistant-logging-after', 'log-before-create', { seed: 42, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'AssistantChatSession_pkey' });
    // Shrunk to the logs that created the session and the createSession after them.
    const ops = labels(cell);
    expect(ops.length).toBeLessThanOrEqual(3);
    expect(ops.at(-1)).toBe('createSession(s1, u1)@c1 → fail P2002/23505');
    expect(ops.some((o) => /^logMessage\(s1, m\d+, \w+, u1\)@c1 → ok$/.test(o))).toBe(true);
    expect(ops.slice(0, -1).every((o) => o.endsWith('→ ok'))).toBe(true);
    expect(cell.failure!.statements.some((s) => s.error && ['23503', '25P02'].includes(s.error.sqlstate ?? ''))).toBe(false);
  });

  for (const mode of ['scheduled', 'stress'] as const) {
    it(`concurrent-duplicates (${mode}): two first requests both find no session, the second insert fails with P2002 on AssistantChatSession_pkey`, async () => {
      const cell = await runTestCell('assistant-logging-after', 'concurrent-duplicates', {
        seed: 43,
        mode,
        runs: mode === 'stress' ? 200 : 100,
      });
      expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
      // The double submit's race on the message is a failure of its own; this is the session's.
      const race = cell.failures!.find((f) => f.constraint === 'AssistantChatSession_pkey');
      expect(race).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'AssistantChatSession_pkey' });
      const ops = race!.counterexample.ops;
      // Scheduled shrinking is exact; in stress mode a shrink step can miss the race by timing alone.
      if (mode === 'scheduled') expect(ops).toHaveLength(2);
      else expect(ops.length).toBeLessThanOrEqual(4);
      const loser = ops.find((o) => o.outcome === 'fail')!;
      expect(loser.error).toMatchObject({ prismaCode: 'P2002', sqlstate: '23505' });
      expect(ops.some((o) => o.outcome === 'ok' && o.client !== loser.client)).toBe(true);
      // The losing insert is the session's, after the winner's.
      const inserts = race!.statements.filter((s) => s.sql.startsWith('INSERT INTO "public"."AssistantChatSession"'));
      const outcomes = inserts.map((s) => s.error?.sqlstate ?? 'ok');
      // Stress records statements as they start: the loser may start first and wait on the winner's row.
      if (mode === 'scheduled') expect(outcomes).toEqual(['ok', '23505']);
      else expect([...new Set(outcomes)].sort()).toEqual(['23505', 'ok']);
    });
  }

  it('unknown-user: auto-created users collide, on the username derived from ids that differ only in punctuation (P2002 on User_username_key)', async () => {
    const cell = await runTestCell('assistant-logging-after', 'unknown-user', { seed: 44, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({
      invariant: 'no-db-error',
      prismaCode: 'P2002',
      sqlstate: '23505',
      constraint: 'User_username_key',
    });
    // Shrunk to two first requests: `x.3` is created with username `x_3`, then user `x_3` cannot be.
    const ops = cell.failure!.counterexample.ops;
    expect(ops).toHaveLength(2);
    const users = ops.map((o) => /, (x[._]3)\)@/.exec(o.label)?.[1]);
    expect(new Set(users)).toEqual(new Set(['x.3', 'x_3']));
    expect(ops.find((o) => o.outcome === 'fail')!.error).toMatchObject({ prismaCode: 'P2002', sqlstate: '23505' });
  });

  it('unknown-user (stress): whichever auto-creation breaks first, it is a P2002 on User_pkey (one new user, two sessions) or User_username_key', async () => {
    const cell = await runTestCell('assistant-logging-after', 'unknown-user', { seed: 46, runs: 200 });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505' });
    expect(['User_pkey', 'User_username_key']).toContain(cell.failure!.constraint);
    expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(4);
  });

  it("cross-user: another user's message lands in the session (session-ownership)", async () => {
    const cell = await runTestCell('assistant-logging-after', 'cross-user', { seed: 45, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure!.invariant).toBe('session-ownership');
    expect(cell.failure!.counterexample.ops).toHaveLength(2);
    expect(cell.failure!.message).toMatch(/landed in session s1, which belongs to u1$/);
  });
});
