import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTestCell } from '../../test/run-test-cell.js';
import { testServer } from '../../test/test-server.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import { builtinTargets } from '../../targets/builtin-targets.js';
import naive from '../../targets/naive.js';
import type { TargetDefinition } from '../contract/define-target.js';
import { loadTargets, type LoadedTarget } from '../contract/load-target.js';
import type { TrialCase } from '../strategy/case-strategy.js';
import { readCaseFile } from '../cases/case-file.js';
import type { CellResult } from './results.js';
import { runCell } from './run-cell.js';

// The harness catches the deliberately broken reference targets with the right invariant…
describe('catches the broken reference targets', () => {
  it('naive × multi-message-first-request: no-fk-error on chat_messages_session_id_fkey, shrunk to one handleChat', async () => {
    const cell = await runTestCell('naive', 'multi-message-first-request');
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    const ops = cell.failure!.counterexample.ops;
    expect(ops).toHaveLength(1);
    expect(ops[0]!.label).toMatch(/^handleChat\(s1, \[system,user\]/);
    expect(cell.failure!.statements.some((s) => s.error?.sqlstate === '23503' && /INSERT INTO chat_messages/.test(s.sql))).toBe(true);
    expect(cell.failure!.replay).toMatch(/^npm run fuzz -- --replay \S+naive--multi-message-first-request--stress\.json$/);
  });

  it('naive × log-before-create: no-fk-error, shrunk to one logMessage', async () => {
    const cell = await runTestCell('naive', 'log-before-create');
    expect(cell.failure).toMatchObject({ invariant: 'no-fk-error', sqlstate: '23503', constraint: 'chat_messages_session_id_fkey' });
    expect(cell.failure!.counterexample.ops.map((o) => o.label)).toEqual(['logMessage(s1, m1, user, u1)@c1']);
  });

  it('session-first × concurrent-duplicates: no-db-error, 23505 escapes from the check-then-insert race', async () => {
    // Scheduled: in stress mode a shrink step may miss the race by timing alone and stop early.
    const cell = await runTestCell('session-first', 'concurrent-duplicates', { mode: 'scheduled' });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    expect(cell.failure).toMatchObject({ invariant: 'no-db-error', sqlstate: '23505' });
    expect(cell.failure!.constraint).toMatch(/^chat_(sessions|messages)_pkey$/);
    expect(cell.failure!.counterexample.ops.length).toBeLessThanOrEqual(3);
    expect(cell.runsToFirstFailure).not.toBeNull();
  });
});

// …and does not cry wolf on correct code.
describe('stays silent on correct code', () => {
  for (const scenario of ['multi-message-first-request', 'log-before-create']) {
    it(`session-first passes ${scenario} (sequential per session) over 200 trials`, async () => {
      const cell = await runTestCell('session-first', scenario, { runs: 200, seed: 77 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 200 });
    });
  }
  for (const scenario of ['multi-message-first-request', 'log-before-create', 'concurrent-duplicates']) {
    it(`upsert passes ${scenario} over 200 trials`, async () => {
      const cell = await runTestCell('upsert', scenario, { runs: 200, seed: 4242 });
      expect(cell.failure?.message).toBeUndefined();
      expect(cell).toMatchObject({ outcome: 'pass', ok: true, runs: 200 });
      expect(cell.calls).toBeGreaterThan(400);
    });
  }
});

// Every distinct failure of a cell is reported, each shrunk and replayable on its own.
describe('reports every distinct failure of a cell', () => {
  it('two-bugs × concurrent-duplicates: the 23505 race and the lost reply, each with a case file that replays it', async () => {
    const [target] = await loadTargets(['./test/fixtures/two-bugs-target.ts'], { registry: builtinTargets, scenarioNames: SCENARIOS });
    const cell = await cellOf(target!, 'concurrent-duplicates', { seed: 1 });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'fail', ok: true });
    const failures = cell.failures!;
    expect(failures.map((f) => [f.invariant, f.sqlstate, f.constraint])).toEqual(
      expect.arrayContaining([
        ['no-db-error', '23505', 'chat_sessions_pkey'],
        ['acked-durable', undefined, undefined],
      ]),
    );
    // The first one found stays `failure`; runsToFirstFailure still means it.
    expect(cell.failure).toEqual(failures[0]);
    expect(cell.runsToFirstFailure).toBeLessThan(cell.runs);
    expect(new Set(failures.map((f) => f.caseFile)).size).toBe(failures.length);
    for (const f of failures) {
      expect(f.counterexample.ops.length).toBeLessThanOrEqual(3);
      const saved = await readCaseFile(f.caseFile!);
      expect(saved).toMatchObject({ invariant: f.invariant, seed: f.seed, targetSpec: './test/fixtures/two-bugs-target.ts' });
      const again = await cellOf(target!, 'concurrent-duplicates', { replay: { workload: saved.workload, choices: saved.choices } });
      expect([again.failure?.invariant, again.failure?.sqlstate, again.failure?.constraint], f.caseFile).toEqual([
        f.invariant,
        f.sqlstate,
        f.constraint,
      ]);
    }
  });
});

describe('exhaustive mode reports its distinct failures the same way', () => {
  it('naive × concurrent-duplicates: one failure per distinct kind the exploration lists, in its order, each saved', async () => {
    const cell = await runTestCell('naive', 'concurrent-duplicates', { mode: 'exhaustive', runs: 2, seed: 1234 });
    const listed = cell.exploration!.distinctFailures;
    expect(listed.length).toBeGreaterThan(1);
    expect(cell.failures!.map((f) => `${f.invariant} ${f.sqlstate ?? ''} ${f.constraint ?? ''}`)).toEqual(listed.map((d) => d.key));
    expect(cell.failure).toEqual(cell.failures![0]);
    expect(new Set(cell.failures!.map((f) => f.caseFile)).size).toBe(listed.length);
  });
});

// A target's known findings, muted in its expect, do not fail the cell but are counted.
describe('mutes the known findings a target declares', () => {
  const naiveWith = async (expect: TargetDefinition['expect']): Promise<LoadedTarget> => ({
    def: { ...naive, name: 'naive-muted', expect },
    source: 'test',
  });

  it('naive × concurrent-duplicates with every finding muted passes and says how often each showed', async () => {
    const target = await naiveWith({
      '*': { mute: [{ invariant: 'no-fk-error' }] },
      'concurrent-duplicates': { mute: [{ invariant: 'no-db-error', sqlstate: '23505', note: 'known, see #123' }] },
    });
    const cell = await cellOf(target, 'concurrent-duplicates', { seed: 3, runs: 60 });
    expect(cell.failures?.map((f) => f.message)).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', expected: 'pass', ok: true, runs: 60, runsToFirstFailure: null });
    expect(cell.muted).toEqual([
      { invariant: 'no-db-error', sqlstate: '23505', note: 'known, see #123', trials: expect.any(Number) },
      { invariant: 'no-fk-error', trials: expect.any(Number) },
    ]);
    expect(cell.muted!.every((m) => m.trials > 0)).toBe(true);
  });

  it('a second, unmuted bug of the same cell still fails it, and no reported failure is the muted one', async () => {
    const target = await naiveWith({
      'concurrent-duplicates': { mute: [{ invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey' }] },
    });
    const cell = await cellOf(target, 'concurrent-duplicates', { seed: 3, runs: 60 });
    expect(cell).toMatchObject({ outcome: 'fail', expected: 'pass', ok: false });
    expect(cell.failures!.map((f) => f.invariant)).toContain('no-fk-error');
    for (const f of cell.failures!) {
      expect(f.violations.some((v) => v.sqlstate === '23505' && v.constraint === 'chat_sessions_pkey')).toBe(false);
    }
    expect(cell.muted).toEqual([
      { invariant: 'no-db-error', sqlstate: '23505', constraint: 'chat_sessions_pkey', trials: expect.any(Number) },
    ]);
    expect(cell.muted![0]!.trials).toBeGreaterThan(0);
  });
});

const SCENARIOS = builtinScenarios.map((s) => s.name);
let cellNo = 0;

/** Runs one scheduled cell of a loaded target on the suite's server (a replay when given one). */
async function cellOf(
  target: LoadedTarget,
  scenario: string,
  o: { seed?: number; runs?: number; replay?: TrialCase; timeBudgetMs?: number },
): Promise<CellResult> {
  return runCell({
    run: {
      mode: 'scheduled',
      runId: `rc_${process.pid}_${Date.now().toString(36)}`,
      runs: o.runs ?? 100,
      seed: o.seed ?? 1,
      callTimeoutMs: 5000,
      reportDir: path.join(os.tmpdir(), `chatfuzz-run-cell-test-${process.pid}`),
      replay: o.replay,
    },
    target,
    scenario: builtinScenarios.find((s) => s.name === scenario)!,
    server: testServer(),
    cellIndex: cellNo++,
    cellCount: 1,
    timeBudgetMs: o.timeBudgetMs ?? null,
  });
}

describe('a cell the time budget cut before its trials', () => {
  // The budget starts with the cell: setting up its database alone takes longer than 1 ms.
  it('is budget-exhausted with its trial count, never a pass (expected pass) nor an unexpected pass (expected fail)', async () => {
    const upsert: LoadedTarget = { def: await builtinTargets.upsert!(), source: 'test' };
    const cut = await cellOf(upsert, 'concurrent-duplicates', { runs: 50, timeBudgetMs: 1 });
    expect(cut).toMatchObject({ outcome: 'budget-exhausted', ok: true, runs: 0, expected: 'pass' });
    expect(cut.note).toMatch(/the time budget ran out after 0 of 50 trials: not a pass/);
    const expectedFail: LoadedTarget = { def: naive, source: 'test' };
    const cutFail = await cellOf(expectedFail, 'log-before-create', { runs: 50, timeBudgetMs: 1 });
    expect(cutFail).toMatchObject({ outcome: 'budget-exhausted', expected: 'fail', runs: 0 });
    expect(cutFail.failure).toBeUndefined();
  });
});

// Issue 25: a scenario that does not apply to a target runs no trials and says why.
describe('cells whose scenario does not apply', () => {
  it('a chat scenario on a target of operations only, and operations on a chat target: a pass of 0 runs with the reason', async () => {
    const chat = await runTestCell('credits-atomic', 'mixed', { runs: 5 });
    expect(chat).toMatchObject({
      outcome: 'pass',
      ok: true,
      runs: 0,
      note: 'not applicable: the target has operations only (no logMessage, or a schema of its own without `tables`)',
    });
    const ops = await runTestCell('upsert', 'operations', { runs: 5 });
    expect(ops).toMatchObject({ outcome: 'pass', ok: true, runs: 0, note: 'not applicable: the target declares no operations' });
  });
});
