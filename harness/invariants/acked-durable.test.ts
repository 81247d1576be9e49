import { describe, expect, it } from 'vitest';
import { ackedDurable } from './acked-durable.js';
import { call, contentOf, errors, history, phys, snapshot } from './fixtures/history-fixtures.js';
import type { History } from '../history/history.js';
import type { Snapshot } from '../contract/define-target.js';

describe('acked-durable', () => {
  it('fires on a message stored altered: a 100 kB message truncated, a role changed', () => {
    const long = 'x'.repeat(102_400);
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1', content: long }] }),
      call({ op: 'logMessage', messages: [{ id: 'm2', role: 'assistant' }] }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1', content: long.slice(0, 65_535) },
        { id: 'm2', session: 's1', role: 'user' },
      ],
    });
    const v = ackedDurable.check(h, snap);
    expect(v.map((x) => x.message)).toEqual([
      'message m1 (acked to logMessage(s1, m1, user, u1)@c1 (step 1)) is stored altered in session s1: content of 102400 characters stored as 65535, first difference at character 65536',
      'message m2 (acked to logMessage(s1, m2, assistant, u1)@c1 (step 3)) is stored altered in session s1: role assistant stored as user',
    ]);
  });

  it('counts characters, not UTF-16 units, and sees a Unicode normalisation (NFC of a combining sequence) as an alteration', () => {
    const sent = 'e\u0301 😀 done';
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm1', content: sent }] })]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [{ id: 'm1', session: 's1', content: sent.normalize('NFC') }],
    });
    const v = ackedDurable.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toMatch(/content of 9 characters stored as 8, first difference at character 1$/);
    expect(
      ackedDurable.check(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1', content: sent }] })),
    ).toEqual([]);
  });

  it('fires on a message acked but missing from the snapshot', () => {
    const h = history([call({ op: 'createSession' }), call({ op: 'logMessage', messages: [{ id: 'm2' }] })]);
    const v = ackedDurable.check(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' } }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'acked-durable', calls: [1] });
    expect(v[0]!.message).toBe('message m2 (acked to logMessage(s1, m2, user, u1)@c1 (step 3)) is missing from session s1');
  });

  it('fires on a message stored in the wrong session', () => {
    const h = history([
      call({ op: 'handleChat', session: 's1', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] }),
      call({ op: 'handleChat', session: 's2', client: 1, messages: [{ id: 'm3' }] }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1', s2: 'u1' },
      messages: [
        { id: 'm3', session: 's2' },
        { id: 'm2', session: 's2' },
      ],
    });
    const v = ackedDurable.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]!.calls).toEqual([0]);
    expect(v[0]!.message).toContain('message m2');
    expect(v[0]!.message).toContain('is stored in session s2, not s1');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it("fires when an acked call's session does not exist, and reports only that for the call", () => {
    const h = history([call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] })]);
    const v = ackedDurable.check(h, snapshot({ users: ['u1'] }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'acked-durable', calls: [0] });
    expect(v[0]!.message).toBe('handleChat(s1, [system,user], m2, u1)@c1 (step 1) succeeded but session s1 does not exist');
  });

  it('fires when the session is owned by a user who never wrote to it', () => {
    const h = history([call({ op: 'createSession', session: 's1', user: 'u1' })]);
    const v = ackedDurable.check(h, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u2' } }));
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('session s1 is owned by u2, who never wrote to it');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('fires when the message is missing by content, on a snapshot without ids', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm1' }] })]);
    const snap = snapshot(
      { users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'mX', session: 's1', content: 'something else' }] },
      { withIds: false },
    );
    expect(ackedDurable.check(h, snap).map((v) => v.calls)).toEqual([[0]]);
  });

  it('checks only the last message of handleChat', () => {
    const h = history([
      call({
        op: 'handleChat',
        messages: [
          { id: 'm1', role: 'system' },
          { id: 'm2', role: 'user' },
        ],
      }),
    ]);
    const lastOnly = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] });
    expect(ackedDurable.check(h, lastOnly)).toEqual([]);
    const firstOnly = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1', role: 'system' }] });
    const v = ackedDurable.check(h, firstOnly);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain('message m2');
  });

  it('stays silent on a correct history', () => {
    const h = history([
      call({ op: 'createSession' }),
      call({ op: 'logMessage', messages: [{ id: 'm1' }] }),
      call({ op: 'logMessage', messages: [{ id: 'm2', role: 'assistant' }] }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm2', session: 's1', role: 'assistant' },
      ],
    });
    expect(ackedDurable.check(h, snap)).toEqual([]);
  });

  it('stays silent when the message is found by content and the snapshot has no ids', () => {
    const h = history([
      call({
        op: 'handleChat',
        messages: [
          { id: 'm1', role: 'system' },
          { id: 'm2', content: "héllo 👋 '; DROP TABLE users; --" },
        ],
      }),
    ]);
    const snap = snapshot(
      { users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'whatever', session: 's1', content: "héllo 👋 '; DROP TABLE users; --" }] },
      { withIds: false },
    );
    expect(snap.messages[0]).not.toHaveProperty('id');
    expect(ackedDurable.check(h, snap)).toEqual([]);
  });

  it('stays silent on a second writer from the same user (concurrent first requests both acked)', () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 3 }),
      call({ op: 'handleChat', client: 1, messages: [{ id: 'm2' }], invokedAt: 2, completedAt: 4 }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm2', session: 's1' },
        { id: 'm1', session: 's1' },
      ],
    });
    expect(ackedDurable.check(h, snap)).toEqual([]);
  });

  it('stays silent when another user who also wrote owns the session (session-ownership judges cross-user writes)', () => {
    const h = history([call({ op: 'createSession', user: 'u1' }), call({ op: 'createSession', user: 'u2', client: 1, valid: false })]);
    expect(ackedDurable.check(h, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' } }))).toEqual([]);
    // The owner's only call timed out but took effect: it still counts as a writer.
    const h2 = history([
      call({ op: 'createSession', user: 'u1', outcome: 'info', error: errors.timeout() }),
      call({ op: 'createSession', user: 'u2', client: 1, valid: false }),
    ]);
    expect(ackedDurable.check(h2, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' } }))).toEqual([]);
  });

  it('stays silent on a session that a deleteSession may have removed (acked or unknown outcome)', () => {
    for (const del of [
      call({ op: 'deleteSession', client: 1 }),
      call({ op: 'deleteSession', client: 1, outcome: 'info', error: errors.timeout() }),
    ]) {
      const h = history([
        call({ op: 'createSession' }),
        call({ op: 'logMessage', messages: [{ id: 'm1' }], invokedAt: 3, completedAt: 6 }),
        { ...del, invokedAt: 4, completedAt: 5 },
      ]);
      expect(ackedDurable.check(h, snapshot({ users: ['u1'] }))).toEqual([]);
    }
  });

  it('still fires when the deleteSession was refused (it cannot have removed the session)', () => {
    const h = history([
      call({ op: 'createSession' }),
      call({ op: 'logMessage', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u2', valid: false, client: 1, error: errors.refusal('not your session') }),
    ]);
    const v = ackedDurable.check(h, snapshot({ users: ['u1', 'u2'] }));
    expect(v.map((x) => x.calls)).toEqual([[0], [1]]);
  });

  it('fires on a call acked after the deleteSession had completed: its session must exist again', () => {
    // delete-while-logging: the deletion resolved at step 4, the createSession began at step 5
    // on the (now new) session and was acked, so its effect must be in the snapshot.
    const h = history([
      call({ op: 'createSession', invokedAt: 1, completedAt: 2 }),
      call({ op: 'deleteSession', invokedAt: 3, completedAt: 4 }),
      call({ op: 'createSession', invokedAt: 5, completedAt: 6 }),
    ]);
    const v = ackedDurable.check(h, snapshot({ users: ['u1'] }));
    expect(v.map((x) => x.calls)).toEqual([[2]]);
    expect(v[0]!.message).toContain('session s1 does not exist');
  });

  it('stays silent on failed and info calls, whatever the snapshot holds', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], error: errors.fk() }),
      call({ op: 'logMessage', messages: [{ id: 'm2' }], outcome: 'info', error: errors.timeout() }),
      call({ op: 'handleChat', session: 's2', user: 'u9', valid: false, messages: [{ id: 'm3' }], error: errors.refusal('unknown user') }),
    ]);
    expect(ackedDurable.check(h, snapshot())).toEqual([]);
  });
});

describe('acked-durable with declared app semantics (issue 24)', () => {
  it('compares a row with the content the app declared it stores (api.input.normalize), not the content sent', () => {
    const c = call({ op: 'logMessage', messages: [{ id: 'm1', content: 'a\u0000b' }] });
    c.message!.stored = 'ab';
    const h = history([c]);
    const stripped = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1', content: 'ab' }] });
    expect(ackedDurable.check(h, stripped)).toEqual([]);
    const kept = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1', content: 'a\u0000b' }] });
    expect(ackedDurable.check(h, kept).map((v) => v.message)).toEqual([expect.stringContaining('is stored altered')]);
  });

  it('with server-minted ids, catches a lost message whose content repeats another one', () => {
    const ok1 = call({ op: 'logMessage', messages: [{ id: 'm1', content: 'ok' }] });
    const ok2 = call({ op: 'logMessage', messages: [{ id: 'm2', content: 'ok' }] });
    ok1.message!.serverId = '101';
    ok2.message!.serverId = '102';
    const h: History = { ...history([ok1, ok2]), semantics: { messageIds: 'server' } };
    const snap: Snapshot = {
      users: [{ id: 't1_u1' }],
      sessions: [{ id: 't1_s1', userId: 't1_u1' }],
      messages: [{ id: '101', sessionId: 't1_s1', role: 'user', content: 'ok' }],
    };
    const v = ackedDurable.check(h, snap);
    expect(v.map((x) => x.calls)).toEqual([[1]]);
    expect(v[0]!.message).toContain('message m2');
    expect(v[0]!.message).toContain('is missing from session s1');
    // Both there: no finding; without server ids the same rows could not be told apart (silence, not a guess).
    const both = { ...snap, messages: [...snap.messages, { id: '102', sessionId: 't1_s1', role: 'user', content: 'ok' }] };
    expect(ackedDurable.check(h, both)).toEqual([]);
  });
});
