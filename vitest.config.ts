import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Whole-matrix checks and long seed sweeps: `npm run test:matrix` runs them (vitest.matrix.config.ts), `npm test` does not. */
export const MATRIX_TESTS = '**/*.matrix.test.ts';

// The longest files start first, so no worker is left alone with one of them at the end (a clean
// clone has no timings cache, and vitest then orders files by size). Longest first, as measured.
const SLOW_FIRST = [
  // npm test (installed-package waits on npm install more than it computes: it starts first, beside the others)
  'test/installed-package.test.ts',
  'harness/cli/run-cli.test.ts',
  'harness/execute/run-trial.test.ts',
  'harness/db/embedded/embedded-postgres.test.ts',
  'scenarios/catalogue.test.ts',
  'harness/run/run-cell.test.ts',
  'harness/run/wire-gate.test.ts',
  'harness/gate/scheduled-mode.test.ts',
  'harness/cli/workers/cell-worker-pool.test.ts',
  'targets/assistant-logging-before.test.ts',
  'harness/run/target-api.test.ts',
  // npm run test:matrix
  'targets/expect-maps.matrix.test.ts',
  'scenarios/catalogue.matrix.test.ts',
  'targets/assistant-logging-after.matrix.test.ts',
  'harness/run/wire-gate.matrix.test.ts',
  'harness/cli/run-cli.matrix.test.ts',
  'harness/gate/scheduled-mode.matrix.test.ts',
  'reports/report-browser.matrix.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(`/${s}`));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'reports/runs/**', MATRIX_TESTS],
    globalSetup: ['./test/global-setup.ts'],
    // A hang guard, not a deadline: no test may fail because the machine is busy, so tests are bounded by
    // trial counts and this only ends one that never would. Here (2 cores, load 30) a 30-cell CLI run took over
    // 5 minutes; 30 minutes is far past anything a test that ends does.
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    // Database tests share one server; two workers keep both cores busy without starving it.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
  },
});
