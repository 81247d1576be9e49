import { describe, expect, it } from 'vitest';
import { deletedStaysDeleted } from './deleted-stays-deleted.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';
import type { History } from '../history/history.js';

const tombstones = (h: History): History => ({ ...h, semantics: { afterDelete: 'refuse', softDelete: true } });

describe('deleted-stays-deleted', () => {
  it('fires when a message written before the delete is still visible (a delete that removed nothing)', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm1' }] }), call({ op: 'deleteSession' })]);
    const v = deletedStaysDeleted.check(h, snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'deleted-stays-deleted', calls: [0, 1] });
    expect(v[0]!.message).toBe(
      'message m1 of logMessage(s1, m1, user, u1)@c1 (step 1) is still visible in session s1 after deleteSession(s1, u1)@c1 (step 3) succeeded',
    );
  });

  it('passes a soft delete that flags the session or the messages, and a hard delete', () => {
    const h = history([call({ op: 'logMessage', messages: [{ id: 'm1' }] }), call({ op: 'deleteSession' })]);
    const flaggedSession = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    flaggedSession.sessions[0]!.deleted = true;
    const flaggedMessage = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    flaggedMessage.messages[0]!.deleted = true;
    for (const snap of [flaggedSession, flaggedMessage, snapshot({ users: ['u1'] })])
      expect(deletedStaysDeleted.check(h, snap)).toEqual([]);
  });

  it('passes writes racing the delete and, by default (recreate), writes after it', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], invokedAt: 1, completedAt: 4 }),
      call({ op: 'deleteSession', client: 1, invokedAt: 2, completedAt: 3 }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2' }], invokedAt: 5, completedAt: 6 }),
    ]);
    const snap = snapshot({
      users: ['u1'],
      sessions: { s1: 'u1' },
      messages: [
        { id: 'm1', session: 's1' },
        { id: 'm2', session: 's1' },
      ],
    });
    expect(deletedStaysDeleted.check(h, snap)).toEqual([]);
  });

  it("ignores another user's delete, which may rightly remove nothing", () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u2', client: 1, valid: false }),
    ]);
    expect(
      deletedStaysDeleted.check(h, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] })),
    ).toEqual([]);
  });

  it("with afterDelete 'refuse', fires on a write accepted after the delete of an existing session (a soft delete that keeps accepting)", () => {
    const h = tombstones(
      history([
        call({ op: 'createSession' }),
        call({ op: 'deleteSession' }),
        call({ op: 'logMessage', messages: [{ id: 'm2' }], valid: false }),
      ]),
    );
    const snap = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] });
    snap.sessions[0]!.deleted = true;
    const v = deletedStaysDeleted.check(h, snap);
    expect(v.map((x) => x.calls)).toEqual([[1, 2]]);
    expect(v[0]!.message).toBe(
      "logMessage(s1, m2, user, u1)@c1 (step 5) succeeded on session s1 after deleteSession(s1, u1)@c1 (step 3) deleted it (the target declares afterDelete: 'refuse')",
    );
    // Refused: the tombstone holds.
    const refused = tombstones(
      history([
        call({ op: 'createSession' }),
        call({ op: 'deleteSession' }),
        call({ op: 'logMessage', messages: [{ id: 'm2' }], valid: false, error: errors.refusal('session is deleted') }),
      ]),
    );
    expect(deletedStaysDeleted.check(refused, snapshot({ users: ['u1'] }))).toEqual([]);
    // A delete of a session that never existed leaves no tombstone.
    const none = tombstones(history([call({ op: 'deleteSession' }), call({ op: 'createSession', valid: false })]));
    expect(deletedStaysDeleted.check(none, snapshot({ users: ['u1'], sessions: { s1: 'u1' } }))).toEqual([]);
  });
});
