import { describe, expect, it } from 'vitest';
import { deleteOwnership } from './delete-ownership.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

describe('delete-ownership', () => {
  it("fires when another user's delete succeeded and the owner's session is gone", () => {
    const h = history([
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u2', client: 1, valid: false }),
    ]);
    const v = deleteOwnership.check(h, snapshot({ users: ['u1', 'u2'] }));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: 'delete-ownership', calls: [1] });
    expect(v[0]!.message).toBe("deleteSession(s1, u2)@c2 (step 3) by u2 (ok) deleted u1's session s1: session s1 is gone");
  });

  it("fires when the owner's acked message is gone after another user's delete, also when the session came back", () => {
    const h = history([
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u2', client: 1, valid: false }),
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm2' }] }),
    ]);
    const v = deleteOwnership.check(h, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] }));
    expect(v.map((x) => x.message)).toEqual([
      "deleteSession(s1, u2)@c2 (step 3) by u2 (ok) deleted u1's session s1: message m1 (acked to logMessage(s1, m1, user, u1)@c1 (step 1)) is gone",
    ]);
  });

  it('fires on a soft delete by another user (the session is flagged deleted)', () => {
    const h = history([
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u2', client: 1, valid: false }),
    ]);
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    snap.sessions[0]!.deleted = true;
    expect(deleteOwnership.check(h, snap).map((x) => x.calls)).toEqual([[1]]);
  });

  it("passes when another user's delete was refused, or acknowledged but removed nothing", () => {
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    for (const outcome of [{ error: errors.refusal('not your session') }, {}]) {
      const h = history([
        call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
        call({ op: 'deleteSession', user: 'u2', client: 1, valid: false, ...outcome }),
      ]);
      expect(deleteOwnership.check(h, snap)).toEqual([]);
    }
  });

  it("passes when the owner's own delete explains what is gone, and when the session did not exist before the delete", () => {
    const h = history([
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
      call({ op: 'deleteSession', user: 'u2', client: 1, valid: false }),
      call({ op: 'deleteSession', user: 'u1' }),
    ]);
    expect(deleteOwnership.check(h, snapshot({ users: ['u1', 'u2'] }))).toEqual([]);
    const early = history([
      call({ op: 'deleteSession', user: 'u2', client: 1, valid: false }),
      call({ op: 'logMessage', user: 'u1', messages: [{ id: 'm1' }] }),
    ]);
    expect(
      deleteOwnership.check(early, snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] })),
    ).toEqual([]);
  });
});
