// Exhaustive mode. Takes a scenario's smallest workloads and runs every interleaving of
// each one's statements, depth first (explore-interleavings.ts), as a Chooser the scheduled
// gate asks at each decision; schedules that differ only in the order of commuting statements
// (commuting-statements.ts: two plain reads) are pruned with sleep sets. Hands on: the first
// failure of each distinct kind and the counts of what was explored.
import fc from 'fast-check';
import type { CaseStrategy, Exploration, TrialRun } from './case-strategy.js';
import { formatStep } from '../gate/format-step.js';
import { workloadSize, type Workload } from '../workload/workload.js';
import { exploreInterleavings } from './explore-interleavings.js';
import { findingKey } from './failure-groups.js';

const EXHAUSTIVE_CAP = 5000;

/** Distinct small workloads (fewest calls first) for exhaustive mode, where every interleaving is run. */
function smallWorkloads(arb: fc.Arbitrary<Workload>, seed: number, count: number): Workload[] {
  const seen = new Set<string>();
  const out: Workload[] = [];
  for (const w of fc.sample(arb, { seed, numRuns: 300 }).sort((a, b) => workloadSize(a) - workloadSize(b))) {
    const key = JSON.stringify(w);
    if (seen.has(key) || workloadSize(w) > 4) continue;
    seen.add(key);
    out.push(w);
    if (out.length >= count) break;
  }
  return out;
}

/** Every interleaving of up to `workloads` of the scenario's smallest workloads, until `deadline`; reports the first failing interleaving of the smallest workload. */
export function exhaustiveStrategy(
  arb: fc.Arbitrary<Workload>,
  o: { seed: number; workloads: number; deadline: number; prune: boolean },
): CaseStrategy {
  return {
    async run(runCase) {
      const distinct = new Map<string, TrialRun>();
      const exploration: Exploration = { workloads: 0, interleavings: 0, pruned: 0, redundant: 0, complete: true, distinctFailures: [] };
      for (const workload of smallWorkloads(arb, o.seed, o.workloads)) {
        const r = await exploreInterleavings(
          async (chooser) => {
            const c = { workload, chooser };
            const result = await runCase(c);
            const v = result?.violations[0];
            if (!result || !v) return;
            const key = findingKey(v);
            if (!distinct.has(key)) distinct.set(key, { case: c, result });
          },
          { cap: EXHAUSTIVE_CAP, deadline: o.deadline, prune: o.prune },
        );
        exploration.workloads++;
        exploration.interleavings += r.explored;
        exploration.pruned += r.pruned;
        exploration.redundant += r.redundant;
        exploration.complete &&= r.complete;
        if (performance.now() > o.deadline) break;
      }
      exploration.distinctFailures = [...distinct.entries()].map(([key, f]) => ({
        key,
        message: f.result.violations[0]!.message,
        schedule: (f.result.schedule ?? []).map(formatStep),
      }));
      return { failure: [...distinct.values()][0], exploration };
    },
  };
}

/** The results.json note of an exhaustive cell: what was explored, what was found, what pruning skipped. */
export function explorationNote(e: Exploration, prune: boolean): string {
  return `exhaustive: ${e.interleavings} interleavings of ${e.workloads} workload(s) explored${e.complete ? ' (complete)' : ' (stopped at the cap or budget)'}, ${e.distinctFailures.length} distinct failure(s); ${!prune ? 'no pruning' : `${e.pruned} branch(es) pruned as reorderings of commuting reads${e.redundant ? `, ${e.redundant} redundant run(s)` : ''}`}`;
}
