import type { LoadedTarget } from '../contract/load-target.js';
import type { DatabaseServer } from '../db/database-server.js';
import { redactUrl } from '../db/redact-url.js';
import { applySchema } from '../db/apply-schema.js';
import { createRunDatabase, dropRunDatabase } from '../db/run-database.js';
import type { TrialCase } from '../strategy/case-strategy.js';
import type { Scenario } from '../workload/scenario.js';
import type { Reporter } from './reporter.js';
import type { CellResult, RunResults } from './results.js';
import { assembleResults } from './assemble-results.js';
import { runCell } from './run-cell.js';
import type { CellSpec, RunSettings } from './cell-spec.js';

/** A run's plan: the settings its cells share, the matrix, its budget, its reporters and where its cells run. */
export interface FuzzPlan {
  run: RunSettings;
  targets: LoadedTarget[];
  scenarios: readonly Scenario[];
  reporters: readonly Reporter[];
  /** Wall-clock budget of the whole run, shared by its cells. */
  timeBudgetMs: number | null;
  /** The saved cases each cell retries first. */
  examples?: (target: string, scenario: string) => TrialCase[];
  /** Only the cells whose matrix index is `index - 1` modulo `total` (`--shard i/N`). */
  shard?: { index: number; total: number } | null;
  /** Runs the cells elsewhere (worker processes), `runner.slots` at once; without one they run here, in turn. */
  runner?: CellRunner;
  /** Hears each cell's result as soon as it is known, in any order (what an interrupted run still reports). */
  onCellResult?: (result: CellResult) => void;
}

/** One cell as handed to a runner: its spec, and the signal that abandons it. */
export interface CellJob {
  spec: CellSpec;
  abort?: AbortSignal;
}

/** Runs cells outside this process; runFuzz keeps `slots` of them busy. */
export interface CellRunner {
  readonly slots: number;
  /** Runs `job` to its result; `onTrial` hears its progress. A usage or infrastructure problem rejects as in this process. */
  run(job: CellJob, onTrial: NonNullable<Reporter['onTrial']>): Promise<CellResult>;
}

/** The cells of a plan in matrix order (target-major), each with its index in the whole matrix. */
export function matrixCells(
  plan: Pick<FuzzPlan, 'targets' | 'scenarios' | 'shard'>,
): { target: LoadedTarget; scenario: Scenario; cellIndex: number }[] {
  const all = plan.targets.flatMap((target) => plan.scenarios.map((scenario) => ({ target, scenario })));
  const cells = all.map((c, cellIndex) => ({ ...c, cellIndex }));
  // Round robin: every shard gets some cells of every target, so slow targets spread over the shards.
  return plan.shard ? cells.filter((c) => c.cellIndex % plan.shard!.total === plan.shard!.index - 1) : cells;
}

/**
 * Runs the plan's cells (every target × scenario, or its shard's slice) on the given server, in
 * turn in this process or `runner.slots` at once through the runner, and assembles results.json. Every
 * cell gets its own database copied from its target's template, so what a cell finds does not
 * depend on which cells ran beside it or before it.
 */
export async function runFuzz(plan: FuzzPlan, server: DatabaseServer): Promise<RunResults> {
  const startedAt = new Date();
  const t0 = performance.now();
  const cells = matrixCells(plan);
  const cellCount = plan.targets.length * plan.scenarios.length;
  const db: RunResults['db'] = { kind: server.kind, serverVersion: server.serverVersion };
  if (server.kind === 'url') db.url = redactUrl(server.adminUrl);
  const { run } = plan;
  for (const r of plan.reporters)
    await r.onRunStart?.({
      runId: run.runId,
      seed: run.seed,
      mode: run.mode,
      db,
      reportDir: run.reportDir,
      cells: cells.map((c) => ({ target: c.target.def.name, scenario: c.scenario.name })),
    });
  const templates = new Map<string, Promise<string>>();
  const cellsOf = new Map<LoadedTarget, number>();
  for (const c of cells) cellsOf.set(c.target, (cellsOf.get(c.target) ?? 0) + 1);
  // The schema is applied once per target, to a database each of its cells is copied from (a lone cell, a replay say, gets it directly).
  const templateOf = (t: LoadedTarget) => {
    let name = templates.get(t.def.name);
    if (!name) {
      name = (async () => {
        const tpl = await createRunDatabase(server, `chatfuzz_${run.runId}_t${plan.targets.indexOf(t) + 1}`);
        await applySchema(tpl.url, t.def);
        return tpl.name;
      })();
      templates.set(t.def.name, name);
    }
    return name;
  };
  const results: (CellResult | undefined)[] = new Array(cells.length);
  const aborted = new AbortController();
  let next = 0;
  let reported = 0;
  const slots = plan.runner ? Math.max(1, Math.min(plan.runner.slots, cells.length)) : 1;
  const onTrial: NonNullable<Reporter['onTrial']> = (p) => {
    for (const r of plan.reporters) r.onTrial?.(p);
  };
  const slot = async () => {
    while (next < cells.length && !aborted.signal.aborted) {
      const i = next++;
      const c = cells[i]!;
      // The run's budget is shared: each cell gets its part of what is left, as many running at once.
      const left = plan.timeBudgetMs === null ? null : plan.timeBudgetMs - (performance.now() - t0);
      const cellBudget = left === null ? null : Math.max(200, Math.floor((left * Math.min(slots, cells.length - i)) / (cells.length - i)));
      for (const r of plan.reporters)
        await r.onCellStart?.({ target: c.target.def.name, scenario: c.scenario.name, cellIndex: c.cellIndex, cellCount });
      const spec: CellSpec = {
        run,
        target: c.target,
        scenario: c.scenario,
        cellIndex: c.cellIndex,
        cellCount,
        server,
        timeBudgetMs: cellBudget,
        examples: plan.examples?.(c.target.def.name, c.scenario.name),
        template: cellsOf.get(c.target)! > 1 ? await templateOf(c.target) : undefined,
      };
      results[i] = plan.runner
        ? await plan.runner.run({ spec, abort: aborted.signal }, onTrial)
        : await runCell(spec, { reporters: plan.reporters, abort: aborted.signal });
      if (!aborted.signal.aborted) plan.onCellResult?.(results[i]!);
      // The run is failing with another cell's error: a cell the abort stopped would read as a pass of 0 trials.
      if (aborted.signal.aborted) return;
      // Reporters hear of finished cells in matrix order, however many ran at once.
      while (reported < cells.length && results[reported]) {
        for (const r of plan.reporters) await r.onCellEnd?.(results[reported]!);
        reported++;
      }
    }
  };
  try {
    // A cell that cannot run (a usage or infrastructure error) stops the others after their trial in flight.
    const settled = await Promise.allSettled(
      Array.from({ length: slots }, () =>
        slot().catch((e) => {
          aborted.abort();
          throw e;
        }),
      ),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    // Every cell has ended (or failed) by now: nothing is copied from the templates any more.
    for (const name of templates.values())
      await name
        .then(
          (n) => dropRunDatabase(server, n),
          () => {},
        )
        .catch(() => {});
  }
  return assembleResults(plan, db, startedAt, performance.now() - t0, results as CellResult[]);
}
