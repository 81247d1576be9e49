import { describe, expect, it } from 'vitest';
import { orderPreserved } from './order-preserved.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

const users = ['u1'];

describe('order-preserved', () => {
  it("fires when a message acked before another call began is shown after that call's message", () => {
    const h = history([
      call({ op: 'handleChat', messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 2 }),
      call({ op: 'logMessage', messages: [{ id: 'm2', role: 'assistant' }], invokedAt: 3, completedAt: 4 }),
    ]);
    const snap = snapshot({
      users,
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm2', session: 's1', role: 'assistant' },
        { id: 'm1', session: 's1' },
      ],
    });
    const v = orderPreserved.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'order-preserved', calls: [0, 1] });
    expect(v[0]!.message).toBe(
      "message m1 of handleChat(s1, [user], m1, u1)@c1 (step 1) is shown after message m2 of logMessage(s1, m2, assistant, u1)@c1 (step 3) in session s1, although m1's call succeeded before m2's began",
    );
  });

  it('fires across clients, and on a snapshot without ids (matched by content)', () => {
    const h = history([
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 2 }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2' }], invokedAt: 3, completedAt: 5 }),
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm3' }], invokedAt: 4, completedAt: 6 }),
    ]);
    const snap = snapshot(
      {
        users,
        sessions: { s1: 'u1' },
        messages: [
          { id: 'm3', session: 's1' },
          { id: 'm2', session: 's1' },
          { id: 'm1', session: 's1' },
        ],
      },
      { withIds: false },
    );
    expect(orderPreserved.check(h, snap).map((x) => x.calls)).toEqual([
      [0, 1],
      [0, 2],
    ]);
  });

  it('stays silent on overlapping calls, whatever order they were stored in (user message and reply logged at once)', () => {
    const h = history([
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 4 }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2', role: 'assistant' }], invokedAt: 2, completedAt: 3 }),
    ]);
    const snap = snapshot({
      users,
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm2', session: 's1', role: 'assistant' },
        { id: 'm1', session: 's1' },
      ],
    });
    expect(orderPreserved.check(h, snap)).toEqual([]);
  });

  it('stays silent when the later message was already carried by a call that began earlier (a duplicate)', () => {
    const h = history([
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2' }], invokedAt: 1, completedAt: 6 }),
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm1' }], invokedAt: 2, completedAt: 3 }),
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm2' }], invokedAt: 4, completedAt: 5 }),
    ]);
    const snap = snapshot({
      users,
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm2', session: 's1' },
        { id: 'm1', session: 's1' },
      ],
    });
    expect(orderPreserved.check(h, snap)).toEqual([]);
  });

  it('stays silent on different sessions, failed calls and messages missing from the snapshot', () => {
    const h = history([
      call({ op: 'logMessage', session: 's1', messages: [{ id: 'm1' }] }),
      call({ op: 'logMessage', session: 's2', messages: [{ id: 'm2' }] }),
      call({ op: 'logMessage', session: 's1', messages: [{ id: 'm3' }], error: errors.refusal('session t1_s1 is being deleted') }),
      call({ op: 'logMessage', session: 's1', messages: [{ id: 'm4' }] }),
    ]);
    const snap = snapshot({
      users,
      sessions: { s1: 'u1', s2: 'u1' },
      messages: [
        { id: 'm3', session: 's1' },
        { id: 'm4', session: 's1' },
        { id: 'm2', session: 's2' },
      ],
    });
    // m1 is missing (acked-durable's business); m3's call failed (no-phantom-writes' business).
    expect(orderPreserved.check(h, snap)).toEqual([]);
  });

  it('stays silent on a conversation stored in order', () => {
    const h = history([
      call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] }),
      call({ op: 'logMessage', messages: [{ id: 'm3', role: 'assistant' }] }),
      call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }, { id: 'm3', role: 'assistant' }, { id: 'm4' }] }),
    ]);
    const snap = snapshot({
      users,
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm2', session: 's1' },
        { id: 'm3', session: 's1', role: 'assistant' },
        { id: 'm4', session: 's1' },
      ],
    });
    expect(orderPreserved.check(h, snap)).toEqual([]);
  });
});

describe('order-preserved around deletes', () => {
  it('stays silent when a delete between the calls let a duplicate store the earlier message again, later', () => {
    const h = history([
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 9 }),
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm1' }], invokedAt: 2, completedAt: 3 }),
      call({ op: 'deleteSession', client: 0, invokedAt: 4, completedAt: 5 }),
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm2' }], invokedAt: 6, completedAt: 7 }),
    ]);
    const snap = snapshot({
      users,
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm2', session: 's1' },
        { id: 'm1', session: 's1' },
      ],
    });
    expect(orderPreserved.check(h, snap)).toEqual([]);
    // A refused delete removed nothing: the order is judged.
    const refused = history(
      h.calls.map((c) => (c.op === 'deleteSession' ? { ...c, outcome: 'fail' as const, error: errors.refusal('no') } : c)),
    );
    expect(orderPreserved.check(refused, snap).map((x) => x.calls)).toEqual([[1, 3]]);
  });
});
