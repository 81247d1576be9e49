import type { CaseStrategy, TrialCase } from './case-strategy.js';

/** Runs one saved case up to `times` times, stopping at its first failure: once is exact in scheduled mode; stress needs the timing to line up again. */
export function replayStrategy(c: TrialCase, times: number): CaseStrategy {
  return {
    async run(runCase) {
      for (let i = 0; i < times; i++) {
        const result = await runCase(c);
        if (!result) return {};
        if (result.violations.length > 0) return { failure: { case: c, result } };
      }
      return {};
    },
  };
}
