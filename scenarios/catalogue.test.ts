// The scenario × invariant catalogue on a real database: each deliberately broken
// target fails the scenario made for it with the invariant named for it, the correct `upsert`
// passes every built scenario with zero false positives (here 25 trials a cell; catalogue.matrix.test.ts
// runs 200, and expect-maps.matrix.test.ts checks every built-in target's `expect` map).
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../test/run-test-cell.js';
import { builtinScenarios } from './builtin-scenarios.js';

// Issue 25: the operations scenario does not apply to chat targets.
const SCENARIOS = builtinScenarios.filter((s) => s.kind !== 'operations').map((s) => s.name);

describe('each broken target fails its scenario with the named invariant', () => {
  it("no-owner-check × cross-user: session-ownership, another user's message landed in the session", async () => {
    const cell = await runTestCell('no-owner-check', 'cross-user', { seed: 11 });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'session-ownership' });
    expect(cell.failure!.message).toMatch(
      /^message m\d+ of (logMessage|handleChat)\(s1, .*u2\)@c1 \(step \d+\) \(ok\) landed in session s1, which belongs to u1$/,
    );
    // Shrunk to the owner's write and the intruder's.
    expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(2);
    expect(cell.failure!.message).not.toContain('t1_');
  });

  for (const scenario of ['multi-message-first-request', 'log-before-create']) {
    it(`swallow-errors × ${scenario}: acked-durable, the swallowed 23503 left an acknowledged write without its session`, async () => {
      const cell = await runTestCell('swallow-errors', scenario, { seed: 12 });
      expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
      expect(cell.failure).toMatchObject({ invariant: 'acked-durable' });
      expect(cell.failure!.message).toMatch(/succeeded but session s1 does not exist$/);
      expect(cell.failure!.counterexample.ops).toHaveLength(1);
      expect(cell.failure!.counterexample.ops[0]!.outcome).toBe('ok');
      // The evidence: the statement failed with 23503, the call still resolved.
      expect(cell.failure!.statements.some((s) => s.error?.sqlstate === '23503')).toBe(true);
    });
  }

  it('client-seq × parallel-first-messages: no-db-error, 23505 on unique(session_id, seq) when reply and question race', async () => {
    const cell = await runTestCell('client-seq', 'parallel-first-messages', { seed: 13, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_messages_session_id_seq_key' });
    // Shrunk (usually to the question and the reply); the loser and a winner came from different clients.
    const ops = cell.failure!.counterexample.ops;
    expect(ops.length).toBeLessThanOrEqual(4);
    const loser = ops.find((o) => o.error?.sqlstate === '23505')!;
    expect(ops.some((o) => o.outcome === 'ok' && o.client !== loser.client)).toBe(true);
    expect(cell.failure!.statements.some((s) => /max\(seq\)/.test(s.sql))).toBe(true);
  });

  it('session-first × parallel-first-messages: no-db-error, its check-then-insert races on the new session (23505 chat_sessions_pkey)', async () => {
    const cell = await runTestCell('session-first', 'parallel-first-messages', { seed: 14, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' });
  });

  it('retry-duplicates × retry-after-error: no-duplicates, a retry after a lost acknowledgement stores the message again', async () => {
    const cell = await runTestCell('retry-duplicates', 'retry-after-error', { seed: 16, mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-duplicates' });
    expect(cell.failure!.message).toMatch(/^message m\d+ is stored 2 times in session s1 \(rows with its content\)$/);
    // Shrunk to the story (perhaps after the session's first request): the call whose connection died after its INSERT, then its retry.
    const ops = cell.failure!.counterexample.ops;
    expect(ops.length).toBeLessThanOrEqual(3);
    const killed = ops.findIndex((o) => o.outcome === 'info');
    expect(ops[killed]).toMatchObject({ error: { kind: 'connection', killedAfter: true } });
    expect(ops[killed]!.label).toMatch(/\[kill after stmt 3\]$/);
    expect(ops[killed + 1]).toMatchObject({ outcome: 'ok' });
    expect(ops[killed + 1]!.label).toBe(`retry ${ops[killed]!.label.replace(/ \[kill .*\]$/, '')}`);
    expect(cell.failure!.counterexample.schedule!.filter((s) => s.includes('ran, then its connection was killed'))).toHaveLength(1);
  });

  it('naive × unknown-user: no-fk-error on chat_sessions_user_id_fkey', async () => {
    const cell = await runTestCell('naive', 'unknown-user', { seed: 15 });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_sessions_user_id_fkey' });
    expect(cell.failure!.counterexample.ops).toHaveLength(1);
  });
});

// The full-size sweeps (200 trials a cell) are catalogue.matrix.test.ts's; these 25-trial twins keep every cell in `npm test`.
const SWEEP_RUNS = 25;

describe('upsert passes every built scenario (zero false positives)', () => {
  for (const mode of ['stress', 'scheduled'] as const) {
    for (const scenario of SCENARIOS) {
      it(`upsert × ${scenario}: ${SWEEP_RUNS} ${mode} trials`, async () => {
        const cell = await runTestCell('upsert', scenario, { runs: SWEEP_RUNS, seed: 4243, mode });
        expect(cell.failure?.message).toBeUndefined();
        expect(cell.error).toBeUndefined();
        expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: SWEEP_RUNS });
        expect(cell.calls).toBeGreaterThan(2 * SWEEP_RUNS);
      });
    }
  }
});

describe('client-seq: a custom schema with its own registerUsers() and snapshot()', () => {
  for (const scenario of ['multi-message-first-request', 'log-before-create']) {
    it(`passes ${scenario} (one client per session) over ${SWEEP_RUNS} trials`, async () => {
      const cell = await runTestCell('client-seq', scenario, { runs: SWEEP_RUNS, seed: 77 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell.error).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: SWEEP_RUNS });
    });
  }
});
