import { describe, expect, it } from 'vitest';
import type { Violation } from '../invariants/invariant.js';
import { FailureGroups, findingKey, isEcho } from './failure-groups.js';

const dup = (calls = [1]): Violation => ({
  invariant: 'no-db-error',
  message: '23505',
  calls,
  sqlstate: '23505',
  constraint: 'chat_sessions_pkey',
});
const echo = (calls = [1]): Violation => ({
  invariant: 'valid-calls-succeed',
  message: 'refused',
  calls,
  sqlstate: '23505',
  constraint: 'chat_sessions_pkey',
});
const lost: Violation = { invariant: 'acked-durable', message: 'm2 missing', calls: [2] };
const fk: Violation = {
  invariant: 'no-fk-error',
  message: '23503',
  calls: [0],
  sqlstate: '23503',
  constraint: 'chat_messages_session_id_fkey',
};

describe('findingKey', () => {
  it('is invariant + SQLSTATE + constraint: the same on other calls and messages, different when any part differs', () => {
    const reworded: Violation = { ...dup([3]), message: 'other words' };
    expect(findingKey(dup([1]))).toBe(findingKey(reworded));
    expect(findingKey(dup())).not.toBe(findingKey({ ...dup(), constraint: 'chat_messages_pkey' }));
    expect(findingKey(dup())).not.toBe(findingKey({ ...dup(), sqlstate: '40001' }));
    expect(findingKey(dup())).not.toBe(findingKey(echo()));
    expect(findingKey(lost)).toBe('acked-durable');
  });
});

describe('isEcho', () => {
  it('is a valid-calls-succeed that repeats a raw error of the same calls, SQLSTATE and constraint', () => {
    expect(isEcho(echo([1]), [dup([1])])).toBe(true);
    expect(isEcho(echo([1]), [dup([1, 2])])).toBe(true);
    expect(isEcho({ ...echo([0]), sqlstate: '23503', constraint: fk.constraint }, [fk])).toBe(true);
    // Another call, another constraint, or no raw error at all (the target wrapped it): a finding of its own.
    expect(isEcho(echo([2]), [dup([1])])).toBe(false);
    expect(isEcho({ ...echo([1]), constraint: 'chat_messages_pkey' }, [dup([1])])).toBe(false);
    expect(isEcho(echo([1]), [echo([1])])).toBe(false);
    expect(isEcho(dup([1]), [dup([1])])).toBe(false);
  });
});

describe('FailureGroups', () => {
  it('treats every violation but an echo as new until a failure is added', () => {
    const g = new FailureGroups();
    expect(g.fresh([dup(), echo(), lost])).toEqual([dup(), lost]);
    expect(g.size).toBe(0);
  });

  it('names a group by the first new violation and knows every violation of that failure afterwards', () => {
    const g = new FailureGroups();
    expect(g.add([dup(), echo()])).toEqual(dup());
    expect(g.found).toEqual(['no-db-error 23505 chat_sessions_pkey']);
    // The same bug on other calls is no new failure, nor is its valid-calls-succeed echo alone.
    expect(g.fresh([dup([4]), echo([4])])).toEqual([]);
    expect(g.fresh([echo([7])])).toEqual([]);
  });

  it('a trial is new when any one of its violations has an unseen key, and that one names the next group', () => {
    const g = new FailureGroups();
    g.add([dup(), echo()]);
    expect(g.fresh([dup(), lost])).toEqual([lost]);
    expect(g.add([dup(), echo(), lost])).toEqual(lost);
    expect(g.add([fk])).toEqual(fk);
    expect(g.found).toEqual(['no-db-error 23505 chat_sessions_pkey', 'acked-durable', 'no-fk-error 23503 chat_messages_session_id_fkey']);
    expect(g.size).toBe(3);
  });

  it('never makes an echo of a raw error a failure of its own, even when the raw error was reported without one', () => {
    const g = new FailureGroups();
    // The first failure's call was refusable: no valid-calls-succeed came with it.
    g.add([dup([0])]);
    expect(g.fresh([dup([3]), echo([3])])).toEqual([]);
    // A valid call refused with a wrapped 23505 (no raw error) is new.
    expect(g.fresh([echo([5])])).toEqual([echo([5])]);
  });

  it('adds nothing for a failure whose violations are all known', () => {
    const g = new FailureGroups();
    g.add([lost]);
    expect(g.add([{ ...lost, calls: [9] }])).toBeUndefined();
    expect(g.size).toBe(1);
  });
});

describe('one finding per cause, on a real database', () => {
  it('a target that strips NUL bytes and loses acked replies reports both under acked-durable, each with its own case file', async () => {
    const { runTestCell } = await import('../../test/run-test-cell.js');
    const cell = await runTestCell('./test/fixtures/strip-nul-lost-reply-target.ts', 'hostile-input', {
      mode: 'scheduled',
      runs: 40,
      seed: 1,
    });
    const acked = (cell.failures ?? []).filter((f) => f.invariant === 'acked-durable');
    expect(acked.map((f) => f.message).join('\n')).toMatch(/is missing from session/);
    expect(acked.map((f) => f.message).join('\n')).toMatch(/is stored altered in session/);
    expect(new Set(acked.map((f) => f.caseFile)).size).toBe(acked.length);
  });
});
