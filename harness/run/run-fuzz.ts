import type { LoadedTarget } from '../contract/load-target.js';
import type { DatabaseServer } from '../db/database-server.js';
import { redactUrl } from '../db/redact-url.js';
import type { TrialCase } from '../execute/trial-case.js';
import type { Scenario } from '../workload/scenario.js';
import { VERSION } from '../version.js';
import type { CellResult, RunResults } from './results.js';
import { runCell, type CellSettings } from './run-cell.js';

/** A run's plan: the matrix, its budgets and where its report goes. */
export interface FuzzPlan extends CellSettings {
  runId: string;
  targets: LoadedTarget[];
  scenarios: readonly Scenario[];
  /** Wall-clock budget of the whole run, shared by its cells. */
  timeBudgetMs: number | null;
  /** The saved cases each cell retries first. */
  examples?: (target: string, scenario: string) => TrialCase[];
}

/** Runs every target × scenario cell in order on the given server and assembles results.json. */
export async function runFuzz(plan: FuzzPlan, server: DatabaseServer): Promise<RunResults> {
  const startedAt = new Date();
  const t0 = performance.now();
  const cells = plan.targets.flatMap((target) => plan.scenarios.map((scenario) => ({ target, scenario })));
  const db: RunResults['db'] = { kind: server.kind, serverVersion: server.serverVersion };
  if (server.kind === 'url') db.url = redactUrl(server.adminUrl);
  for (const r of plan.reporters) await r.onRunStart?.({
    runId: plan.runId, seed: plan.seed, mode: plan.mode, db, reportDir: plan.reportDir,
    cells: cells.map((c) => ({ target: c.target.def.name, scenario: c.scenario.name })),
  });
  const results: CellResult[] = [];
  for (const [cellIndex, c] of cells.entries()) {
    // The run's budget is shared: each cell gets an equal part of what is left.
    const left = plan.timeBudgetMs === null ? null : plan.timeBudgetMs - (performance.now() - t0);
    const cellBudget = left === null ? null : Math.max(200, Math.floor(left / (cells.length - cellIndex)));
    for (const r of plan.reporters) await r.onCellStart?.({ target: c.target.def.name, scenario: c.scenario.name, cellIndex, cellCount: cells.length });
    const cell = await runCell({
      mode: plan.mode, seed: plan.seed, callTimeoutMs: plan.callTimeoutMs, isolation: plan.isolation, latency: plan.latency,
      runs: plan.runs, reportDir: plan.reportDir, reporters: plan.reporters, replay: plan.replay, corpusDir: plan.corpusDir,
      target: c.target, scenario: c.scenario, server, runId: plan.runId, cellIndex, cellCount: cells.length,
      timeBudgetMs: cellBudget, examples: plan.examples?.(c.target.def.name, c.scenario.name),
    });
    results.push(cell);
    for (const r of plan.reporters) await r.onCellEnd?.(cell);
  }
  const ok = results.filter((c) => c.ok).length;
  return {
    tool: 'chatfuzz',
    version: VERSION,
    runId: plan.runId,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    seed: plan.seed,
    mode: plan.mode,
    db,
    options: {
      runs: plan.runs, timeBudgetMs: plan.timeBudgetMs, callTimeoutMs: plan.callTimeoutMs,
      ...(plan.isolation ? { isolation: plan.isolation } : {}), ...(plan.latency ? { latency: plan.latency } : {}),
      targets: plan.targets.map((t) => t.def.name), scenarios: plan.scenarios.map((s) => s.name),
    },
    cells: results,
    summary: { cells: results.length, ok, notOk: results.length - ok,
      trials: results.reduce((n, c) => n + c.runs, 0), calls: results.reduce((n, c) => n + c.calls, 0) },
    exitCode: ok === results.length ? 0 : 1,
  };
}
