import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { runFuzzProcess } from '../../test/run-cli-process.js';
import { testServer } from '../../test/test-server.js';
import { applySchema } from '../db/apply-schema.js';
import { createRunDatabase, type RunDatabase } from '../db/run-database.js';
import { runScheduledTrial, type TrialEnv } from '../execute/run-trial.js';
import { formatStep } from './format-step.js';
import { NO_APP_INSTANCE } from '../contract/define-target.js';
import { createTrialPool } from './trial-pool.js';
import { ControlConnection } from './control-connection.js';
import lateLock from '../../test/fixtures/late-lock-target.js';

const LATE_LOCK = './test/fixtures/late-lock-target.ts';

describe('scheduled mode shrinks to minimal counterexamples', () => {
  it('naive × multi-message-first-request shrinks to one handleChat([system,user]) failing on the FK', async () => {
    const cell = await runTestCell('naive', 'multi-message-first-request', { mode: 'scheduled' });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(cell.failure!.counterexample.ops.map((o) => o.label)).toEqual(['handleChat(s1, [system,user], m2, u1)@c1']);
    expect(cell.failure!.counterexample.schedule).toEqual([
      'c1 INSERT INTO chat_messages (id, session_id, role, content) VALUES ($1, $2, $3, $4) → 23503 chat_messages_session_id_fkey',
    ]);
  });

  it('session-first × concurrent-duplicates shrinks to two first requests of one session: check, check, insert, insert → 23505', async () => {
    const cell = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'scheduled' });
    // The cell also finds the double submit's race on the message (chat_messages_pkey): each is a failure of its own.
    const race = cell.failures!.find((f) => f.constraint === 'chat_sessions_pkey');
    expect(race).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    const ops = race!.counterexample.ops;
    expect(ops).toHaveLength(2);
    // One session (which one depends on what the workload shrank from: PCT keeps the calls' priorities by index).
    expect(new Set(ops.map((o) => /\((s\d+),/.exec(o.label)![1])).size).toBe(1);
    const sessionSteps = race!.counterexample
      .schedule!.filter((s) => /chat_sessions/.test(s))
      .map((s) => s.replace(/ \(id.*?\)| WHERE.*?→/g, ' →'));
    expect(sessionSteps.slice(0, 4).map((s) => s.split(' ').slice(1, 2)[0])).toEqual(['SELECT', 'SELECT', 'INSERT', 'INSERT']);
    expect(new Set(sessionSteps.slice(0, 2).map((s) => s.slice(0, 2)))).toEqual(new Set(['c1', 'c2']));
    expect(sessionSteps[3]).toMatch(/23505 chat_sessions_pkey$/);
    expect(cell.failures!.map((f) => f.constraint)).toContain('chat_messages_pkey');
  });

  // scheduled-mode.matrix.test.ts asks five runs out of five.
  it('the same seed gives byte-identical counterexamples, two runs out of two', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const cell = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'scheduled', seed: 2024 });
      runs.push(JSON.stringify({ ops: cell.failure!.counterexample, runs: cell.runs, first: cell.runsToFirstFailure }));
    }
    expect(new Set(runs).size).toBe(1);
  });
});

describe('locks under the scheduler', () => {
  let db: RunDatabase;
  let env: TrialEnv;
  beforeAll(async () => {
    db = await createRunDatabase(testServer(), `chatfuzz_locktest_${process.pid}`);
    await applySchema(db.url, lateLock);
    const pool = createTrialPool({ connectionString: db.url, max: 8 });
    const harnessPool = new pg.Pool({ connectionString: db.url, max: 2 });
    const control = new ControlConnection({ connectionString: db.url });
    await control.connect();
    env = {
      def: lateLock,
      store: await lateLock.create({ pool, databaseUrl: db.url, ...NO_APP_INSTANCE }),
      pool,
      harnessPool,
      control,
      callTimeoutMs: 5000,
    };
  });
  afterAll(async () => {
    await env.pool.destroy();
    await env.harnessPool.end();
    await env.control!.end();
    await db.drop();
  });

  it('a statement blocked on a row lock does not stall the schedule: the next gate opens and the step is marked blocked', async () => {
    const w = {
      users: ['u1'],
      clients: [1, 2].map((c) => [
        {
          op: 'handleChat' as const,
          session: 's1',
          user: 'u1',
          valid: true,
          messages: [{ id: `m${c}`, role: 'user' as const, content: `tab ${c} #m${c}` }],
        },
      ]),
    };
    // c1 BEGIN, c2 BEGIN, both check the session, c1 locks the user row, then c2 asks for the same lock.
    const r = await runScheduledTrial(env, w, 'lock1_', [0, 1, 0, 1, 0, 1]);
    const steps = r.schedule!.map(formatStep);
    expect(steps).toContain('c2 SELECT id FROM users WHERE id = $1 FOR UPDATE [blocked] → 1 row');
    expect(steps.indexOf('c2 SELECT id FROM users WHERE id = $1 FOR UPDATE [blocked] → 1 row')).toBeLessThan(
      steps.indexOf('c1 COMMIT → 0 rows'),
    );
    // The history's statement record carries the flag too (the HTML timeline marks it from there).
    expect(r.history.statements.filter((s) => s.blocked).map((s) => `c${s.client + 1} ${s.sql}`)).toEqual([
      'c2 SELECT id FROM users WHERE id = $1 FOR UPDATE',
    ]);
    expect(r.violations[0]).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
    expect(r.history.calls.map((c) => c.outcome).sort()).toEqual(['fail', 'ok']);
  });

  it('the row-lock target completes under scheduled and exhaustive mode without hanging', async () => {
    const scheduled = await runTestCell(LATE_LOCK, 'concurrent-duplicates', { mode: 'scheduled', runs: 30 });
    expect(scheduled.failure).toMatchObject({ invariant: 'no-db-error', constraint: 'chat_sessions_pkey' });
    const exhaustive = await runTestCell(LATE_LOCK, 'concurrent-duplicates', { mode: 'exhaustive', runs: 1 });
    expect(exhaustive.exploration).toMatchObject({ workloads: 1, complete: true });
    expect(exhaustive.exploration!.interleavings).toBeGreaterThan(10);
    expect(exhaustive.exploration!.distinctFailures.map((f) => f.key)).toContain('no-db-error 23505 chat_sessions_pkey');
  });
});

describe('exhaustive mode', () => {
  it('session-first with two concurrent first calls: every interleaving is run, the unique violation is found, the count is exact', async () => {
    const a = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'exhaustive', runs: 2 });
    const b = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'exhaustive', runs: 2 });
    expect(a.exploration!.complete).toBe(true);
    expect(a.exploration!.interleavings).toBe(b.exploration!.interleavings);
    expect(a.runs).toBe(a.exploration!.interleavings);
    expect(a.exploration!.distinctFailures.map((f) => f.key)).toContain('no-db-error 23505 chat_sessions_pkey');
    expect(a.note).toMatch(new RegExp(`^exhaustive: ${a.exploration!.interleavings} interleavings of 2 workload`));
  });

  it('pruning the order of commuting reads runs fewer schedules and finds the same failures', async () => {
    const full = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'exhaustive', runs: 2, prune: false });
    const pruned = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'exhaustive', runs: 2 });
    expect(full.exploration).toMatchObject({ complete: true, pruned: 0 });
    expect(pruned.exploration).toMatchObject({ complete: true });
    expect(pruned.exploration!.pruned).toBeGreaterThan(0);
    expect(pruned.exploration!.interleavings).toBeLessThan(full.exploration!.interleavings);
    expect(pruned.exploration!.distinctFailures.map((f) => f.key)).toEqual(full.exploration!.distinctFailures.map((f) => f.key));
    expect(full.note).toMatch(/no pruning$/);
    expect(pruned.note).toMatch(/\d+ branch\(es\) pruned as reorderings of commuting reads/);
  });
});

describe('replay', () => {
  const dir = path.join(os.tmpdir(), `chatfuzz-replay-test-${process.pid}`);
  it('--replay of a saved scheduled case fails the same way; the same case passes against upsert', async () => {
    const first = await runFuzzProcess([
      '--target',
      'session-first',
      '--scenario',
      'concurrent-duplicates',
      '--seed',
      '5',
      '--runs',
      '50',
      '--db',
      inject('pgAdminUrl'),
      '--report',
      path.join(dir, 'a'),
      '--json',
      '--ci',
    ]);
    expect(first.code, first.stderr).toBe(0);
    const cell = JSON.parse(first.stdout).cells[0];
    const caseFile = JSON.parse(await fs.readFile(cell.failure.caseFile, 'utf8'));
    expect(caseFile).toMatchObject({ target: 'session-first', mode: 'scheduled', seed: 5 });
    expect(Array.isArray(caseFile.choices)).toBe(true);

    const again = await runFuzzProcess([
      '--replay',
      cell.failure.caseFile,
      '--db',
      inject('pgAdminUrl'),
      '--report',
      path.join(dir, 'b'),
      '--json',
      '--ci',
    ]);
    expect(again.code, again.stderr).toBe(0);
    const replayed = JSON.parse(again.stdout).cells[0];
    expect(replayed.runs).toBe(1);
    expect(replayed.failure.counterexample).toEqual(cell.failure.counterexample);

    const fixed = await runFuzzProcess([
      '--replay',
      cell.failure.caseFile,
      '--target',
      'upsert',
      '--db',
      inject('pgAdminUrl'),
      '--report',
      path.join(dir, 'c'),
      '--json',
      '--ci',
    ]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(JSON.parse(fixed.stdout).cells[0]).toMatchObject({ target: 'upsert', outcome: 'pass', ok: true, runs: 1 });
  });
});
