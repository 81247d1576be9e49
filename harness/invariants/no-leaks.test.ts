import { describe, expect, it } from 'vitest';
import { noLeaks } from './no-leaks.js';
import { call, errors, history, snapshot } from './fixtures/history-fixtures.js';

const empty = snapshot();

describe('no-leaks', () => {
  it('fires on a call that returned still holding the connection it checked out', () => {
    const h = history([
      call({ op: 'createSession', client: 0 }),
      call({ op: 'logMessage', client: 1, messages: [{ id: 'm2' }], leak: 'kept 1 connection checked out' }),
    ]);
    const v = noLeaks.check(h, empty);
    expect(v).toEqual([
      {
        invariant: 'no-leaks',
        calls: [1],
        message: 'logMessage(s1, m2, user, u1)@c2 (step 3) returned but kept 1 connection checked out',
      },
    ]);
  });

  it('fires on a refused call that left a transaction open, valid or not', () => {
    const h = history([
      call({
        op: 'logMessage',
        user: 'u2',
        valid: false,
        messages: [{ id: 'm1' }],
        error: errors.refusal('session t1_s1 belongs to another user'),
        leak: 'left a transaction open',
      }),
    ]);
    const v = noLeaks.check(h, empty);
    expect(v.map((x) => x.message)).toEqual(['logMessage(s1, m1, user, u2)@c1 (step 1) returned but left a transaction open']);
    expect(v[0]!.sqlstate).toBeUndefined();
  });

  it('reports every leaking call', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], leak: 'kept 2 connections checked out and left a transaction open' }),
      call({ op: 'logMessage', messages: [{ id: 'm2' }] }),
      call({ op: 'handleChat', messages: [{ id: 'm3', role: 'system' }, { id: 'm4' }], leak: 'kept 1 connection checked out' }),
    ]);
    expect(noLeaks.check(h, empty).map((v) => v.calls)).toEqual([[0], [2]]);
  });

  it('stays silent on a call that timed out (it may still be using its connection) and on calls that leaked nothing', () => {
    const h = history([
      call({ op: 'logMessage', messages: [{ id: 'm1' }], outcome: 'info', error: errors.timeout(), leak: 'kept 1 connection checked out' }),
      call({ op: 'logMessage', messages: [{ id: 'm2' }] }),
      call({ op: 'createSession', error: errors.unique() }),
    ]);
    expect(noLeaks.check(h, empty)).toEqual([]);
  });
});
