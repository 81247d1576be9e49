import type { LoadedTarget } from '../contract/load-target.js';
import type { Mode, Scheduler } from '../contract/define-config.js';
import type { IsolationLevel } from '../contract/define-target.js';
import type { DatabaseServer } from '../db/database-server.js';
import type { LatencyRange } from '../faults/latency-sampler.js';
import type { TrialCase } from '../strategy/case-strategy.js';
import type { Scenario } from '../workload/scenario.js';

/** What every cell of a run shares: made once per run (from the CLI's plan) and handed down as it is, never copied field by field. */
export interface RunSettings {
  readonly runId: string;
  readonly mode: Mode;
  readonly seed: number;
  /** Trials per cell (exhaustive: workloads; a replay: its attempts in stress mode). */
  readonly runs: number;
  /** Scheduled mode's scheduler (default pct; uniform is the old baseline). */
  readonly scheduler?: Scheduler;
  readonly callTimeoutMs: number;
  /** Default isolation of the target's connections; the target's own `isolation` wins. */
  readonly isolation?: IsolationLevel | null;
  /** Stress mode: a random delay before each statement. */
  readonly latency?: LatencyRange | null;
  /** Where case files and server logs go. */
  readonly reportDir: string;
  /** Replays this case (scheduled: once, exactly; stress: up to `runs` times, until it fails) instead of generating new ones. */
  readonly replay?: TrialCase;
  /** Project directory whose `.chatfuzz/corpus/` keeps every failure; none in tests that must not write there. */
  readonly corpusDir?: string;
}

/** One target × scenario cell: the run's settings, its target and scenario, its place in the matrix, and what is its own. */
export interface CellSpec {
  readonly run: RunSettings;
  readonly target: LoadedTarget;
  readonly scenario: Scenario;
  readonly cellIndex: number;
  readonly cellCount: number;
  readonly server: DatabaseServer;
  /** This cell's part of the run's time budget. */
  readonly timeBudgetMs: number | null;
  /** Cases tried before any generated one (the failure corpus and committed regressions). */
  readonly examples?: TrialCase[];
  /** A database of this run with the target's schema applied: the cell's database is copied from it. */
  readonly template?: string;
  /** Exhaustive mode: skip schedules that only reorder commuting statements (default true). */
  readonly prune?: boolean;
  /** Stop after this many distinct failures (default: the strategy's). */
  readonly maxFailures?: number;
  /** Scheduled mode: trials run at once, each on a copy of the cell's database (default 1). */
  readonly trialsInParallel?: number;
}
