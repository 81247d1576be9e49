// The search itself, on a pure stand-in for a trial: a workload is a number n, and "bugs" are
// properties of n. What a trial does on a database is the business of run-cell.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RunCase, TrialCase } from './case-strategy.js';
import type { TrialResult } from '../execute/run-trial.js';
import type { Violation } from '../invariants/invariant.js';
import type { Workload } from '../workload/workload.js';
import { randomStrategy } from './random-strategy.js';

const workloads: fc.Arbitrary<Workload> = fc.integer({ min: 0, max: 1000 }).map((n) => ({ users: [String(n)], clients: [] }));
const numberOf = (c: TrialCase) => Number(c.workload.users[0]);
const big: Violation = { invariant: 'no-db-error', message: 'n ≥ 501', calls: [0], sqlstate: '23505', constraint: 'chat_sessions_pkey' };
const seven: Violation = { invariant: 'acked-durable', message: 'n % 7 = 3', calls: [0] };

/** A trial of n: 23505 from 501 up (501 % 7 is 4), a lost message when n % 7 is 3; records the n of every trial. */
function bugs(check: (n: number) => Violation[] = (n) => [...(n >= 501 ? [big] : []), ...(n % 7 === 3 ? [seven] : [])]) {
  const seen: number[] = [];
  const runCase: RunCase = async (c) => {
    seen.push(numberOf(c));
    return { violations: check(numberOf(c)) } as unknown as TrialResult;
  };
  return { runCase, seen };
}

describe('randomStrategy', () => {
  it('reports every distinct failure, each shrunk to the smallest case of its own group, with the seed of its round', async () => {
    const { runCase } = bugs();
    const out = await randomStrategy(workloads, { mode: 'stress', seed: 5, runs: 300 }).run(runCase);
    expect(out.failures.map((f) => f.head.invariant).sort()).toEqual(['acked-durable', 'no-db-error']);
    expect(out.failure).toBe(out.failures[0]);
    const byGroup = Object.fromEntries(out.failures.map((f) => [f.head.invariant, f]));
    // 501 is the smallest n of the 23505 group; the lost-message group shrinks within n % 7 = 3.
    expect(numberOf(byGroup['no-db-error']!.case)).toBe(501);
    expect(numberOf(byGroup['acked-durable']!.case) % 7).toBe(3);
    expect(out.failures.map((f) => f.seed)).toEqual([5, 6]);
    expect(out.failures.every((f) => f.shrinks > 0)).toBe(true);
  });

  it('passes every trial whose violations all belong to a known group, so one bug is reported once', async () => {
    const { runCase, seen } = bugs((n) => (n >= 100 ? [{ ...big, calls: [n] }] : []));
    const out = await randomStrategy(workloads, { mode: 'stress', seed: 1, runs: 200 }).run(runCase);
    expect(out.failures).toHaveLength(1);
    expect(numberOf(out.failures[0]!.case)).toBe(100);
    // After the one failure, the search went on to the end of its runs (shrink steps on top).
    expect(seen.length).toBeGreaterThan(200);
  });

  it('spends exactly `runs` generated cases on a cell without failures', async () => {
    const { runCase, seen } = bugs(() => []);
    const out = await randomStrategy(workloads, { mode: 'scheduled', seed: 3, runs: 57 }).run(runCase);
    expect(out).toEqual({ failure: undefined, failures: [] });
    expect(seen).toHaveLength(57);
  });

  it('stops at maxFailures distinct failures', async () => {
    const { runCase } = bugs((n) => [{ invariant: 'no-db-error', message: String(n % 10), calls: [0], sqlstate: `0000${n % 10}` }]);
    const out = await randomStrategy(workloads, { mode: 'stress', seed: 2, runs: 500, maxFailures: 3 }).run(runCase);
    expect(out.failures).toHaveLength(3);
    expect(new Set(out.failures.map((f) => f.head.sqlstate)).size).toBe(3);
  });

  it('stops when the cell stops running trials mid-shrink (budget spent), keeping the smallest failure so far', async () => {
    let left = 5;
    const { runCase: inner, seen } = bugs((n) => (n > 0 ? [big] : []));
    const runCase: RunCase = async (c) => (left-- > 0 ? inner(c) : undefined);
    const out = await randomStrategy(workloads, { mode: 'stress', seed: 5, runs: 10_000 }).run(runCase);
    expect(seen).toHaveLength(5);
    expect(out.failures).toHaveLength(1);
    expect(numberOf(out.failures[0]!.case)).toBe(Math.min(...seen.filter((n) => n > 0)));
  });

  it('a stopped cell ends the search at once: the runs left are neither generated nor asked for', async () => {
    let generated = 0;
    let asked = 0;
    const counted = workloads.map((w) => {
      generated++;
      return w;
    });
    const runCase: RunCase = async () => (++asked <= 3 ? ({ violations: [] } as unknown as TrialResult) : undefined);
    const out = await randomStrategy(counted, { mode: 'stress', seed: 1, runs: 1_000_000 }).run(runCase);
    expect(out.failures).toEqual([]);
    expect(asked).toBe(4);
    // Passing the remaining runs instead would generate a million workloads in one microtask chain.
    expect(generated).toBeLessThan(10);
  });

  it('runs saved cases first and each of them once, also across rounds', async () => {
    const cases: TrialCase[] = [];
    const runCase: RunCase = async (c) => {
      cases.push(c);
      const n = numberOf(c);
      return { violations: n === 600 ? [big] : n === 1000 ? [seven] : [] } as unknown as TrialResult;
    };
    const examples = [600, 1000, 999].map((n) => ({ workload: { users: [String(n), 'saved'], clients: [] } }));
    const out = await randomStrategy(workloads, { mode: 'stress', seed: 9, runs: 100, examples }).run(runCase);
    expect(numberOf(cases[0]!)).toBe(600);
    // Round 1 starts with the saved cases round 0 did not reach.
    expect(out.failures.map((f) => [f.head.invariant, numberOf(f.case)])).toEqual([
      ['no-db-error', 600],
      ['acked-durable', 1000],
    ]);
    expect(cases.filter((c) => c.workload.users[1] === 'saved').map(numberOf)).toEqual([600, 1000, 999]);
  });

  it('a parallel search (3 at once) reports the same failures, shrunk to the same cases, as one at a time', async () => {
    const serial = await randomStrategy(workloads, { mode: 'scheduled', seed: 5, runs: 300 }).run(bugs().runCase);
    const slots = new Set<number>();
    const { runCase } = bugs();
    const parallel = await randomStrategy(workloads, { mode: 'scheduled', seed: 5, runs: 300, parallel: 3 }).run(async (c, slot) => {
      slots.add(slot ?? 0);
      return runCase(c);
    });
    const summary = (o: typeof serial) => o.failures.map((f) => [f.head.invariant, numberOf(f.case), f.seed]);
    expect(summary(parallel)).toEqual(summary(serial));
    expect(serial.failures).toHaveLength(2);
    expect([...slots].sort()).toEqual([0, 1, 2]);
  });
});
