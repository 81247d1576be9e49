// Issue 25: the operations scenario's workloads, checked on samples (no database).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FULL_CAPABILITIES, notApplicable, type TargetCapabilities } from '../harness/workload/scenario.js';
import { callLabel, workloadIds } from '../harness/workload/workload.js';
import { claim } from '../targets/handle-model.js';
import { spend } from '../targets/credits-model.js';
import { mixed } from './mixed.js';
import { operations } from './operations.js';

const CAPS: TargetCapabilities = { ...FULL_CAPABILITIES, operations: { spend, claim }, chat: false };

describe('operations scenario', () => {
  const samples = fc.sample(operations.arbitrary(CAPS), { numRuns: 500, seed: 25 });

  it('makes 1–4 clients of 1–3 calls of the declared operations, args drawn from the trial’s users and keys', () => {
    for (const w of samples) {
      expect(w.clients.length).toBeGreaterThanOrEqual(1);
      expect(w.clients.length).toBeLessThanOrEqual(4);
      for (const calls of w.clients) {
        expect(calls.length).toBeGreaterThanOrEqual(1);
        expect(calls.length).toBeLessThanOrEqual(3);
        for (const c of calls) {
          expect(c.op).toBe('operation');
          expect(['spend', 'claim']).toContain(c.operation!.name);
          expect(w.users).toContain((c.operation!.args as { user: string }).user);
          if (c.operation!.name === 'claim') expect(w.keys).toContain((c.operation!.args as { handle: string }).handle);
        }
      }
      // Operation calls name no session: the chat snapshot's scope stays empty.
      expect(workloadIds(w).sessions).toEqual([]);
    }
    expect(new Set(samples.map((w) => w.clients.length))).toEqual(new Set([1, 2, 3, 4]));
  });

  it('kills some calls’ connections before and after a statement or COMMIT', () => {
    const faults = samples
      .flatMap((w) => w.clients.flat())
      .map((c) => c.fault)
      .filter((f) => f !== undefined);
    expect(faults.some((f) => f.when === 'before')).toBe(true);
    expect(faults.some((f) => f.when === 'after' && f.statement === 1)).toBe(true);
    expect(faults.some((f) => f.when === 'after' && f.statement === 'commit')).toBe(true);
  });

  it('prints calls short and stable, as `spend(u1, 3)@c2`', () => {
    expect(
      callLabel({ op: 'operation', session: '', user: '', valid: false, operation: { name: 'spend', args: { user: 'u1', amount: 3 } } }, 1),
    ).toBe('spend(u1, 3)@c2');
    expect(
      callLabel(
        {
          op: 'operation',
          session: '',
          user: '',
          valid: false,
          operation: { name: 'tag', args: { ids: ['k1'], note: null } },
          fault: { statement: 'commit', when: 'after' },
        },
        0,
      ),
    ).toBe('tag(["k1"], null)@c1 [kill after COMMIT]');
  });

  it('applies to targets with operations only; the chat scenarios to targets with logMessage', () => {
    expect(notApplicable(operations, CAPS)).toBeUndefined();
    expect(notApplicable(operations, FULL_CAPABILITIES)).toBe('the target declares no operations');
    expect(notApplicable(mixed, CAPS)).toBe('the target has operations only (no logMessage, or a schema of its own without `tables`)');
    expect(notApplicable(mixed, FULL_CAPABILITIES)).toBeUndefined();
  });

  it('mixed adds up to two clients of operations beside the chats for a target that has both', () => {
    const both = { ...FULL_CAPABILITIES, operations: { spend } };
    const ws = fc.sample(mixed.arbitrary(both), { numRuns: 300, seed: 7 });
    const opClients = ws.map((w) => w.clients.filter((calls) => calls.every((c) => c.op === 'operation')).length);
    expect(Math.max(...opClients)).toBe(2);
    expect(ws.every((w) => w.clients.some((calls) => calls.some((c) => c.op !== 'operation')))).toBe(true);
    // A chat target's mixed workloads are what they were.
    const chatOnly = fc.sample(mixed.arbitrary(FULL_CAPABILITIES), { numRuns: 50, seed: 7 });
    expect(chatOnly.every((w) => w.clients.flat().every((c) => c.op !== 'operation') && w.keys === undefined)).toBe(true);
  });
});

// Issue 25, on a real database: a target with both chat and operations runs them side by side in mixed.
describe('mixed on a target with chat and operations', () => {
  it('runs chat calls and spends together and passes 60 scheduled trials (chat invariants and serializable)', async () => {
    const { loadTargets } = await import('../harness/contract/load-target.js');
    const { builtinTargets } = await import('../targets/builtin-targets.js');
    const { builtinScenarios } = await import('./builtin-scenarios.js');
    const { runCell } = await import('../harness/run/run-cell.js');
    const { testServer } = await import('../test/test-server.js');
    const [target] = await loadTargets(['./test/fixtures/chat-credits-target.ts'], {
      registry: builtinTargets,
      scenarioNames: builtinScenarios.map((s) => s.name),
    });
    let seeded = 0;
    let spent = 0;
    const cell = await runCell(
      {
        run: {
          mode: 'scheduled',
          runId: `ops_${process.pid}`,
          runs: 60,
          seed: 2504,
          callTimeoutMs: 5000,
          reportDir: `/tmp/chatfuzz-ops-${process.pid}`,
        },
        target: target!,
        scenario: mixed,
        server: testServer(),
        cellIndex: 0,
        cellCount: 1,
        timeBudgetMs: null,
      },
      {
        afterTrials: async (pool) => {
          const { rows } = await pool.query('SELECT count(*)::int AS n, count(*) FILTER (WHERE balance < 10)::int AS spent FROM credits');
          seeded = rows[0].n;
          spent = rows[0].spent;
        },
      },
    );
    expect(cell.failure?.message).toBeUndefined();
    expect(cell.error).toBeUndefined();
    expect(cell).toMatchObject({ outcome: 'pass', runs: 60 });
    // Every trial seeded its two users' credits, and spends ran in many of them.
    expect(seeded).toBe(120);
    expect(spent).toBeGreaterThan(10);
  }, 120_000);
});
