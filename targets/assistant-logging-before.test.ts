// assistant-logging-before on a real database: the harness finds seed 000's bug as the write-up
// describes it — the message insert fails on AssistantChatMessage_sessionId_fkey (P2003 inside the
// transaction) and the recovery that follows fails with 25P02 — and the missing-user variant.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';

describe('assistant-logging-before (seed 000 before its fix)', () => {
  it('log-before-create: 25P02 escapes, after the first insert failed on AssistantChatMessage_sessionId_fkey in the same transaction', async () => {
    const cell = await runTestCell('assistant-logging-before', 'log-before-create', { seed: 31, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '25P02' });
    const ops = cell.failure!.counterexample.ops;
    expect(ops).toHaveLength(1);
    expect(ops[0]!.label).toBe('logMessage(s1, m1, user, u1)@c1');
    expect(ops[0]!.error).toMatchObject({ kind: 'db', sqlstate: '25P02' });
    expect(ops[0]!.error!.prismaCode).toMatch(/^P2\d{3}$/);
    // The statements: BEGIN, the message insert (23503 on the FK), the session insert (25P02), ROLLBACK.
    const steps = cell.failure!.statements.map((s) => [
      s.sql.split(' ')[0] + (s.sql.startsWith('INSERT') ? ` ${s.sql.split('"')[3]}` : ''),
      s.error?.sqlstate ?? 'ok',
      s.error?.constraint ?? '',
    ]);
    expect(steps).toEqual([
      ['BEGIN', 'ok', ''],
      ['INSERT AssistantChatMessage', '23503', 'AssistantChatMessage_sessionId_fkey'],
      ['INSERT AssistantChatSession', '25P02', ''],
      ['ROLLBACK', 'ok', ''],
    ]);
  });

  it('unknown-user: createSession for a user that does not exist fails with P2003 on AssistantChatSession_userId_fkey', async () => {
    const cell = await runTestCell('assistant-logging-before', 'unknown-user', { seed: 32, mode: 'scheduled' });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'AssistantChatSession_userId_fkey' });
    expect(cell.failure!.counterexample.ops).toHaveLength(1);
    expect(cell.failure!.counterexample.ops[0]!.error).toMatchObject({ prismaCode: 'P2003', sqlstate: '23503' });
  });

  it('multi-message-first-request passes: its route creates the session before it logs', async () => {
    const cell = await runTestCell('assistant-logging-before', 'multi-message-first-request', { runs: 15, seed: 33, mode: 'scheduled' });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 15 });
  });
});
