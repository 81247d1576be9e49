import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineOperation } from '../contract/define-target.js';
import type { CallRecord, History } from '../history/history.js';
import type { ErrorInfo } from '../history/classify-error.js';
import { callLabel } from '../workload/workload.js';
import { checkSerializable, serializable } from './serializable.js';

type Credits = { balance: Record<string, number> };
const spend = defineOperation<Credits, { user: string; amount: number }>({
  args: ({ users }) => fc.record({ user: fc.constantFrom(...users), amount: fc.integer({ min: 1, max: 4 }) }),
  apply: (s, a) =>
    s.balance[a.user]! >= a.amount
      ? { state: { balance: { ...s.balance, [a.user]: s.balance[a.user]! - a.amount } }, result: undefined }
      : { refuse: true },
});
const balanceOf = defineOperation<Credits, { user: string }>({
  args: ({ users }) => fc.record({ user: fc.constantFrom(...users) }),
  apply: (s, a) => ({ state: s, result: { user: a.user, balance: s.balance[a.user] } }),
});
const model = { operations: { spend, balanceOf } };
const REFUSED: ErrorInfo = { kind: 'domain', message: 'insufficient credits', errorClass: 'InsufficientCredits' };

/** An operation call in logical ids, invoked and completed at the given ticks. */
function op(
  index: number,
  client: number,
  name: string,
  args: object,
  at: [number, number],
  outcome: CallRecord['outcome'] = 'ok',
  more: Partial<CallRecord> = {},
): CallRecord {
  const spec = { op: 'operation' as const, session: '', user: '', valid: false, operation: { name, args } };
  return {
    index,
    client,
    op: 'operation',
    label: callLabel(spec, client),
    valid: false,
    sessionId: '',
    userId: '',
    invokedAt: at[0],
    completedAt: at[1],
    outcome,
    durationMs: 1,
    ...(outcome === 'fail'
      ? { error: REFUSED }
      : outcome === 'info'
        ? { error: { kind: 'connection', message: 'Connection terminated' } }
        : {}),
    operation: { name, args },
    ...more,
  };
}
const trial = (calls: CallRecord[], initial: Credits): Pick<History, 'calls' | 'model'> => ({ calls, model: { initial } });
const u1 = (n: number): Credits => ({ balance: { u1: n } });

describe('serializable', () => {
  it('passes two overlapping spends that leave the sum spent', () => {
    const h = trial([op(0, 0, 'spend', { user: 'u1', amount: 3 }, [1, 4]), op(1, 1, 'spend', { user: 'u1', amount: 4 }, [2, 3])], u1(10));
    expect(checkSerializable(h, u1(3), model)).toEqual([]);
  });

  it('fails a lost update (both spends ok, one deducted), naming the observed value and the closest order', () => {
    const h = trial([op(0, 0, 'spend', { user: 'u1', amount: 3 }, [1, 4]), op(1, 1, 'spend', { user: 'u1', amount: 4 }, [2, 3])], u1(10));
    const v = checkSerializable(h, u1(6), model);
    expect(v).toHaveLength(1);
    expect(v[0]!.invariant).toBe('serializable');
    expect(v[0]!.calls).toEqual([0, 1]);
    expect(v[0]!.message).toBe(
      'no serial order of spend(u1, 3)@c1 → ok, spend(u1, 4)@c2 → ok explains the trial; ' +
        'closest order spend(u1, 3)@c1, spend(u1, 4)@c2, then observe read balance.u1 is 6 where that order gives 3',
    );
  });

  it('fails an overdraft: the model refuses the second spend, which succeeded', () => {
    const h = trial([op(0, 0, 'spend', { user: 'u1', amount: 4 }, [1, 4]), op(1, 1, 'spend', { user: 'u1', amount: 4 }, [2, 3])], u1(5));
    const v = checkSerializable(h, u1(1), model);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain(
      'closest order spend(u1, 4)@c1, then spend(u1, 4)@c2 succeeded where the model refuses it in state {"balance":{"u1":1}}',
    );
  });

  it('an info call that happened explains the state; one that did not happen explains it too', () => {
    const calls = [op(0, 0, 'spend', { user: 'u1', amount: 2 }, [1, 2]), op(1, 1, 'spend', { user: 'u1', amount: 3 }, [3, 5], 'info')];
    expect(checkSerializable(trial(calls, u1(10)), u1(5), model)).toEqual([]);
    expect(checkSerializable(trial(calls, u1(10)), u1(8), model)).toEqual([]);
    // …but no subset explains a third state.
    expect(checkSerializable(trial(calls, u1(10)), u1(7), model)[0]!.message).toContain('balance.u1 is 7 where that order gives');
  });

  it('a faulted call (the harness killed it) may or may not have happened, like info', () => {
    const killed = op(1, 1, 'spend', { user: 'u1', amount: 3 }, [3, 4], 'fail', {
      fault: 'killed after COMMIT',
      error: { kind: 'db', message: 'x', sqlstate: '57P01' },
    });
    const h = trial([op(0, 0, 'spend', { user: 'u1', amount: 2 }, [1, 2]), killed], u1(10));
    expect(checkSerializable(h, u1(5), model)).toEqual([]);
    expect(checkSerializable(h, u1(8), model)).toEqual([]);
  });

  it('real-time order forbids the only explaining order', () => {
    // c1 spends 4 of 5 and completes before c2 reads; c2 saw the balance before the spend: only c2-then-c1 explains it, and real time forbids it.
    const calls = [op(0, 0, 'spend', { user: 'u1', amount: 4 }, [1, 2]), op(1, 1, 'balanceOf', { user: 'u1' }, [3, 4], 'ok')];
    calls[1]!.operation!.result = { user: 'u1', balance: 5 };
    const v = checkSerializable(trial(calls, u1(5)), u1(1), model);
    expect(v).toHaveLength(1);
    expect(v[0]!.message).toContain(
      'closest order spend(u1, 4)@c1, then balanceOf(u1)@c2 returned {"balance":5,"user":"u1"} where the model gives {"balance":1,"user":"u1"}',
    );
    // Overlapping in time, the same history is explained by c2 then c1.
    calls[0]!.completedAt = 4;
    calls[1]!.invokedAt = 2;
    calls[1]!.completedAt = 3;
    expect(checkSerializable(trial(calls, u1(5)), u1(1), model)).toEqual([]);
  });

  it('a refused call that the model would have accepted fails', () => {
    const h = trial([op(0, 0, 'spend', { user: 'u1', amount: 2 }, [1, 2], 'fail')], u1(10));
    const v = checkSerializable(h, u1(10), model);
    expect(v[0]!.message).toBe(
      'no serial order of spend(u1, 2)@c1 → refused explains the trial; closest order (none placed), then spend(u1, 2)@c1 was refused where the model accepts it in state {"balance":{"u1":10}}',
    );
    expect(v[0]!.calls).toEqual([0]);
    // Refused where the model refuses too: explained.
    expect(checkSerializable(trial([op(0, 0, 'spend', { user: 'u1', amount: 12 }, [1, 2], 'fail')], u1(10)), u1(10), model)).toEqual([]);
  });

  it('a refused call must leave no effect', () => {
    expect(checkSerializable(trial([op(0, 0, 'spend', { user: 'u1', amount: 12 }, [1, 2], 'fail')], u1(10)), u1(0), model)).toHaveLength(1);
  });

  it('a raw database error leaves the effect unknown (no-db-error reports it), so it is not a refusal', () => {
    const raw = op(0, 0, 'spend', { user: 'u1', amount: 2 }, [1, 2], 'fail', {
      error: { kind: 'db', message: 'deadlock', sqlstate: '40P01' },
    });
    expect(checkSerializable(trial([raw], u1(10)), u1(10), model)).toEqual([]);
  });

  it('compares results by deep equality, key order aside', () => {
    const read = op(0, 0, 'balanceOf', { user: 'u1' }, [1, 2]);
    read.operation!.result = { balance: 10, user: 'u1' };
    expect(checkSerializable(trial([read], u1(10)), u1(10), model)).toEqual([]);
    read.operation!.result = { user: 'u1', balance: '10' };
    expect(checkSerializable(trial([read], u1(10)), u1(10), model)[0]!.message).toContain(
      'returned {"balance":"10","user":"u1"} where the model gives {"balance":10,"user":"u1"}',
    );
  });

  it('checks nothing without a model or operation calls, and runs as a built-in invariant', () => {
    const h = { ns: 't1_', statements: [], ...trial([op(0, 0, 'spend', { user: 'u1', amount: 3 }, [1, 2])], u1(10)) };
    const snap = { users: [], sessions: [], messages: [], model: u1(10) };
    expect(serializable.check(h, snap)).toEqual([]);
    expect(serializable.check(h, snap, model).map((v) => v.invariant)).toEqual(['serializable']);
    expect(serializable.check({ ...h, model: undefined }, snap, model)).toEqual([]);
  });

  it('searches 8 concurrent calls with memoisation: a correct history passes and a lost update is found', () => {
    const calls = Array.from({ length: 8 }, (_, i) => op(i, i, 'spend', { user: 'u1', amount: 1 + (i % 3) }, [i + 1, 20 + i]));
    const spent = calls.reduce((n, c) => n + (c.operation!.args as { amount: number }).amount, 0);
    expect(checkSerializable(trial(calls, u1(30)), u1(30 - spent), model)).toEqual([]);
    expect(checkSerializable(trial(calls, u1(30)), u1(30 - spent + 1), model)).toHaveLength(1);
  });
});

it("a model whose apply throws is the target's bug, said as such, not a finding", () => {
  const broken = {
    operations: {
      spend: {
        args: spend.args,
        apply: () => {
          throw new Error('boom');
        },
      },
    },
  };
  const h = trial([op(0, 0, 'spend', { user: 'u1', amount: 3 }, [1, 2])], u1(10));
  expect(() => checkSerializable(h, u1(7), broken)).toThrow(
    /^operation spend's apply threw on spend\(u1, 3\)@c1 in state \{"balance":\{"u1":10\}\}: boom$/,
  );
});
