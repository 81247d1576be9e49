// The pass itself, on a hand-written judge (which calls a failure needs); the database tests
// (scheduled-mode, fault-injector, assistant-logging-after) show it on real races.
import { describe, expect, it } from 'vitest';
import type { TrialResult } from '../execute/run-trial.js';
import type { TrialCase } from './case-strategy.js';
import type { CallSpec, Workload } from '../workload/workload.js';
import { dropCalls } from './drop-calls.js';

const call = (session: string, id: string, extra: Partial<CallSpec> = {}): CallSpec => ({
  op: 'logMessage',
  session,
  user: 'u1',
  valid: true,
  messages: [{ id, role: 'user', content: id }],
  ...extra,
});

/** Fails while the workload holds every message id in `needed`; its schedule runs calls in index order. */
function judge(needed: string[]) {
  const tried: Workload[] = [];
  const runCase = async (c: TrialCase & { chooser?: unknown }): Promise<TrialResult> => {
    tried.push(c.workload);
    const ids = c.workload.clients.flat().map((x) => x.messages![0]!.id);
    const n = c.workload.clients.flat().length;
    const fails = needed.every((id) => ids.includes(id));
    return {
      history: { ns: 't1_', calls: [], statements: [] },
      snapshot: { users: [], sessions: [], messages: [] },
      violations: fails ? [{ invariant: 'no-db-error', message: 'x', calls: [0], sqlstate: '23505' }] : [],
      schedule: Array.from({ length: n }, (_, i) => ({ step: i + 1, call: i, client: 0, sql: 'INSERT', options: 1, blocked: false })),
      picks: Array.from({ length: n }, () => 0),
    };
  };
  return { tried, runCase };
}

describe('dropCalls', () => {
  it('drops whole clients and single calls the failure does not need, keeping a faulted call with its retry', async () => {
    const workload: Workload = {
      users: ['u1'],
      clients: [
        [call('s1', 'm1'), call('s1', 'm2', { fault: { statement: 1, when: 'after' } }), call('s1', 'm2', { retry: true })],
        [call('s2', 'm3'), call('s2', 'm4')],
        [call('s1', 'm5')],
      ],
    };
    const { runCase } = judge(['m2', 'm5']);
    const first = await runCase({ workload });
    const { run, shrinks } = await dropCalls({ case: { workload, choices: [] }, result: first }, (r) => r.violations.length > 0, runCase);
    expect(
      run.case.workload.clients.map((cs) => cs.map((c) => `${c.messages![0]!.id}${c.retry ? ' retry' : ''}${c.fault ? ' fault' : ''}`)),
    ).toEqual([['m2 fault', 'm2 retry'], ['m5']]);
    expect(shrinks).toBe(2);
    expect(run.case.choices).toEqual([0, 0, 0]);
  });

  it('keeps the case as it was when every call is needed', async () => {
    const workload: Workload = { users: ['u1'], clients: [[call('s1', 'm1')], [call('s1', 'm2')]] };
    const { runCase, tried } = judge(['m1', 'm2']);
    const first = await runCase({ workload });
    const { run, shrinks } = await dropCalls({ case: { workload, choices: [1] }, result: first }, (r) => r.violations.length > 0, runCase);
    expect([run.case, shrinks]).toEqual([{ workload, choices: [1] }, 0]);
    expect(tried.length).toBeGreaterThan(1);
  });
});
