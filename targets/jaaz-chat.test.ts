// jaaz-chat-before and jaaz-chat-after on a real database (raw pg, UUID ids): the seed's bug as
// its write-up reproduced it, the fix passing that scenario, and what the fix still gets wrong,
// each with its shrunk counterexample.
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';

describe('jaaz-chat-before (seed 001 before its fix)', () => {
  it('multi-message-first-request: a [system, user] first request fails with 23503 on chat_messages_session_id_fkey', async () => {
    const cell = await runTestCell('jaaz-chat-before', 'multi-message-first-request', { seed: 51, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(cell.failure!.counterexample.ops.map((o) => o.label)).toEqual(['handleChat(s1, [system,user], m2, u1)@c1']);
    // The session insert was skipped: the only statement is the message insert.
    expect(cell.failure!.statements.map((s) => s.sql.split(' (')[0])).toEqual(['INSERT INTO chat_messages']);
  });
});

describe('jaaz-chat-after (seed 001 with its fix)', () => {
  it('multi-message-first-request passes: sessionExists, then create', async () => {
    const cell = await runTestCell('jaaz-chat-after', 'multi-message-first-request', { runs: 60, seed: 52, mode: 'scheduled' });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 60 });
  });

  it('concurrent-duplicates: two first requests both see no session, the second INSERT fails with 23505 on chat_sessions_pkey', async () => {
    const cell = await runTestCell('jaaz-chat-after', 'concurrent-duplicates', { seed: 53, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    // The session race, whichever distinct failure of the cell was found first (a duplicate message insert is another).
    const race = cell.failures?.find((f) => f.constraint === 'chat_sessions_pkey');
    expect(race).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    const ops = race!.counterexample.ops;
    expect(ops).toHaveLength(2);
    expect(ops.map((o) => o.outcome).sort()).toEqual(['fail', 'ok']);
    const s = race!.statements.map((x) => `c${x.client + 1} ${x.sql.split(' ').slice(0, 3).join(' ')} ${x.error?.sqlstate ?? x.rowCount}`);
    // Two session inserts, the second refused: every existence check in the story ran (and saw no session) before
    // the first insert. (Which calls the shrunk story keeps, a checked first request or a plain create, is the scheduler's.)
    const inserts = s.filter((x) => x.includes('INSERT INTO chat_sessions'));
    expect(inserts, s.join('\n')).toEqual([expect.stringMatching(/ 1$/), expect.stringMatching(/ 23505$/)]);
    const firstInsert = s.findIndex((x) => x.includes('INSERT INTO chat_sessions'));
    s.forEach((x, i) => {
      if (x.includes('SELECT 1 FROM')) expect(i < firstInsert && x.endsWith(' 0'), s.join('\n')).toBe(true);
    });
  });

  it('parallel-first-messages: the reply logged by createMessage, which the fix did not touch, fails with 23503', async () => {
    const cell = await runTestCell('jaaz-chat-after', 'parallel-first-messages', { seed: 54, mode: 'scheduled' });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(2);
    expect(cell.failure!.counterexample.ops.some((o) => o.label.startsWith('logMessage(') && o.outcome === 'fail')).toBe(true);
  });

  it("cross-user: another user's message lands in the session (session-ownership)", async () => {
    const cell = await runTestCell('jaaz-chat-after', 'cross-user', { seed: 55, mode: 'scheduled' });
    expect(cell.failure!.invariant).toBe('session-ownership');
    expect(cell.failure!.counterexample.ops).toHaveLength(2);
  });
});
