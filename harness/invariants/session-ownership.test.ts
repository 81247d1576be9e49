import { describe, expect, it } from 'vitest';
import { sessionOwnership } from './session-ownership.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

describe('session-ownership', () => {
  it("fires on another user's message that landed in the session (cross-user append)", () => {
    const h = history([
      call({ op: 'createSession', user: 'u1' }),
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'logMessage', user: 'u2', client: 1, valid: false, messages: [{ id: 'm2' }] }),
    ]);
    const snap = snapshot({
      users: ['u1', 'u2'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm2', session: 's1' },
      ],
    });
    const v = sessionOwnership.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'session-ownership', calls: [2] });
    expect(v[0]!.message).toBe('message m2 of logMessage(s1, m2, user, u2)@c2 (step 5) (ok) landed in session s1, which belongs to u1');
  });

  it('fires even when the intruding call was refused or timed out, if its message is there', () => {
    for (const outcome of [{ error: errors.refusal('not your session') }, { outcome: 'info' as const, error: errors.timeout() }]) {
      const h = history([
        call({ op: 'createSession', user: 'u1' }),
        call({ op: 'handleChat', user: 'u2', client: 1, valid: false, messages: [{ id: 'm2' }], ...outcome }),
      ]);
      const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] });
      expect(sessionOwnership.check(h, snap).map((x) => x.calls)).toEqual([[1]]);
    }
  });

  it('fires when the session changed hands: the owner is not the user of its first successful write', () => {
    const h = history([call({ op: 'createSession', user: 'u1' }), call({ op: 'createSession', user: 'u2', client: 1, valid: false })]);
    const v = sessionOwnership.check(h, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u2' } }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ calls: [0] });
    expect(v[0]!.message).toBe('session s1 is owned by u2, but its first successful write was createSession(s1, u1)@c1 (step 1) by u1');
  });

  it('takes the first successful write by completion, not by invocation', () => {
    const h = history([
      call({ op: 'handleChat', user: 'u1', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 4 }),
      call({ op: 'handleChat', user: 'u2', client: 1, messages: [{ id: 'm2' }], invokedAt: 2, completedAt: 3 }),
    ]);
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u2' }, messages: [{ id: 'm2', session: 's1' }] });
    expect(sessionOwnership.check(h, snap)).toEqual([]);
    const wrong = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    expect(sessionOwnership.check(h, wrong).map((x) => x.calls)).toEqual([[1]]);
  });

  it('finds the intruding message by content on a snapshot without ids', () => {
    const h = history([
      call({ op: 'createSession', user: 'u1' }),
      call({
        op: 'logMessage',
        user: 'u2',
        client: 1,
        valid: false,
        messages: [{ id: 'm2', content: "'); DROP TABLE chat_messages; --" }],
      }),
    ]);
    const snap = snapshot(
      { users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1', content: "'); DROP TABLE chat_messages; --" }] },
      { withIds: false },
    );
    expect(sessionOwnership.check(h, snap).map((x) => x.calls)).toEqual([[1]]);
  });

  it('stays silent when another user was refused and left nothing behind', () => {
    const h = history([
      call({ op: 'createSession', user: 'u1' }),
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({
        op: 'logMessage',
        user: 'u2',
        client: 1,
        valid: false,
        messages: [{ id: 'm2' }],
        error: errors.refusal('session t1_s1 belongs to another user'),
      }),
      call({ op: 'createSession', user: 'u2', client: 1, valid: false, error: errors.refusal('session t1_s1 belongs to another user') }),
    ]);
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    expect(sessionOwnership.check(h, snap)).toEqual([]);
  });

  it('stays silent when a session deleted by its owner is created anew by another user', () => {
    const h = history([
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u1' }),
      call({ op: 'logMessage', user: 'u2', client: 1, messages: [{ id: 'm2' }] }),
    ]);
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u2' }, messages: [{ id: 'm2', session: 's1' }] });
    expect(sessionOwnership.check(h, snap)).toEqual([]);
    // …but after the delete, the first write still decides who owns it.
    const wrong = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' } });
    expect(sessionOwnership.check(h, wrong).map((x) => x.calls)).toEqual([[2]]);
  });

  it('stays silent on sessions no call touched, on missing sessions and on an empty trial', () => {
    expect(
      sessionOwnership.check(
        history([call({ op: 'createSession', session: 's2' })]),
        snapshot({ users: ['u1'], sessions: { s9: 'u1' }, messages: [{ id: 'm1', session: 's3' }] }),
      ),
    ).toEqual([]);
    expect(sessionOwnership.check(history([]), snapshot())).toEqual([]);
  });
});
