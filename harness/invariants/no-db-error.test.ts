import { describe, expect, it } from 'vitest';
import { noDbError } from './no-db-error.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

const empty = snapshot();

describe('no-db-error', () => {
  it('fires on two concurrent first requests where one gets 23505 on chat_sessions_pkey', () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 4 }),
      call({
        op: 'handleChat',
        client: 1,
        messages: [{ id: 'm2' }],
        invokedAt: 2,
        completedAt: 3,
        error: errors.unique('chat_sessions_pkey'),
      }),
    ]);
    const v = noDbError.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'no-db-error', calls: [1], sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    expect(v[0]!.message).toContain('handleChat(s1, [user], m2, u1)@c2 (step 2)');
    expect(v[0]!.message).toContain('23505 on chat_sessions_pkey: duplicate key value violates unique constraint "chat_sessions_pkey"');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('fires on a poisoned transaction (25P02): a retry is not an excuse', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm4' }], error: errors.aborted() })]);
    const v = noDbError.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ calls: [0], sqlstate: '25P02' });
    expect(v[0]!.constraint).toBeUndefined();
    expect(v[0]!.message).toMatch(/logMessage\(s1, m4, user, u1\)@c1 .*25P02: current transaction is aborted/);
  });

  it('fires on a db error that has only a Prisma code', () => {
    const h = history([
      call({ op: 'createSession', error: { kind: 'db', prismaCode: 'P2025', message: 'No record was found for an update.' } }),
    ]);
    const v = noDbError.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('P2025: No record was found');
  });

  it('fires on an invalid call too (NUL byte escaping as 22021)', () => {
    const h = history([
      call({
        op: 'logMessage',
        valid: false,
        messages: [{ id: 'm1', content: 'a\u0000b' }],
        error: { kind: 'db', sqlstate: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' },
      }),
    ]);
    expect(noDbError.check(h, empty).map((v) => v.calls)).toEqual([[0]]);
  });

  it('stays silent on foreign-key errors (no-fk-error reports them), pg or Prisma', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], error: errors.fk() }),
      call({ op: 'logMessage', messages: [{ id: 'm2' }], error: errors.prismaFk() }),
      call({
        op: 'logMessage',
        messages: [{ id: 'm3' }],
        error: { kind: 'db', prismaCode: 'P2003', message: 'Foreign key constraint failed' },
      }),
    ]);
    expect(noDbError.check(h, empty)).toEqual([]);
  });

  it('stays silent on a refused invalid call and on a domain error wrapping a SQLSTATE (valid-calls-succeed judges those)', () => {
    const h = history([
      call({
        op: 'logMessage',
        user: 'u2',
        valid: false,
        messages: [{ id: 'm1' }],
        error: errors.refusal('session t1_s1 belongs to another user'),
      }),
      call({ op: 'createSession', error: errors.refusal('could not create the session', '23505') }),
    ]);
    expect(noDbError.check(h, empty)).toEqual([]);
  });

  it('stays silent on info outcomes: a timeout or a killed connection (57P01) leaves the outcome unknown', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], outcome: 'info', error: errors.timeout() }),
      call({ op: 'logMessage', messages: [{ id: 'm1' }], outcome: 'info', error: errors.connection() }),
    ]);
    expect(noDbError.check(h, empty)).toEqual([]);
  });

  it("stays silent when the same user's second concurrent writer succeeds too", () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 3 }),
      call({ op: 'handleChat', client: 1, messages: [{ id: 'm2' }], invokedAt: 2, completedAt: 4 }),
    ]);
    expect(noDbError.check(h, empty)).toEqual([]);
  });
});
