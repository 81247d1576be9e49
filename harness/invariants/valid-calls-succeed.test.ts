import { describe, expect, it } from 'vitest';
import { validCallsSucceed } from './valid-calls-succeed.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

const empty = snapshot();

describe('valid-calls-succeed', () => {
  it('fires on a valid call refused with a domain error wrapping SQLSTATE 23505, and names the wrapped SQLSTATE', () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 3 }),
      call({
        op: 'handleChat',
        client: 1,
        messages: [{ id: 'm2' }],
        invokedAt: 2,
        completedAt: 4,
        error: errors.refusal('could not start the chat', '23505'),
      }),
    ]);
    const v = validCallsSucceed.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'valid-calls-succeed', calls: [1], sqlstate: '23505' });
    expect(v[0]!.message).toBe(
      'handleChat(s1, [user], m2, u1)@c2 (step 2) is valid but was refused, caused by 23505: could not start the chat',
    );
  });

  it("names the wrapper's class and its cause's SQLSTATE and constraint, and carries both on the violation", () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm2' }], error: errors.wrapped('AppError', 'could not save', '23505', 'Chat_pkey') }),
    ]);
    const v = validCallsSucceed.check(h, empty);
    expect(v).toEqual([
      {
        invariant: 'valid-calls-succeed',
        calls: [0],
        sqlstate: '23505',
        constraint: 'Chat_pkey',
        message:
          'logMessage(s1, m2, user, u1)@c1 (step 1) is valid but was refused with AppError, caused by 23505 on Chat_pkey: could not save',
      },
    ]);
  });

  it("names a wrapper's class without a cause, and a cause without a class", () => {
    const h = history([
      call({
        op: 'createSession',
        error: { kind: 'domain', errorClass: 'TypeError', message: "Cannot read properties of undefined (reading 'id')" },
      }),
      call({
        op: 'createSession',
        session: 's2',
        error: { kind: 'domain', message: 'could not save', causeSqlstate: '23505', causeConstraint: 'chat_sessions_pkey' },
      }),
    ]);
    const v = validCallsSucceed.check(h, empty);
    expect(v.map((x) => x.message)).toEqual([
      "createSession(s1, u1)@c1 (step 1) is valid but was refused with TypeError: Cannot read properties of undefined (reading 'id')",
      'createSession(s2, u1)@c1 (step 3) is valid but was refused, caused by 23505 on chat_sessions_pkey: could not save',
    ]);
    expect(v[0]!.sqlstate).toBeUndefined();
    expect(v[1]).toMatchObject({ sqlstate: '23505', constraint: 'chat_sessions_pkey' });
  });

  it('fires on a valid call that timed out (outcome info, kind timeout)', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm2' }], outcome: 'info', error: errors.timeout(5000) })]);
    const v = validCallsSucceed.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'valid-calls-succeed', calls: [0] });
    expect(v[0]!.sqlstate).toBeUndefined();
    expect(v[0]!.message).toContain('logMessage(s1, m2, user, u1)@c1');
    expect(v[0]!.message).toContain('is valid but did not complete: did not settle within 5000 ms');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('fires on a valid call failing with a raw error too, with its SQLSTATE and constraint', () => {
    const h = history([call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], error: errors.fk() })]);
    const v = validCallsSucceed.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(v[0]!.message).toContain('was refused: 23503 on chat_messages_session_id_fkey');
    expect(v[0]!.message).not.toContain('wrapping');
  });

  it('fires on a plain refusal of a valid call, without a wrapped SQLSTATE', () => {
    const h = history([call({ op: 'createSession', session: 's4', user: 'u2', error: errors.refusal('rate limited') })]);
    const v = validCallsSucceed.check(h, empty);
    expect(v.map((x) => x.message)).toEqual(['createSession(s4, u2)@c1 (step 1) is valid but was refused: rate limited']);
    expect(v[0]!.sqlstate).toBeUndefined();
  });

  it('prints logical ids even when the refusal message names physical ones', () => {
    // Targets name the ids they were given (`unknown user t1_u1`); verdicts print ids without the trial namespace.
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm2' }], error: errors.refusal('session t1_s1 is gone') })]);
    const v = validCallsSucceed.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('session s1 is gone');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it("stays silent on refused invalid calls (unknown user, another user's session, NUL bytes)", () => {
    const h = history([
      call({ op: 'createSession', user: 'u9', valid: false, error: errors.refusal('unknown user t1_u9') }),
      call({
        op: 'logMessage',
        user: 'u2',
        valid: false,
        messages: [{ id: 'm1' }],
        error: errors.refusal('session t1_s1 belongs to another user'),
      }),
      call({
        op: 'logMessage',
        valid: false,
        messages: [{ id: 'm2', content: 'a\u0000b' }],
        error: errors.refusal('content contains a NUL byte', '22021'),
      }),
    ]);
    expect(validCallsSucceed.check(h, empty)).toEqual([]);
  });

  it('stays silent on invalid calls with an info outcome, and on invalid calls that succeed', () => {
    const h = history([
      call({ op: 'deleteSession', valid: false, outcome: 'info', error: errors.timeout() }),
      call({ op: 'logMessage', valid: false, messages: [{ id: 'm1' }], outcome: 'info', error: errors.connection() }),
      call({ op: 'createSession', user: 'u9', valid: false }),
    ]);
    expect(validCallsSucceed.check(h, empty)).toEqual([]);
  });

  it('stays silent when every valid call succeeds, including a second writer from the same user', () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], invokedAt: 1, completedAt: 3 }),
      call({ op: 'handleChat', client: 1, messages: [{ id: 'm3' }], invokedAt: 2, completedAt: 4 }),
    ]);
    expect(validCallsSucceed.check(h, empty)).toEqual([]);
  });
});
