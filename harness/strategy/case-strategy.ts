// strategy: how a cell chooses the trials it runs. Takes a scenario's workloads and a RunCase (one
// trial on the database); random-strategy.ts searches seeded cases and shrinks each failure
// (drop-calls.ts removes calls fast-check could not), exhaustive-strategy.ts runs every
// interleaving of small workloads (explore-interleavings.ts, commuting-statements.ts),
// replay-strategy.ts runs a saved case again; failure-groups.ts is the one rule that tells
// distinct failures apart. Hands on: the failing TrialRuns a cell reports (saved by cases/).
import type { Chooser } from '../gate/scheduled-gate.js';
import type { PctParams } from './pct-chooser.js';
import type { Workload } from '../workload/workload.js';
import type { TrialResult } from '../execute/run-trial.js';

/** What one trial runs: a workload and, in scheduled and exhaustive mode, the schedule's choices. */
export interface TrialCase {
  workload: Workload;
  choices?: number[];
  /** Exhaustive mode and PCT: decides online; the picks become `choices`. */
  chooser?: Chooser;
  /** PCT: the parameters the chooser was built from (kept in case files; `choices` replays them exactly). */
  pct?: PctParams;
}

/** A case together with what running it showed. */
export interface TrialRun {
  case: TrialCase;
  result: TrialResult;
}

/** Runs one case in the cell (on parallel slot `slot`, default 0: its own database and connections); undefined when the cell has stopped running trials (time budget spent, or the harness could not check one). */
export type RunCase = (c: TrialCase, slot?: number) => Promise<TrialResult | undefined>;

/** What exhaustive mode explored. */
export interface Exploration {
  workloads: number;
  /** Schedules run. */
  interleavings: number;
  /** Branches skipped because they only reorder commuting statements (two plain reads) of a schedule already run. */
  pruned: number;
  /** Runs that pruning could not stop halfway and that added no new order. */
  redundant: number;
  complete: boolean;
  distinctFailures: { key: string; message: string; schedule: string[] }[];
}

/** What a strategy hands back: the failure the cell reports, if any, and what it explored. */
export interface StrategyOutcome {
  failure?: TrialRun;
  exploration?: Exploration;
}

/** How a cell chooses the cases it runs (seeded random search with shrinking, every interleaving, a replay). */
export interface CaseStrategy {
  /** Runs cases through `runCase` until it is done. */
  run(runCase: RunCase): Promise<StrategyOutcome>;
}
