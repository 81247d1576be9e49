import { describe, expect, it } from 'vitest';
import { noPhantomWrites } from './no-phantom-writes.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

describe('no-phantom-writes', () => {
  it('fires on a refused call whose message was stored anyway', () => {
    const h = history([
      call({ op: 'createSession', user: 'u1' }),
      call({
        op: 'logMessage',
        user: 'u2',
        client: 1,
        valid: false,
        messages: [{ id: 'm2' }],
        error: errors.refusal('session t1_s1 belongs to another user'),
      }),
    ]);
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] });
    const v = noPhantomWrites.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'no-phantom-writes', calls: [1] });
    expect(v[0]!.message).toBe(
      'message m2 of logMessage(s1, m2, user, u2)@c2 (step 3) is stored in session s1 although the call was refused: session s1 belongs to another user',
    );
  });

  it('fires on a refused handleChat whose last message is stored, found by content without ids', () => {
    const h = history([
      call({
        op: 'handleChat',
        messages: [
          { id: 'm1', role: 'system' },
          { id: 'm2', content: '<script>window.__pwned=1</script> #m2' },
        ],
        error: errors.refusal('could not save the reply', '23505'),
      }),
    ]);
    const snap = snapshot(
      { users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1', content: '<script>window.__pwned=1</script> #m2' }] },
      { withIds: false },
    );
    expect(noPhantomWrites.check(h, snap).map((x) => x.calls)).toEqual([[0]]);
  });

  it('stays silent when another call that did not fail carries the same message (a duplicate or a retry)', () => {
    for (const other of [
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm1' }] }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm1' }], outcome: 'info', error: errors.timeout() }),
    ]) {
      const h = history([call({ op: 'logMessage', messages: [{ id: 'm1' }], error: errors.refusal('message id in use') }), other]);
      const snap = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
      expect(noPhantomWrites.check(h, snap)).toEqual([]);
    }
  });

  it('stays silent on info outcomes and raw database errors (judged by other invariants)', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], outcome: 'info', error: errors.connection() }),
      call({ op: 'logMessage', messages: [{ id: 'm2' }], error: errors.unique('chat_messages_pkey') }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm2', session: 's1' },
      ],
    });
    expect(noPhantomWrites.check(h, snap)).toEqual([]);
  });

  it('stays silent on refusals that left nothing behind, and on refused calls without a message', () => {
    const h = history([
      call({
        op: 'logMessage',
        user: 'u9',
        valid: false,
        messages: [{ id: 'm1', content: 'a\u0000b #m1' }],
        error: errors.refusal('NUL byte'),
      }),
      call({ op: 'createSession', user: 'u9', valid: false, error: errors.refusal('unknown user t1_u9') }),
      call({ op: 'deleteSession', user: 'u2', valid: false, error: errors.refusal('not your session') }),
    ]);
    expect(noPhantomWrites.check(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' } }))).toEqual([]);
  });
});
