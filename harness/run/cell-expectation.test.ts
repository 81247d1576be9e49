import { describe, expect, it } from 'vitest';
import type { Violation } from '../invariants/invariant.js';
import { cellExpectation, FindingMuter, matchesFinding } from './cell-expectation.js';

const dup = (calls = [1], constraint = 'chat_sessions_pkey'): Violation => ({
  invariant: 'no-db-error',
  message: '23505',
  calls,
  sqlstate: '23505',
  constraint,
});
const echo = (calls = [1], constraint = 'chat_sessions_pkey'): Violation => ({
  invariant: 'valid-calls-succeed',
  message: 'refused',
  calls,
  sqlstate: '23505',
  constraint,
});
const fk: Violation = {
  invariant: 'no-fk-error',
  message: '23503',
  calls: [0],
  sqlstate: '23503',
  constraint: 'chat_messages_session_id_fkey',
};
const wrapped: Violation = {
  invariant: 'valid-calls-succeed',
  message: 'refused with AppError',
  calls: [2],
  sqlstate: '23505',
  constraint: 'chat_sessions_pkey',
};

describe('cellExpectation', () => {
  it('defaults to pass with nothing muted', () => {
    expect(cellExpectation(undefined, 'mixed')).toEqual({ expected: 'pass', mutes: [] });
    expect(cellExpectation({}, 'mixed')).toEqual({ expected: 'pass', mutes: [] });
  });

  it("a scenario's own entry wins over '*' for the outcome; an object entry is a pass", () => {
    expect(cellExpectation({ '*': 'fail', mixed: 'pass' }, 'mixed').expected).toBe('pass');
    expect(cellExpectation({ '*': 'pass', mixed: 'fail' }, 'mixed').expected).toBe('fail');
    expect(cellExpectation({ '*': 'fail', mixed: { mute: [] } }, 'mixed').expected).toBe('pass');
    expect(cellExpectation({ '*': { mute: [] }, mixed: 'fail' }, 'mixed').expected).toBe('fail');
    expect(cellExpectation({ '*': 'fail' }, 'mixed').expected).toBe('fail');
  });

  it("applies the mutes of both the scenario's entry and '*'", () => {
    const own = { invariant: 'no-db-error' as const, sqlstate: '23505' };
    const star = { invariant: 'acked-durable' as const, note: 'see #12' };
    expect(cellExpectation({ '*': { mute: [star] }, mixed: { mute: [own] } }, 'mixed').mutes).toEqual([own, star]);
    expect(cellExpectation({ '*': { mute: [star] }, mixed: 'fail' }, 'mixed')).toEqual({ expected: 'fail', mutes: [star] });
    expect(cellExpectation({ '*': { mute: [star] }, mixed: { mute: [own] } }, 'cross-user').mutes).toEqual([star]);
  });
});

describe('matchesFinding', () => {
  it('needs the invariant, and the SQLSTATE and constraint only where the finding gives them', () => {
    expect(matchesFinding(dup(), { invariant: 'no-db-error' })).toBe(true);
    expect(matchesFinding(dup(), { invariant: 'no-db-error', sqlstate: '23505' })).toBe(true);
    expect(matchesFinding(dup(), { invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' })).toBe(true);
    expect(matchesFinding(dup(), { invariant: 'no-db-error', sqlstate: '40001' })).toBe(false);
    expect(matchesFinding(dup(), { invariant: 'no-db-error', constraint: 'chat_messages_pkey' })).toBe(false);
    expect(matchesFinding(dup(), { invariant: 'no-fk-error' })).toBe(false);
  });
});

describe('FindingMuter', () => {
  it('keeps everything when nothing is muted', () => {
    const m = new FindingMuter([]);
    expect(m.apply([dup(), echo()])).toEqual([dup(), echo()]);
    expect(m.counts()).toEqual([]);
  });

  it('takes muted violations out, and counts the trials each finding showed in (once per trial)', () => {
    const m = new FindingMuter([{ invariant: 'no-db-error', sqlstate: '23505', note: 'known, see #123' }, { invariant: 'acked-durable' }]);
    expect(m.apply([dup([1]), dup([2], 'chat_messages_pkey'), fk])).toEqual([fk]);
    expect(m.apply([fk])).toEqual([fk]);
    expect(m.apply([dup([3])])).toEqual([]);
    expect(m.counts()).toEqual([
      { invariant: 'no-db-error', sqlstate: '23505', note: 'known, see #123', trials: 2 },
      { invariant: 'acked-durable', trials: 0 },
    ]);
  });

  it("mutes the valid-calls-succeed echo of a muted raw error on the same call, not a wrapped error's own finding", () => {
    const m = new FindingMuter([{ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' }]);
    expect(m.apply([dup([1]), echo([1])])).toEqual([]);
    // Call 2 wrapped its 23505 in an app error: no raw error was muted for it, so its refusal still counts.
    expect(m.apply([dup([1]), echo([1]), wrapped])).toEqual([wrapped]);
    // Another constraint's refusal is not the muted finding's echo.
    expect(m.apply([dup([1]), echo([1], 'chat_messages_pkey')])).toEqual([echo([1], 'chat_messages_pkey')]);
  });

  it('muting valid-calls-succeed leaves the raw error it comes with', () => {
    const m = new FindingMuter([{ invariant: 'valid-calls-succeed', sqlstate: '23505' }]);
    expect(m.apply([dup([1]), echo([1])])).toEqual([dup([1])]);
    expect(m.counts()).toEqual([{ invariant: 'valid-calls-succeed', sqlstate: '23505', trials: 1 }]);
  });
});
