// Issue 25: the serializable checker's time per trial, on generated histories of n calls that
// all overlap (the hardest case: every order is allowed by real time). Half the histories are
// explained by a serial order, half have an observed state no order gives (the search must
// exhaust every (placed calls, state) pair). No database; `npm run bench` prints it first.
import fc from 'fast-check';
import type { CallRecord, History } from '../harness/history/history.js';
import type { InvariantModel } from '../harness/invariants/invariant.js';
import { checkSerializable } from '../harness/invariants/serializable.js';
import { callLabel } from '../harness/workload/workload.js';
import { creditsModel, spend } from '../targets/credits-model.js';
import { claim, handleModel } from '../targets/handle-model.js';

const MODELS: { name: string; model: InvariantModel; initial: unknown; args: fc.Arbitrary<{ name: string; args: unknown }> }[] = [
  {
    name: 'credits',
    model: { operations: { spend } },
    initial: creditsModel.initial({ users: ['u1', 'u2'], keys: [] }),
    args: spend.args({ users: ['u1', 'u2'], keys: [] }).map((args) => ({ name: 'spend', args })),
  },
  {
    name: 'handles',
    model: { operations: { claim } },
    initial: handleModel.initial({ users: ['u1', 'u2'], keys: ['k1', 'k2'] }),
    args: claim.args({ users: ['u1', 'u2'], keys: ['k1', 'k2'] }).map((args) => ({ name: 'claim', args })),
  },
];

/** A history of n overlapping calls that one random serial order explains (one call in four is `info`), and the state it leaves. */
function history(m: (typeof MODELS)[number], n: number, seed: number): { h: Pick<History, 'calls' | 'model'>; final: unknown } {
  const [calls, order, infoSkips] = fc.sample(
    fc.tuple(
      fc.array(m.args, { minLength: n, maxLength: n }),
      fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
      fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    ),
    { numRuns: 1, seed },
  )[0]!;
  let state = m.initial;
  const records: CallRecord[] = calls.map((c, i) => ({
    index: i,
    client: i,
    op: 'operation',
    label: callLabel({ op: 'operation', session: '', user: '', valid: false, operation: c }, i),
    valid: false,
    sessionId: '',
    userId: '',
    invokedAt: i + 1,
    completedAt: n + 1 + i,
    outcome: 'ok',
    durationMs: 1,
    operation: { ...c },
  }));
  for (const i of order) {
    const r = records[i]!;
    const info = i % 4 === 3;
    if (info) {
      r.outcome = 'info';
      r.error = { kind: 'connection', message: 'killed' };
      if (infoSkips[i]) continue;
    }
    const step = m.model.operations[r.operation!.name]!.apply(state, r.operation!.args);
    if ('refuse' in step) {
      if (!info) {
        r.outcome = 'fail';
        r.error = { kind: 'domain', message: 'refused' };
      }
      continue;
    }
    state = step.state;
    if (!info) r.operation!.result = step.result;
  }
  return { h: { calls: records, model: { initial: m.initial } }, final: state };
}

/** A state no order gives: a balance off by 100, or a handle owned by a user who never claimed it. */
function unexplained(final: unknown): unknown {
  const f = final as { balance?: Record<string, number>; owner?: Record<string, string> };
  return f.balance ? { balance: { ...f.balance, u1: f.balance.u1! + 100 } } : { owner: { ...f.owner, k1: 'nobody' } };
}

/** Checker time per trial at each size: median and worst over `trials` histories per model (half explained, half not), in ms. */
export function benchSerializable(
  sizes = [4, 6, 8],
  trials = 400,
): { calls: number; medianMs: number; p99Ms: number; worstMs: number; worstRetimedMs: number; verdicts: string }[] {
  // Warm-up: the first checks pay for the JIT.
  for (let t = 0; t < 200; t++)
    for (const m of MODELS) {
      const { h, final } = history(m, 8, t);
      checkSerializable(h, unexplained(final), m.model);
    }
  return sizes.map((n) => {
    const times: number[] = [];
    let failed = 0;
    let worst = { ms: -1, run: () => {} };
    for (const m of MODELS) {
      for (let t = 0; t < trials; t++) {
        const { h, final } = history(m, n, n * 100_000 + t);
        const observed = t % 2 ? unexplained(final) : final;
        const t0 = performance.now();
        const v = checkSerializable(h, observed, m.model);
        const ms = performance.now() - t0;
        times.push(ms);
        if (ms > worst.ms) worst = { ms, run: () => checkSerializable(h, observed, m.model) };
        if (v.length) failed++;
        if (v.length > 0 !== (t % 2 === 1)) throw new Error(`checker bench: wrong verdict on ${m.name} history ${t} of ${n} calls`);
      }
    }
    times.sort((a, b) => a - b);
    const r = (x: number) => Math.round(x * 1000) / 1000;
    // On a shared machine the slowest check is often a preempted one: the slowest history again, best of 20, is the checker's own worst.
    let retimed = Infinity;
    for (let k = 0; k < 20; k++) {
      const t0 = performance.now();
      worst.run();
      retimed = Math.min(retimed, performance.now() - t0);
    }
    const at = (q: number) => r(times[Math.min(times.length - 1, Math.floor(times.length * q))]!);
    return {
      calls: n,
      medianMs: at(0.5),
      p99Ms: at(0.99),
      worstMs: r(times.at(-1)!),
      worstRetimedMs: r(retimed),
      verdicts: `${times.length - failed} explained, ${failed} not`,
    };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of benchSerializable()) console.log(JSON.stringify(row));
}
