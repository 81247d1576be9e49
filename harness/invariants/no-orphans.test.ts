import { describe, expect, it } from 'vitest';
import { noOrphans } from './no-orphans.js';
import { call, history, snapshot } from './fixtures/history-fixtures.js';

describe('no-orphans', () => {
  it('fires on a session whose user row is missing (a schema without foreign keys)', () => {
    const h = history([
      call({ op: 'createSession', session: 's1', user: 'u1' }),
      call({ op: 'logMessage', session: 's1', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'createSession', session: 's2', user: 'u2', client: 1 }),
    ]);
    const snap = snapshot({
      users: ['u2'],
      sessions: { s1: 'u1', s2: 'u2' },
      messages: [{ id: 'm1', session: 's1' }],
    });
    const v = noOrphans.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]!.invariant).toBe('no-orphans');
    expect(v[0]!.calls).toEqual([0, 1]);
    expect(v[0]!.message).toBe('session s1 belongs to user u1, who does not exist');
  });

  it('fires on a message whose session is missing, naming the message by id', () => {
    const h = history([
      call({ op: 'logMessage', session: 's1', messages: [{ id: 'm2', role: 'assistant' }] }),
      call({ op: 'createSession', session: 's3', client: 1 }),
    ]);
    const snap = snapshot({ users: ['u1'], sessions: { s3: 'u1' }, messages: [{ id: 'm2', session: 's1', role: 'assistant' }] });
    const v = noOrphans.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'no-orphans', calls: [0] });
    expect(v[0]!.message).toContain('message m2');
    expect(v[0]!.message).toContain('session s1');
    expect(v[0]!.message).not.toContain('t1_');
  });

  it('names a message by its role when the snapshot has no message ids', () => {
    const h = history([call({ op: 'logMessage', session: 's2', messages: [{ id: 'm1', role: 'tool' }] })]);
    const snap = snapshot({ users: ['u1'], messages: [{ id: 'm1', session: 's2', role: 'tool' }] }, { withIds: false });
    const v = noOrphans.check(h, snap);
    expect(v.map((x) => x.message)).toEqual(['a tool message is stored in session s2, which does not exist']);
    expect(v[0]!.calls).toEqual([0]);
  });

  it('reports sessions before messages, one violation per orphan row', () => {
    const h = history([call({ op: 'createSession', session: 's1' }), call({ op: 'logMessage', session: 's9', messages: [{ id: 'm1' }] })]);
    const snap = snapshot({
      users: [],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's9' },
        { id: 'm2', session: 's9' },
      ],
    });
    const v = noOrphans.check(h, snap);
    expect(v.map((x) => x.message)).toEqual([
      'session s1 belongs to user u1, who does not exist',
      'message m1 is stored in session s9, which does not exist',
      'message m2 is stored in session s9, which does not exist',
    ]);
    expect(v.map((x) => x.calls)).toEqual([[0], [1], [1]]);
  });

  it('fires when a deleted session leaves its messages behind (no cascade)', () => {
    const h = history([call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] }), call({ op: 'deleteSession' })]);
    const snap = snapshot({ users: ['u1'], messages: [{ id: 'm2', session: 's1' }] });
    const v = noOrphans.check(h, snap);
    expect(v).toHaveLength(1);
    expect(v[0]!.calls).toEqual([0, 1]);
  });

  it('reports an orphan no call touched with no calls', () => {
    const v = noOrphans.check(history([]), snapshot({ sessions: { s5: 'u5' } }));
    expect(v).toEqual([{ invariant: 'no-orphans', calls: [], message: 'session s5 belongs to user u5, who does not exist' }]);
  });

  it('stays silent on a consistent snapshot', () => {
    const h = history([
      call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }] }),
      call({ op: 'logMessage', session: 's2', user: 'u2', client: 1, messages: [{ id: 'm3' }] }),
    ]);
    const snap = snapshot({
      users: ['u1', 'u2'],
      sessions: { s1: 'u1', s2: 'u2' },
      messages: [
        { id: 'm2', session: 's1' },
        { id: 'm3', session: 's2' },
      ],
    });
    expect(noOrphans.check(h, snap)).toEqual([]);
    expect(
      noOrphans.check(
        h,
        snapshot(
          {
            users: ['u1', 'u2'],
            sessions: { s1: 'u1', s2: 'u2' },
            messages: [
              { id: 'm2', session: 's1' },
              { id: 'm3', session: 's2' },
            ],
          },
          { withIds: false },
        ),
      ),
    ).toEqual([]);
  });

  it('stays silent on an empty snapshot and on a session deleted together with its messages', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm1' }] }), call({ op: 'deleteSession' })]);
    expect(noOrphans.check(h, snapshot({ users: ['u1'] }))).toEqual([]);
    expect(noOrphans.check(history([]), snapshot())).toEqual([]);
  });

  it('stays silent on a user with no sessions (registered users need not write)', () => {
    expect(noOrphans.check(history([]), snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' } }))).toEqual([]);
  });
});
