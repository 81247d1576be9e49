// The reporter contract: what a user's reporter module (config `reporters`) implements and the
// built-in ones (reports/) do; the engine calls it, the public entry exports it.
import type { CellResult, RunResults } from '../run/results.js';

export type {
  RunResults,
  CellResult,
  CellFailure,
  MutedFinding,
  CounterexampleOp,
  BaselineStatus,
  BaselineSummary,
} from '../run/results.js';

/** What a reporter learns when a run starts. */
export interface RunStart {
  runId: string;
  seed: number;
  mode: string;
  db: RunResults['db'];
  cells: { target: string; scenario: string }[];
  reportDir: string;
}

/** Progress inside a cell, reported after every trial. */
export interface TrialProgress {
  target: string;
  scenario: string;
  cellIndex: number;
  cellCount: number;
  trials: number;
  plannedTrials: number;
  failed: boolean;
  shrinking: boolean;
  elapsedMs: number;
}

/** A run's output channel (vitest-style): every hook is optional. */
export interface Reporter {
  onRunStart?(run: RunStart): void | Promise<void>;
  onCellStart?(cell: { target: string; scenario: string; cellIndex: number; cellCount: number }): void | Promise<void>;
  onTrial?(progress: TrialProgress): void;
  onCellEnd?(cell: CellResult): void | Promise<void>;
  onRunEnd?(results: RunResults, reportDir: string): void | Promise<void>;
}
