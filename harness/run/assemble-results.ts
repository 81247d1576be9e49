import { VERSION } from '../version.js';
import type { CellResult, RunResults } from './results.js';
import type { LoadedTarget } from '../contract/load-target.js';
import type { Scenario } from '../workload/scenario.js';
import type { RunSettings } from './cell-spec.js';

/** What results.json records of a run's plan (run-fuzz's FuzzPlan has it; kept apart so neither imports the other). */
export interface ResultsPlan {
  run: RunSettings;
  targets: readonly LoadedTarget[];
  scenarios: readonly Scenario[];
  timeBudgetMs: number | null;
  shard?: { index: number; total: number } | null;
}

/** The counts of results.json's `summary`: met expectations, trials, calls, and the cells without a verdict (budget, interruption). */
export function summarizeCells(cells: readonly CellResult[]): RunResults['summary'] {
  const ok = cells.filter((c) => c.ok).length;
  const budgetExhausted = cells.filter((c) => c.outcome === 'budget-exhausted').length;
  const notRun = cells.filter((c) => c.outcome === 'not-run').length;
  return {
    cells: cells.length,
    ok,
    notOk: cells.length - ok,
    trials: cells.reduce((n, c) => n + c.runs, 0),
    calls: cells.reduce((n, c) => n + c.calls, 0),
    ...(budgetExhausted ? { budgetExhausted } : {}),
    ...(notRun ? { notRun } : {}),
  };
}

/** results.json of a plan whose cells are `cells` (in matrix order); exit code 0 when every cell met its expectation, else 1. */
export function assembleResults(
  plan: ResultsPlan,
  db: RunResults['db'],
  startedAt: Date,
  durationMs: number,
  cells: CellResult[],
): RunResults {
  const summary = summarizeCells(cells);
  return {
    tool: 'chatfuzz',
    version: VERSION,
    runId: plan.run.runId,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    seed: plan.run.seed,
    mode: plan.run.mode,
    db,
    options: {
      runs: plan.run.runs,
      timeBudgetMs: plan.timeBudgetMs,
      callTimeoutMs: plan.run.callTimeoutMs,
      ...(plan.run.scheduler && plan.run.mode === 'scheduled' ? { scheduler: plan.run.scheduler } : {}),
      ...(plan.run.isolation ? { isolation: plan.run.isolation } : {}),
      ...(plan.run.latency ? { latency: plan.run.latency } : {}),
      targets: plan.targets.map((t) => t.def.name),
      scenarios: plan.scenarios.map((s) => s.name),
    },
    cells,
    summary,
    ...(plan.shard ? { shard: { index: plan.shard.index, total: plan.shard.total } } : {}),
    exitCode: summary.ok === cells.length ? 0 : 1,
  };
}
