import { describe, expect, it } from 'vitest';
import { checkInvariants } from './check-invariants.js';
import { builtinInvariants } from './builtin-invariants.js';
import { INVARIANT_NAMES } from '../contract/define-target.js';
import type { Invariant } from './invariant.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

// One trial that breaks every built-in invariant once:
//   c0 handleChat(s1, [system,user]) fails with 23503 (no-fk-error, valid-calls-succeed)
//   c1 handleChat(s2, [user]) loses the race with 23505 (no-db-error, valid-calls-succeed)
//   c2 logMessage(s3, m4) is acked but missing (acked-durable)
//   the snapshot holds s3 owned by u9, whose user row is missing (no-orphans)
function brokenTrial() {
  const h = history([
    call({ op: 'handleChat', session: 's1', client: 0, messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], error: errors.fk() }),
    call({ op: 'handleChat', session: 's2', client: 1, messages: [{ id: 'm3' }], error: errors.unique() }),
    call({ op: 'logMessage', session: 's3', user: 'u9', client: 2, valid: false, messages: [{ id: 'm4' }] }),
  ]);
  const snap = snapshot({ users: ['u1'], sessions: { s3: 'u9' } });
  return { h, snap };
}

describe('checkInvariants', () => {
  it("reports violations in the invariants' priority order", () => {
    const { h, snap } = brokenTrial();
    const v = checkInvariants(h, snap);
    expect(v.map((x) => [x.invariant, x.calls])).toEqual([
      ['no-fk-error', [0]],
      ['no-db-error', [1]],
      ['no-orphans', [2]],
      ['acked-durable', [2]],
      ['valid-calls-succeed', [0]],
      ['valid-calls-succeed', [1]],
    ]);
    for (const x of v) expect(x.message).not.toContain('t1_');
  });

  it('puts the first violation of the highest-priority invariant first, whatever the call order', () => {
    const h = history([
      call({ op: 'logMessage', session: 's2', messages: [{ id: 'm9' }], error: errors.unique('chat_messages_pkey') }),
      call({ op: 'handleChat', messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], error: errors.fk() }),
    ]);
    expect(checkInvariants(h, snapshot())[0]).toMatchObject({ invariant: 'no-fk-error', calls: [1] });
  });

  it('names a leak before the timeouts it causes: a starved call is a symptom, the leak its cause', () => {
    const h = history([
      call({ op: 'logMessage', client: 0, messages: [{ id: 'm1' }], leak: 'kept 1 connection checked out' }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2' }], outcome: 'info', error: errors.timeout() }),
    ]);
    const snap = snapshot({ users: ['u1'], sessions: { s1: 'u1' }, messages: [{ id: 'm1', session: 's1' }] });
    expect(checkInvariants(h, snap).map((x) => [x.invariant, x.calls])).toEqual([
      ['no-leaks', [0]],
      ['valid-calls-succeed', [1]],
    ]);
  });

  it('skips an invariant a target opts out of with { "no-fk-error": false }', () => {
    const { h, snap } = brokenTrial();
    const v = checkInvariants(h, snap, { 'no-fk-error': false });
    expect(v.map((x) => x.invariant)).not.toContain('no-fk-error');
    expect(v[0]!.invariant).toBe('no-db-error');
    // Opting out of one invariant leaves the others, including the valid-calls verdict on the FK failure.
    expect(v.filter((x) => x.invariant === 'valid-calls-succeed').map((x) => x.calls)).toEqual([[0], [1]]);
  });

  it('skips several opted-out invariants, and treats an absent key as enabled', () => {
    const { h, snap } = brokenTrial();
    const v = checkInvariants(h, snap, { 'no-fk-error': false, 'no-orphans': false, 'valid-calls-succeed': false });
    expect(v.map((x) => x.invariant)).toEqual(['no-db-error', 'acked-durable']);
    expect(checkInvariants(h, snap, {})).toHaveLength(6);
  });

  it('returns nothing for a correct trial', () => {
    const h = history([
      call({ op: 'createSession', invokedAt: 1, completedAt: 2 }),
      call({ op: 'handleChat', client: 1, messages: [{ id: 'm1', role: 'system' }, { id: 'm2' }], invokedAt: 3, completedAt: 5 }),
      call({
        op: 'logMessage',
        user: 'u2',
        client: 2,
        valid: false,
        messages: [{ id: 'm3' }],
        invokedAt: 4,
        completedAt: 6,
        error: errors.refusal('session t1_s1 belongs to another user'),
      }),
    ]);
    const snap = snapshot({ users: ['u1', 'u2'], sessions: { s1: 'u1' }, messages: [{ id: 'm2', session: 's1' }] });
    expect(checkInvariants(h, snap)).toEqual([]);
  });

  it('runs the invariants it is given, in their order', () => {
    const a: Invariant = {
      name: 'no-duplicates',
      description: 'a',
      check: () => [{ invariant: 'no-duplicates', message: 'a', calls: [] }],
    };
    const b: Invariant = {
      name: 'order-preserved',
      description: 'b',
      check: () => [{ invariant: 'order-preserved', message: 'b', calls: [] }],
    };
    expect(checkInvariants(history([]), snapshot(), {}, [b, a]).map((x) => x.invariant)).toEqual(['order-preserved', 'no-duplicates']);
    expect(checkInvariants(history([]), snapshot(), { 'order-preserved': false }, [b, a]).map((x) => x.invariant)).toEqual([
      'no-duplicates',
    ]);
  });

  it('the built-in invariants have stable documented names, in priority order', () => {
    expect(builtinInvariants.map((i) => i.name)).toEqual([
      'no-fk-error',
      'no-db-error',
      'no-leaks',
      'no-crash',
      'no-orphans',
      'acked-durable',
      'no-duplicates',
      'session-ownership',
      'delete-ownership',
      'deleted-stays-deleted',
      'order-preserved',
      'no-phantom-writes',
      'valid-calls-succeed',
      'serializable',
    ]);
    expect(builtinInvariants.map((i) => i.name)).toEqual(INVARIANT_NAMES);
  });
});
