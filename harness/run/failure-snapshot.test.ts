import { describe, expect, it } from 'vitest';
import { call, errors, history, snapshot } from '../invariants/fixtures/history-fixtures.js';
import { failureSnapshot } from './failure-snapshot.js';

describe('failureSnapshot', () => {
  it('prints ids without the trial prefix and leaves clean rows unmarked', () => {
    const h = history([call({ op: 'createSession' }), call({ messages: [{ id: 'm1' }] })]);
    const snap = failureSnapshot(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] }));
    expect(snap).toEqual({
      users: [{ id: 'u1' }],
      sessions: [{ id: 's1', userId: 'u1' }],
      messages: [{ id: 'm1', sessionId: 's1', role: 'user', content: 'content of m1', contentLength: 13, call: 1 }],
      missing: [],
    });
  });

  it('marks orphans: a message whose session is gone, a session whose user is gone', () => {
    const h = history([call({ messages: [{ id: 'm1' }], session: 's2' }), call({ op: 'createSession', session: 's3', user: 'u9' })]);
    const snap = failureSnapshot(h, snapshot({ users: ['u1'], sessions: { s3: 'u9' }, messages: [{ id: 'm1', session: 's2' }] }));
    expect(snap.messages[0]!.marks).toEqual(['orphan']);
    expect(snap.sessions[0]).toEqual({ id: 's3', userId: 'u9', marks: ['orphan'] });
  });

  it('marks duplicates by id and, without ids, by the trial-unique content', () => {
    const h = history([call({ messages: [{ id: 'm1' }] }), call({ messages: [{ id: 'm1' }], client: 1 })]);
    const byId = failureSnapshot(
      h,
      snapshot({
        users: ['u1'],
        sessions: { s1: 'u1' },
        messages: [
          { id: 'm1', session: 's1' },
          { id: 'm1', session: 's1' },
        ],
      }),
    );
    expect(byId.messages.map((m) => m.marks)).toEqual([['duplicate'], ['duplicate']]);
    const byContent = failureSnapshot(
      h,
      snapshot(
        {
          users: ['u1'],
          sessions: { s1: 'u1' },
          messages: [
            { id: 'm1', session: 's1' },
            { id: 'm1', session: 's1' },
          ],
        },
        { withIds: false },
      ),
    );
    expect(byContent.messages.map((m) => m.marks)).toEqual([['duplicate'], ['duplicate']]);
    expect(byContent.messages[0]!.id).toBeUndefined();
  });

  it('marks a message stored by a call that was refused as a phantom, and one stored in another session as misplaced', () => {
    const h = history([
      call({ op: 'createSession', session: 's1' }),
      call({ messages: [{ id: 'm1' }], error: errors.refusal('refused') }),
      call({ messages: [{ id: 'm2' }], session: 's2', client: 1 }),
    ]);
    const snap = failureSnapshot(
      h,
      snapshot({
        users: ['u1'],
        sessions: { s1: 'u1' },
        messages: [
          { id: 'm1', session: 's1' },
          { id: 'm2', session: 's1' },
        ],
      }),
    );
    expect(snap.messages.map((m) => [m.id, m.marks, m.call])).toEqual([
      ['m1', ['phantom'], 1],
      ['m2', ['misplaced'], 2],
    ]);
  });

  it('lists acknowledged messages the database does not hold, but not those a concurrent delete may have removed', () => {
    const h = history([
      call({ messages: [{ id: 'm1', content: '<script>window.__pwned=1</script>' }] }),
      call({ messages: [{ id: 'm2' }], session: 's2', client: 1 }),
      call({ op: 'deleteSession', session: 's2', client: 2, invokedAt: 3, completedAt: 9 }),
    ]);
    const snap = failureSnapshot(h, snapshot({ users: ['u1'], sessions: {}, messages: [] }));
    expect(snap.missing).toEqual([
      { id: 'm1', sessionId: 's1', role: 'user', content: '<script>window.__pwned=1</script>', contentLength: 33, call: 0 },
    ]);
  });

  it('keeps results.json small: 100 kB content is clipped and rows are capped, saying how many were left out', () => {
    const big = 'x'.repeat(100_000);
    const h = history([call({ messages: [{ id: 'm0', content: big }] })]);
    const rows = Array.from({ length: 250 }, (_, i) => ({ id: `m${i}`, session: 's1', content: i === 0 ? big : `c${i}` }));
    const snap = failureSnapshot(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: rows }));
    expect(snap.messages).toHaveLength(200);
    expect(snap.omitted).toEqual({ messages: 50 });
    expect(snap.messages[0]!.contentLength).toBe(100_000);
    expect(snap.messages[0]!.content.length).toBeLessThan(400);
  });
});
