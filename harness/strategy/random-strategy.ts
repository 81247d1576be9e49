// The random strategy hands every case to fast-check, which generates workloads (and, scheduled,
// schedule choices) from the seed and shrinks a failing one in both (and drop-calls.ts removes
// the calls it could not), then keeps searching for failures of other kinds (failure-groups.ts).
// Saved cases (cases/: the corpus and committed regressions) run first. Hands on: the failing
// TrialRuns a cell reports, one per distinct failure.
import fc from 'fast-check';
import type { Mode, Scheduler } from '../contract/define-config.js';
import type { CaseStrategy, RunCase, StrategyOutcome, TrialCase, TrialRun } from './case-strategy.js';
import type { Violation } from '../invariants/invariant.js';
import type { Workload } from '../workload/workload.js';
import { FailureGroups, findingKey } from './failure-groups.js';
import { dropCalls } from './drop-calls.js';
import { pctChooser, pctParams, StepEstimate } from './pct-chooser.js';
import { workloadSize } from '../workload/workload.js';

/** More distinct failures than this in one cell are more than a person reads; the search stops there. */
export const MAX_FAILURE_GROUPS = 8;

/** One distinct failure, shrunk within its group. */
export interface FoundFailure extends TrialRun {
  /** The violation that names its group: the first one no earlier failure of the cell had. */
  head: Violation;
  /** The seed of the search round that found it. */
  seed: number;
  /** Smaller failing cases found while shrinking it. */
  shrinks: number;
}

/** What the random strategy found: every distinct failure in the order found (the first is also `failure`). */
export interface RandomOutcome extends StrategyOutcome {
  failures: FoundFailure[];
}

/** The random strategy: a CaseStrategy that hands back every distinct failure. */
export interface RandomCaseStrategy extends CaseStrategy {
  run(runCase: RunCase): Promise<RandomOutcome>;
}

/** What the random search needs besides the scenario's workloads. */
export interface RandomStrategyOptions {
  mode: Mode;
  seed: number;
  /** Generated cases (saved ones included) over all rounds. */
  runs: number;
  examples?: TrialCase[];
  /** Stop after this many distinct failures (default MAX_FAILURE_GROUPS). */
  maxFailures?: number;
  /** Told when a round starts searching and when it starts shrinking a failure. */
  onPhase?: (phase: 'search' | 'shrink') => void;
  /** Scheduled mode: PCT (default) or the uniform baseline (up to 64 small seeded choices, then first-come). */
  scheduler?: Scheduler;
  /** Scheduled mode: search with this many trials at once (runCase's `slot` 0..parallel−1); shrinking stays one at a time. */
  parallel?: number;
}

/**
 * Seeded random cases from a scenario's workloads, saved cases first. Each round is one
 * fast-check search in which trials whose violations all belong to already reported groups
 * pass, so it runs on past known failures and, shrinking, stays inside a new group; the next
 * round uses seed + round and the runs left. Stops when the runs or the budget are spent, a
 * round finds nothing new, or `maxFailures` groups are found.
 */
export function randomStrategy(workloads: fc.Arbitrary<Workload>, o: RandomStrategyOptions): RandomCaseStrategy {
  // Stress mode has no schedule to choose: timing decides.
  const scheduler = o.scheduler ?? 'pct';
  const cases: fc.Arbitrary<TrialCase> =
    o.mode === 'stress'
      ? workloads.map((workload) => ({ workload }))
      : scheduler === 'pct'
        ? fc.tuple(workloads, pctParams()).map(([workload, pct]) => ({ workload, pct }))
        : fc.tuple(workloads, fc.array(fc.nat({ max: 15 }), { maxLength: 64 })).map(([workload, choices]) => ({ workload, choices }));
  const estimate = new StepEstimate();
  // A PCT case gets a fresh chooser at each run (shrink steps rerun the failing trial's estimate); what it picked becomes `choices`.
  const schedule = (c: TrialCase, trial: number): TrialCase =>
    c.pct ? { workload: c.workload, pct: c.pct, chooser: pctChooser(c.pct, estimate.steps(trial, workloadSize(c.workload))) } : c;
  const maxFailures = o.maxFailures ?? MAX_FAILURE_GROUPS;
  const parallel = o.mode === 'stress' ? 1 : Math.max(1, o.parallel ?? 1);
  return {
    async run(runCase) {
      const groups = new FailureGroups();
      const failures: FoundFailure[] = [];
      let examples = o.examples ?? [];
      let left = o.runs;
      for (let round = 0; left > 0 && failures.length < maxFailures; round++) {
        const seed = o.seed + round;
        let generated = 0;
        let stopped = false;
        let shrinks = 0;
        let found: TrialRun | undefined;
        o.onPhase?.('search');
        const before = o.runs - left;
        // Parallel search: the cases fast-check would generate, in its order, a batch at a time; the
        // first failing one is replayed by fast-check (`path`) and shrunk from there, one at a time,
        // so the verdict and the counterexample are those of the serial search.
        let path: string | undefined;
        if (parallel > 1) {
          const all = [
            ...examples.map((c) => [c] as [TrialCase]),
            ...fc.sample(cases, { seed, numRuns: left }).map((c) => [c] as [TrialCase]),
          ].slice(0, left);
          let failing = -1;
          for (let i = 0; i < all.length && failing < 0 && !stopped;) {
            // The step estimate is learnt from the first trials: no batch runs across the end of the warm-up.
            const size = before + i < estimate.warmup ? Math.min(parallel, estimate.warmup - before - i) : parallel;
            const batch = all.slice(i, i + size);
            const results = await Promise.all(batch.map(([c], j) => runCase(schedule(c, before + i + j + 1), j)));
            for (let j = 0; j < batch.length; j++) {
              const r = results[j];
              if (!r) {
                stopped = true;
                break;
              }
              estimate.learn(before + i + j + 1, r.picks?.length ?? 0, workloadSize(batch[j]![0].workload));
              if (groups.fresh(r.violations).length) {
                failing = i + j;
                break;
              }
            }
            i += batch.length;
          }
          if (failing < 0) {
            left -= all.length;
            examples = examples.slice(Math.min(all.length, examples.length));
            break;
          }
          path = String(failing);
          generated = failing;
        }
        await fc.check(
          fc.asyncProperty(cases, async (c) => {
            // fast-check generates no new case once one failed: every later call is a shrink step.
            if (!found) generated++;
            const trial = before + generated;
            const run = schedule(c, trial);
            const result = await runCase(run);
            if (result && !found && !path) estimate.learn(trial, result.picks?.length ?? 0, workloadSize(c.workload));
            // A stopped cell (budget, abort, harness error) ends the check now: passing every remaining
            // run would generate them all in one microtask chain, starving I/O (a Ctrl-C's clean-up too).
            if (!result) {
              stopped = true;
              throw new fc.PreconditionFailure(true);
            }
            if (groups.fresh(result.violations).length === 0) return true;
            if (found) shrinks++;
            else o.onPhase?.('shrink');
            // The last failure seen is the smallest.
            found = { case: run, result };
            return false;
          }),
          { seed, numRuns: left, examples: examples.map((c) => [c] as [TrialCase]), ...(path ? { path } : {}) },
        );
        left -= generated;
        // Examples run first: those tried already are not tried again.
        examples = examples.slice(Math.min(generated, examples.length));
        if (!found) break;
        if (o.mode !== 'stress' && !stopped) {
          // fast-check cannot drop a client the bug does not need when that changes what the choices pick.
          const key = findingKey(groups.fresh(found.result.violations)[0]!);
          const smaller = await dropCalls(found, (r) => groups.fresh(r.violations).some((v) => findingKey(v) === key), runCase);
          found = smaller.run;
          shrinks += smaller.shrinks;
        }
        failures.push({ ...found, head: groups.add(found.result.violations)!, seed, shrinks });
        if (stopped) break;
      }
      return { failure: failures[0], failures };
    },
  };
}
