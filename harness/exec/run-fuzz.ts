import type { DatabaseServer } from '../db/database-server.js';
import { redactUrl } from '../db/redact-url.js';
import type { LoadedTarget } from '../../targets/load-target.js';
import type { Scenario } from '../../scenarios/scenario.js';
import type { Reporter } from '../../reports/reporter.js';
import type { CellResult, Mode, RunResults } from './results.js';
import { runCell, type TrialCase } from './run-cell.js';
import { VERSION } from '../version.js';
import type { IsolationLevel } from '../../targets/define-target.js';
import type { LatencyRange } from '../cli/parse-args.js';

/** A run's plan: the matrix, its budgets and where its report goes. */
export interface FuzzPlan {
  runId: string;
  targets: LoadedTarget[];
  scenarios: readonly Scenario[];
  mode: Mode;
  runs: number;
  timeBudgetMs: number | null;
  seed: number;
  callTimeoutMs: number;
  reportDir: string;
  reporters: Reporter[];
  replay?: TrialCase;
  examples?: (target: string, scenario: string) => TrialCase[];
  corpusDir?: string;
  isolation?: IsolationLevel | null;
  latency?: LatencyRange | null;
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
      target: c.target, scenario: c.scenario, mode: plan.mode, server, runId: plan.runId, cellIndex, cellCount: cells.length,
      runs: plan.runs, timeBudgetMs: cellBudget, seed: plan.seed, callTimeoutMs: plan.callTimeoutMs,
      reportDir: plan.reportDir, reporters: plan.reporters, replay: plan.replay,
      examples: plan.examples?.(c.target.def.name, c.scenario.name), corpusDir: plan.corpusDir,
      isolation: plan.isolation, latency: plan.latency,
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
