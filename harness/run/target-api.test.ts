// The declared API surface on the real database: what a target says about its calls shapes
// what it is sent, and verdicts follow (the workload side is unit-tested in fit-to-api.test.ts).
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadTargets } from '../contract/load-target.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import { builtinTargets } from '../../targets/builtin-targets.js';
import { testServer } from '../../test/test-server.js';
import type { Mode } from '../contract/define-config.js';
import type { Scenario } from '../workload/scenario.js';
import type { Workload } from '../workload/workload.js';
import { runCell } from './run-cell.js';

const fixture = (name: string) => path.resolve(import.meta.dirname, '../../test/fixtures', name);
let cellNo = 0;

async function cell(target: string, scenario: Scenario, o: { runs?: number; mode?: Mode; seed?: number } = {}) {
  const [loaded] = await loadTargets([target], {
    registry: builtinTargets,
    scenarioNames: builtinScenarios.map((s) => s.name),
    cwd: process.cwd(),
  });
  return runCell({
    run: {
      mode: o.mode ?? 'scheduled',
      runId: `api_${process.pid}`,
      runs: o.runs ?? 40,
      seed: o.seed ?? 5,
      callTimeoutMs: 5000,
      reportDir: path.join(os.tmpdir(), `chatfuzz-api-${process.pid}`),
    },
    target: loaded!,
    scenario,
    server: testServer(),
    cellIndex: cellNo++,
    cellCount: 1,
    timeBudgetMs: null,
  });
}

const scenario = (name: string) => builtinScenarios.find((s) => s.name === name)!;
const fixed = (workload: Workload): Scenario => ({
  name: 'retry-after-error',
  description: 'a fixed workload',
  arbitrary: () => fc.constant(workload),
});

describe('a target without createSession whose handleChat saves the reply in the request', () => {
  // Were it sent a createSession (it has none) or a reply on its own (it refuses one), valid calls would fail.
  it.each(builtinScenarios.map((s) => s.name))('passes %s: it is sent only calls its API has', async (name) => {
    const r = await cell(fixture('first-message-target.ts'), scenario(name), {
      runs: name === 'mixed' || name === 'hostile-input' ? 60 : 30,
    });
    expect(r.failure?.message ?? r.error, r.failure?.counterexample.ops.map((o) => o.label).join('\n')).toBeUndefined();
    expect(r.outcome).toBe('pass');
  });

  it('without its input rules declared, its refusal of empty or over-long text is a finding', async () => {
    const r = await cell(fixture('first-message-undeclared-target.ts'), scenario('hostile-input'), { runs: 100 });
    expect(r.failure?.invariant).toBe('valid-calls-succeed');
    expect(r.failure?.message).toMatch(/empty message|message too long/);
  });
});

describe('a kill after the COMMIT of a call', () => {
  const ask = {
    op: 'handleChat' as const,
    session: 's1',
    user: 'u1',
    valid: true,
    messages: [{ id: 'm1', role: 'user' as const, content: 'hello #m1' }],
  };
  const workload: Workload = {
    users: ['u1'],
    clients: [
      [
        { ...ask, fault: { statement: 'commit', when: 'after' } },
        { ...ask, retry: true },
      ],
    ],
  };

  it('commits, loses the acknowledgement, and the retry of a target that accepts a stored message succeeds', async () => {
    const r = await cell('serializable-retry', fixed(workload), { runs: 1 });
    expect(r.outcome).toBe('pass');
  });

  it('catches a target whose retry fails on the message it already committed', async () => {
    const r = await cell(fixture('insert-once-target.ts'), fixed(workload), { runs: 1 });
    expect([r.failure?.invariant, r.failure?.sqlstate, r.failure?.constraint]).toEqual(['no-db-error', '23505', 'chat_messages_pkey']);
    const [killed, retry] = r.failure!.counterexample.ops;
    expect([killed!.label, killed!.outcome]).toEqual(['handleChat(s1, [user], m1, u1)@c1 [kill after COMMIT]', 'info']);
    // The COMMIT ran; only its acknowledgement was lost.
    const commit = r.failure!.statements.find((st) => st.call === 0 && /^COMMIT/.test(st.sql));
    expect(commit?.error?.killedAfter).toBe(true);
    expect([retry!.label, retry!.outcome]).toEqual(['retry handleChat(s1, [user], m1, u1)@c1', 'fail']);
  });
});
