// shrink: turns failures into minimal, replayable cases. The random strategy hands every case
// to fast-check, which generates workloads (and, scheduled, schedule choices) from the seed and
// shrinks a failing one in both; the replay strategy runs a saved case again; case-file.ts and
// failure-corpus.ts save each reported failure (DIR/cases/, .chatfuzz/corpus/) and load the
// corpus and committed regressions that every run retries first. Hands on: the failing
// TrialRun a cell reports.
import fc from 'fast-check';
import type { Mode } from '../contract/define-config.js';
import type { CaseStrategy, TrialCase, TrialRun } from '../execute/trial-case.js';
import type { Workload } from '../workload/workload.js';

/** Seeded random cases from a scenario's workloads, saved cases first; fast-check shrinks the first failure, and the last failure seen is the smallest. */
export function randomStrategy(workloads: fc.Arbitrary<Workload>, o: { mode: Mode; seed: number; runs: number; examples?: TrialCase[] }): CaseStrategy {
  // Stress mode has no schedule to choose: timing decides.
  const cases: fc.Arbitrary<TrialCase> = o.mode === 'stress'
    ? workloads.map((workload) => ({ workload }))
    : fc.tuple(workloads, fc.array(fc.nat({ max: 15 }), { maxLength: 64 })).map(([workload, choices]) => ({ workload, choices }));
  return {
    async run(runCase) {
      let failure: TrialRun | undefined;
      await fc.check(fc.asyncProperty(cases, async (c) => {
        const result = await runCase(c);
        if (!result || result.violations.length === 0) return true;
        failure = { case: c, result };
        return false;
      }), {
        seed: o.seed,
        numRuns: o.runs,
        examples: (o.examples ?? []).map((c) => [c] as [TrialCase]),
      });
      return { failure };
    },
  };
}
