// Issue 25: the conditional-UPDATE credits example passes `serializable` (2,000-trial cells: credits-atomic.matrix.test.ts).
import { describe, expect, it } from 'vitest';
import type { Workload } from '../harness/workload/workload.js';
import { runTestCell } from '../test/run-test-cell.js';

const spend = (user: string, amount: number, fault?: Workload['clients'][number][number]['fault']) => ({
  op: 'operation' as const,
  session: '',
  user: '',
  valid: false,
  operation: { name: 'spend', args: { user, amount } },
  ...(fault ? { fault } : {}),
});

describe('credits-atomic passes operations', () => {
  for (const mode of ['scheduled', 'stress'] as const) {
    it(`over 100 ${mode} trials`, async () => {
      const cell = await runTestCell('credits-atomic', 'operations', { mode, runs: 100, seed: 2501 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 100 });
    }, 60_000);
  }

  it('with spends killed after their UPDATE committed and before it was sent: each may or may not have happened', async () => {
    // 10 - 3 (committed, acknowledgement lost) - 4 (ok) = 3; the spend killed before its statement has no effect.
    const workload: Workload = {
      users: ['u1', 'u2'],
      keys: ['k1', 'k2'],
      clients: [[spend('u1', 3, { statement: 1, when: 'after' })], [spend('u1', 4)], [spend('u1', 2, { statement: 1, when: 'before' })]],
    };
    let balance: number | undefined;
    const cell = await runTestCell('credits-atomic', 'operations', {
      mode: 'scheduled',
      runs: 1,
      replay: { workload, choices: [] },
      afterTrials: async (pool) => {
        balance = (await pool.query("SELECT balance FROM credits WHERE user_id = 't1_u1'")).rows[0]?.balance;
      },
    });
    expect(cell.failure?.message).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', runs: 1 });
    // The kill before the third spend's UPDATE did fire: it took no effect.
    expect(balance).toBe(3);
  }, 60_000);
});

it('credits-rmw fails two spends whose SELECTs both run before either UPDATE (a lost update, no fault needed)', async () => {
  const workload: Workload = { users: ['u1', 'u2'], keys: ['k1', 'k2'], clients: [[spend('u1', 3)], [spend('u1', 4)]] };
  // c1's SELECT, c2's SELECT, then both UPDATEs: the second write overwrites the first.
  const cell = await runTestCell('credits-rmw', 'operations', { mode: 'scheduled', runs: 1, replay: { workload, choices: [0, 1, 0, 0] } });
  expect(cell.failure?.invariant).toBe('serializable');
  expect(cell.failure!.message).toMatch(/observe read balance\.u1 is [67] where that order gives 3$/);
}, 60_000);

it('with UUID ids (ids: uuid): args, seed and observe see UUIDs, verdicts keep u1; a lost update is still caught', async () => {
  const { runCell } = await import('../harness/run/run-cell.js');
  const { testServer } = await import('../test/test-server.js');
  const { operations } = await import('../scenarios/operations.js');
  const atomic = (await import('./credits-atomic.js')).default;
  const rmw = (await import('./credits-rmw.js')).default;
  // The CHECK proves the target is handed UUIDs (the shared model's seed writes text).
  const uuid = {
    sql: "CREATE TABLE credits (user_id text PRIMARY KEY CHECK (user_id ~ '^[0-9a-f]{8}-[0-9a-f-]{27}$'), balance int NOT NULL);",
  };
  const run = (def: object, runs: number) =>
    runCell({
      run: {
        mode: 'scheduled',
        runId: `uuid_${process.pid}`,
        runs,
        seed: 2505,
        callTimeoutMs: 5000,
        reportDir: `/tmp/chatfuzz-uuid-${process.pid}`,
      },
      target: { def: { ...def, ids: 'uuid', schema: uuid } as never, source: 'test' },
      scenario: operations,
      server: testServer(),
      cellIndex: 0,
      cellCount: 1,
      timeBudgetMs: null,
    });
  const pass = await run(atomic, 40);
  expect(pass.error).toBeUndefined();
  expect(pass.failure?.message).toBeUndefined();
  expect(pass).toMatchObject({ outcome: 'pass', runs: 40 });
  const fail = await run(rmw, 100);
  expect(fail.failure?.invariant).toBe('serializable');
  expect(fail.failure!.message).toMatch(/observe read balance\.u[12] is|succeeded where the model refuses/);
  expect(fail.failure!.model!.initial).toEqual({ balance: { u1: 10, u2: 10 } });
}, 120_000);
