import { describe, expect, it } from 'vitest';
import { noDuplicates } from './no-duplicates.js';
import { call, contentOf, history, snapshot } from './fixtures/history-fixtures.js';

describe('no-duplicates', () => {
  it('fires on a message id stored twice in one session (a retried insert without idempotency)', () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm3' }] }),
      call({ op: 'handleChat', client: 1, messages: [{ id: 'm3' }] }),
      call({ op: 'logMessage', client: 2, session: 's2', messages: [{ id: 'm4' }] }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1', s2: 'u1' },
      messages: [
        { id: 'm3', session: 's1' },
        { id: 'm3', session: 's1' },
        { id: 'm4', session: 's2' },
      ],
    });
    const v = noDuplicates.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'no-duplicates', calls: [0, 1] });
    expect(v[0]!.message).toBe('message m3 is stored 2 times in session s1');
  });

  it('names every session a duplicated message id is stored in', () => {
    const h = history([call({ messages: [{ id: 'm1' }] }), call({ session: 's2', messages: [{ id: 'm1' }] })]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1', s2: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm1', session: 's2' },
        { id: 'm1', session: 's2' },
      ],
    });
    expect(noDuplicates.check(h, snap).map((x) => x.message)).toEqual(['message m1 is stored 3 times in sessions s1 and s2']);
  });

  it('fires by content when the target gave the rows ids of its own (server-generated ids)', () => {
    const h = history([
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm2' }], invokedAt: 1, completedAt: 2 }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2' }], invokedAt: 3, completedAt: 4 }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'x1', session: 's1', content: contentOf('m2') },
        { id: 'x2', session: 's1', content: contentOf('m2') },
      ],
    });
    const v = noDuplicates.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]!.calls).toEqual([0, 1]);
    expect(v[0]!.message).toBe('message m2 is stored 2 times in session s1 (rows with its content, ids x1, x2)');
  });

  it('fires by content on a snapshot without ids', () => {
    const h = history([call({ messages: [{ id: 'm1' }] })]);
    const snap = snapshot(
      {
        users: ['u1'],
        sessions: { s1: 'u1' },
        messages: [
          { id: 'm1', session: 's1' },
          { id: 'm1', session: 's1' },
        ],
      },
      { withIds: false },
    );
    expect(noDuplicates.check(h, snap).map((x) => x.message)).toEqual([
      'message m1 is stored 2 times in session s1 (rows with its content)',
    ]);
  });

  it('fires on a session id stored twice (a schema without a primary key)', () => {
    const h = history([call({ op: 'createSession', user: 'u1' }), call({ op: 'createSession', user: 'u2', client: 1 })]);
    const snap = snapshot({ users: ['u1', 'u2'] });
    snap.sessions.push({ id: 't1_s1', userId: 't1_u1' }, { id: 't1_s1', userId: 't1_u2' });
    const v = noDuplicates.check(h, snap);
    expect(v).toEqual([{ invariant: 'no-duplicates', calls: [0, 1], message: 'session s1 is stored 2 times (owned by u1 and u2)' }]);
  });

  it('reports a message duplicated by id once, not again by its content', () => {
    const h = history([call({ messages: [{ id: 'm1' }] })]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm1', session: 's1' },
      ],
    });
    expect(noDuplicates.check(h, snap)).toHaveLength(1);
  });

  it('stays silent on the same content under different message ids (two empty messages)', () => {
    const h = history([call({ messages: [{ id: 'm1', content: '' }] }), call({ messages: [{ id: 'm2', content: '' }] })]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1', content: '' },
        { id: 'm2', session: 's1', content: '' },
      ],
    });
    expect(noDuplicates.check(h, snap)).toEqual([]);
    expect(noDuplicates.check(h, { ...snap, messages: snap.messages.map(({ id: _, ...r }) => r) })).toEqual([]);
  });

  it('stays silent on concurrent duplicates stored once, and on an empty snapshot', () => {
    const h = history([
      call({ op: 'handleChat', client: 0, messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], invokedAt: 1, completedAt: 4 }),
      call({ op: 'handleChat', client: 1, messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], invokedAt: 2, completedAt: 3 }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1', role: 'system' },
        { id: 'm2', session: 's1' },
      ],
    });
    expect(noDuplicates.check(h, snap)).toEqual([]);
    expect(noDuplicates.check(history([]), snapshot())).toEqual([]);
  });
});
