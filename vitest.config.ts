import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The longest files start first, so no worker is left alone with one of them at the end (a clean
// clone has no timings cache, and vitest then orders files by size). Longest first, as measured in CI.
const SLOW_FIRST = [
  'targets/expect-maps.test.ts', 'harness/cli/run-cli.test.ts', 'harness/db/embedded/embedded-postgres.test.ts',
  'scenarios/catalogue.test.ts', 'test/installed-package.test.ts', 'harness/execute/run-trial.test.ts',
  'harness/run/wire-gate.test.ts', 'harness/cli/workers/cell-worker-pool.test.ts', 'targets/assistant-logging-after.test.ts',
  'harness/gate/scheduled-mode.test.ts', 'harness/run/run-cell.test.ts',
];

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(`/${s}`));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'reports/runs/**'],
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Database tests share one server; two workers keep both cores busy without starving it.
    maxWorkers: 2,
    sequence: { sequencer: SlowFirstSequencer },
  },
});
