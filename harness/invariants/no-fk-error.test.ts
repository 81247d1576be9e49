import { describe, expect, it } from 'vitest';
import { noFkError } from './no-fk-error.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

const empty = snapshot();

describe('no-fk-error', () => {
  it('fires on handleChat(s1, [system,user]) failing with 23503 on chat_messages_session_id_fkey (seed 001)', () => {
    const h = history([
      call({
        op: 'handleChat',
        messages: [
          { id: 'm1', role: 'system' },
          { id: 'm2', role: 'user' },
        ],
        error: errors.fk(),
      }),
    ]);
    const v = noFkError.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({
      invariant: 'no-fk-error',
      calls: [0],
      sqlstate: '23503',
      constraint: 'chat_messages_session_id_fkey',
    });
    expect(v[0]!.message).toContain('handleChat(s1, [system,user], m2, u1)@c1');
    expect(v[0]!.message).toContain('23503 on chat_messages_session_id_fkey');
    expect(v[0]!.message).toContain('foreign-key violation');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('fires on logMessage before createSession, on the right call index only', () => {
    const h = history([
      call({ op: 'createSession', session: 's2' }),
      call({ op: 'logMessage', messages: [{ id: 'm3' }], client: 1, error: errors.fk() }),
      call({ op: 'createSession' }),
    ]);
    const v = noFkError.check(h, empty);
    expect(v.map((x) => x.calls)).toEqual([[1]]);
    expect(v[0]!.message).toMatch(/logMessage\(s1, m3, user, u1\)@c2/);
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('fires on Prisma P2003 and names both codes', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm1' }], error: errors.prismaFk() })]);
    const v = noFkError.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('P2003/23503 on chat_messages_session_id_fkey');
  });

  it('fires on a missing user row (chat_sessions_user_id_fkey), even for a call the workload marked invalid: a raw error escaping is a finding', () => {
    const h = history([
      call({ op: 'createSession', user: 'u9', valid: false, error: errors.fk('chat_sessions_user_id_fkey', 'chat_sessions') }),
    ]);
    const v = noFkError.check(h, empty);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ calls: [0], constraint: 'chat_sessions_user_id_fkey' });
    expect(v[0]!.message).toContain('u9');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('reports every failing call, in history order', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], error: errors.fk() }),
      call({ op: 'createSession', session: 's2', client: 1 }),
      call({ op: 'logMessage', session: 's3', messages: [{ id: 'm2' }], client: 2, error: errors.fk() }),
    ]);
    expect(noFkError.check(h, empty).map((x) => x.calls[0])).toEqual([0, 2]);
  });

  it('stays silent on a correct history', () => {
    const h = history([call({ op: 'createSession' }), call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] })]);
    expect(noFkError.check(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] }))).toEqual([]);
  });

  it('stays silent on a refused invalid call (a domain error, even one wrapping 23503)', () => {
    const h = history([
      call({ op: 'createSession', user: 'u9', valid: false, error: errors.refusal('unknown user t1_u9') }),
      call({ op: 'logMessage', user: 'u9', valid: false, messages: [{ id: 'm1' }], error: errors.refusal('could not log', '23503') }),
    ]);
    expect(noFkError.check(h, empty)).toEqual([]);
  });

  it('stays silent on other raw database errors (no-db-error reports them)', () => {
    const h = history([
      call({ op: 'handleChat', messages: [{ id: 'm1' }, { id: 'm2' }], error: errors.unique() }),
      call({ op: 'logMessage', messages: [{ id: 'm3' }], error: errors.aborted() }),
    ]);
    expect(noFkError.check(h, empty)).toEqual([]);
  });

  it('stays silent on info outcomes (timeout, connection loss)', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], outcome: 'info', error: errors.timeout() }),
      call({ op: 'logMessage', messages: [{ id: 'm2' }], outcome: 'info', error: errors.connection() }),
    ]);
    expect(noFkError.check(h, empty)).toEqual([]);
  });
});
