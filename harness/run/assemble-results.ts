import { VERSION } from '../version.js';
import type { CellResult, RunResults } from './results.js';
import type { IsolationLevel } from '../contract/define-target.js';
import type { Mode } from '../contract/define-config.js';

/** What results.json says of a run's plan (a FuzzPlan has it all). */
export interface PlanSummary {
  runId: string; seed: number; mode: Mode; runs: number; timeBudgetMs: number | null; callTimeoutMs: number;
  isolation?: IsolationLevel | null; latency?: { minMs: number; maxMs: number } | null;
  targets: readonly { def: { name: string } }[]; scenarios: readonly { name: string }[];
  shard?: { index: number; total: number } | null;
}

/** The counts of results.json's `summary`: met expectations, trials, calls, and the cells without a verdict (budget, interruption). */
export function summarizeCells(cells: readonly CellResult[]): RunResults['summary'] {
  const ok = cells.filter((c) => c.ok).length;
  const budgetExhausted = cells.filter((c) => c.outcome === 'budget-exhausted').length;
  const notRun = cells.filter((c) => c.outcome === 'not-run').length;
  return {
    cells: cells.length, ok, notOk: cells.length - ok,
    trials: cells.reduce((n, c) => n + c.runs, 0), calls: cells.reduce((n, c) => n + c.calls, 0),
    ...(budgetExhausted ? { budgetExhausted } : {}), ...(notRun ? { notRun } : {}),
  };
}

/** results.json of a plan whose cells are `cells` (in matrix order); exit code 0 when every cell met its expectation, else 1. */
export function assembleResults(plan: PlanSummary, db: RunResults['db'], startedAt: Date, durationMs: number, cells: CellResult[]): RunResults {
  const summary = summarizeCells(cells);
  return {
    tool: 'chatfuzz',
    version: VERSION,
    runId: plan.runId,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    seed: plan.seed,
    mode: plan.mode,
    db,
    options: {
      runs: plan.runs, timeBudgetMs: plan.timeBudgetMs, callTimeoutMs: plan.callTimeoutMs,
      ...(plan.isolation ? { isolation: plan.isolation } : {}), ...(plan.latency ? { latency: plan.latency } : {}),
      targets: plan.targets.map((t) => t.def.name), scenarios: plan.scenarios.map((s) => s.name),
    },
    cells,
    summary,
    ...(plan.shard ? { shard: { index: plan.shard.index, total: plan.shard.total } } : {}),
    exitCode: summary.ok === cells.length ? 0 : 1,
  };
}
