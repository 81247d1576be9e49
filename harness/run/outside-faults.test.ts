import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import upsert from '../../targets/upsert.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import { testServer } from '../../test/test-server.js';
import type { ChatStore, TargetDefinition } from '../contract/define-target.js';
import type { Mode } from '../contract/define-config.js';
import { InfraError } from '../errors.js';
import type { TrialResult } from '../execute/run-trial.js';
import type { CallRecord } from '../history/history.js';
import type { Workload } from '../workload/workload.js';
import { outsideConnectionLoss } from './outside-faults.js';
import { runCell } from './run-cell.js';

const call = (over: Partial<CallRecord>): CallRecord => ({
  index: 0,
  client: 0,
  op: 'logMessage',
  label: 'logMessage(s1, m1, user, u1)@c1',
  valid: true,
  sessionId: 't1_s1',
  userId: 't1_u1',
  invokedAt: 1,
  completedAt: 2,
  outcome: 'ok',
  durationMs: 1,
  ...over,
});
const trial = (calls: CallRecord[], statements: TrialResult['history']['statements'] = []): TrialResult => ({
  history: { ns: 't1_', calls, statements },
  snapshot: { users: [], sessions: [], messages: [] },
  violations: [],
});
const workload = (fault: boolean): Workload => ({
  users: ['u1'],
  clients: [
    [
      {
        op: 'logMessage',
        session: 's1',
        user: 'u1',
        valid: true,
        messages: [{ id: 'm1', role: 'user', content: 'x' }],
        ...(fault ? { fault: { statement: 1, when: 'before' } } : {}),
      } as any,
    ],
  ],
});
const lost = { kind: 'connection' as const, message: 'terminating connection due to administrator command', sqlstate: '57P01' };

describe("outsideConnectionLoss tells a connection loss nobody injected from the harness's own kills", () => {
  it('a call that lost its connection with no fault marked is an outside loss; one the injector killed (or took down with it) is not', () => {
    expect(outsideConnectionLoss(trial([call({ outcome: 'info', error: lost })]), workload(false))).toMatch(
      /^logMessage\(s1, m1, user, u1\)@c1: terminating connection/,
    );
    expect(
      outsideConnectionLoss(trial([call({ outcome: 'info', error: lost, fault: 'connection killed before statement 1' })]), workload(true)),
    ).toBeUndefined();
    expect(
      outsideConnectionLoss(
        trial([call({ outcome: 'fail', error: { kind: 'domain', message: 'save failed', causeSqlstate: '57P01' } })]),
        workload(false),
      ),
    ).toMatch(/save failed/);
    expect(
      outsideConnectionLoss(trial([call({ outcome: 'fail', error: { kind: 'db', message: 'dup', sqlstate: '23505' } })]), workload(false)),
    ).toBeUndefined();
  });

  it('a statement that lost its connection counts only when the workload injects no faults (a driver may retry what the harness cut)', () => {
    const stmt = { seq: 1, call: 0, client: 0, sql: 'SELECT 1', startedAt: 1, error: lost };
    expect(outsideConnectionLoss(trial([call({})], [stmt]), workload(false))).toMatch(/a statement of call 0/);
    expect(outsideConnectionLoss(trial([call({})], [stmt]), workload(true))).toBeUndefined();
  });
});

/** upsert, but its `killAt`-th logMessage (every one from it with `always`) has every other backend of the cell's database terminated from outside first, its own included. */
function killedFromOutside(killAt: number, always = false): TargetDefinition {
  let n = 0;
  return {
    ...upsert,
    name: 'upsert-killed-from-outside',
    async create(ctx) {
      const inner = (await upsert.create(ctx)) as ChatStore;
      return {
        ...inner,
        async logMessage(req) {
          n++;
          if (n === killAt || (always && n > killAt)) {
            // As a DBA does: pg_terminate_backend on the run's backends, from a session of its own.
            const dba = new pg.Client({ connectionString: ctx.databaseUrl });
            await dba.connect();
            try {
              const client = await ctx.pool.connect();
              try {
                await dba.query(
                  'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
                );
                await client.query('SELECT 1');
              } finally {
                client.release(true);
              }
            } finally {
              await dba.end();
            }
          }
          return inner.logMessage(req);
        },
      };
    },
  };
}

async function cellOf(def: TargetDefinition, mode: Mode, runs: number) {
  return runCell({
    run: {
      mode,
      runId: `test_${process.pid}_${Date.now().toString(36)}`,
      runs,
      seed: 7,
      callTimeoutMs: 5000,
      reportDir: path.join(os.tmpdir(), `chatfuzz-test-${process.pid}`),
    },
    target: { def, source: 'test' },
    scenario: builtinScenarios.find((s) => s.name === 'concurrent-duplicates')!,
    server: testServer(),
    cellIndex: 0,
    cellCount: 1,
    timeBudgetMs: null,
  });
}

describe('a connection loss the harness did not inject is infrastructure, never a finding', () => {
  it("pg_terminate_backend from outside on every backend of the cell (the harness's too) in one trial: the trial is discarded and run again, the correct target passes", async () => {
    for (const mode of ['scheduled', 'stress'] as const) {
      const cell = await cellOf(killedFromOutside(3), mode, 12);
      expect(cell, `${mode}: ${cell.failure?.message ?? cell.error}`).toMatchObject({ outcome: 'pass', ok: true, runs: 12 });
      expect(cell.infraRetries, mode).toBe(1);
    }
  });

  it('a connection that keeps being terminated ends the cell with an InfraError (exit 3) naming it, not a finding', async () => {
    const e = await cellOf(killedFromOutside(2, true), 'stress', 10).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(InfraError);
    expect((e as Error).message).toMatch(/connection was lost 4 times in a row on the same trial, not by the harness .*terminat/);
  });
});

describe('a call that only times out', () => {
  it('shrinking stops after a few steps whose calls timed out, and the cell says so', async () => {
    const { runTestCell } = await import('../../test/run-test-cell.js');
    const cell = await runTestCell('./test/fixtures/hang-target.ts', 'mixed', { mode: 'scheduled', callTimeoutMs: 100, runs: 20, seed: 5 });
    expect(cell.failure?.invariant).toBe('valid-calls-succeed');
    expect(
      String(cell.note) +
        JSON.stringify({
          shrinks: cell.failure?.shrinks,
          runs: cell.runs,
          ops: cell.failure?.counterexample.ops.map((o) => o.label + o.outcome),
        }),
    ).toMatch(/shrinking stopped after 5 steps whose calls timed out/);
  });
});
