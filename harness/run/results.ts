import type { InvariantName } from '../contract/define-target.js';
import type { CallRecord, StatementRecord } from '../history/history.js';
import type { Violation } from '../invariants/invariant.js';
import type { Workload } from '../workload/workload.js';
import type { Mode } from '../contract/define-config.js';
import type { Exploration } from '../strategy/case-strategy.js';

export type { Mode };

/** One call of a counterexample, as results.json and the reports print it. */
export interface CounterexampleOp {
  client: number;
  label: string;
  outcome: CallRecord['outcome'];
  invokedAt: number;
  completedAt: number;
  error?: CallRecord['error'];
  /** Issue 25: an operation's returned value (outcome ok), in logical ids. */
  result?: unknown;
}

/** One distinct failure of a cell, shrunk: what broke, the calls that broke it and how to replay them. */
export interface CellFailure {
  invariant: InvariantName;
  sqlstate?: string;
  /** Prisma targets: the Prisma code (P2002, P2003, P2039, …) beside the SQLSTATE underneath. */
  prismaCode?: string;
  constraint?: string;
  /** Without a SQLSTATE: what tells this failure's cause from others under the same invariant (operations involved, the sentence with ids masked). */
  cause?: string;
  message: string;
  /** The seed of the search round that found it (the run's seed for the first failure). */
  seed: number;
  counterexample: { ops: CounterexampleOp[]; schedule?: string[] };
  /** One line a person can paste to replay the failure. */
  replay: string;
  /** Path of the saved case file (relative to the working directory). */
  caseFile?: string;
  violations: Violation[];
  /** The shrunk trial's statements in the order they completed. */
  statements: StatementRecord[];
  workload: Workload;
  shrinks: number;
  /** The shrunk trial's database rows (ids without the trial prefix), marked where they break an invariant. */
  snapshot?: FailureSnapshot;
  /** Issue 25, targets with a model: the state the trial started from and the one observe read after it (logical ids). */
  model?: { initial: unknown; observed: unknown };
}

/** A known finding a target muted, with how often it showed. */
export interface MutedFinding {
  invariant: InvariantName;
  sqlstate?: string;
  constraint?: string;
  note?: string;
  trials: number;
}

/** Why a snapshot row is highlighted in a report. */
export type SnapshotMark = 'orphan' | 'duplicate' | 'phantom' | 'misplaced';

/** The rows a failing trial left behind, small enough for results.json (content clipped, row count capped). */
export interface FailureSnapshot {
  users: { id: string; marks?: SnapshotMark[] }[];
  sessions: { id: string; userId: string; marks?: SnapshotMark[] }[];
  /** Each session's messages in display order; `content` is clipped, `contentLength` is the stored length. */
  messages: {
    id?: string;
    sessionId: string;
    role: string;
    content: string;
    contentLength: number;
    call?: number;
    marks?: SnapshotMark[];
  }[];
  /** Messages a call was told were stored (outcome ok) that the database does not hold. */
  missing: { id: string; sessionId: string; role: string; content: string; contentLength: number; call: number }[];
  /** Rows left out to keep the file small. */
  omitted?: { messages: number };
}

/** How a cell compares with the same target × scenario × mode cell of a baseline results.json. */
export type BaselineStatus = 'new-failure' | 'fixed' | 'still-failing' | 'unchanged' | 'new-cell';

/** A cell's status: a verdict (`pass`, `fail`) or why there is none (`budget-exhausted`, `not-run`). */
export type CellOutcome = 'pass' | 'fail' | 'budget-exhausted' | 'not-run';

/** One target × scenario × mode cell of results.json. */
export interface CellResult {
  target: string;
  scenario: string;
  mode: Mode;
  expected: 'pass' | 'fail';
  /**
   * `budget-exhausted`: the time budget ran out before the cell's trials (no failure found in `runs`; ok, not a pass);
   * `not-run`: the run was interrupted (`RunResults.interrupted`) before the cell finished (not ok).
   */
  outcome: CellOutcome;
  ok: boolean;
  runs: number;
  calls: number;
  durationMs: number;
  runsToFirstFailure: number | null;
  msToFirstFailure: number | null;
  /** The first failure found (also `failures[0]`). */
  failure?: CellFailure;
  /** Every distinct failure (invariant + SQLSTATE + constraint), each shrunk and saved on its own, in the order found. */
  failures?: CellFailure[];
  /** The target's known findings for this scenario (its `expect` mutes): they did not fail the cell; `trials` counts the trials they showed in. */
  muted?: MutedFinding[];
  /** The cell could not run to a verdict (e.g. the target's snapshot threw); it counts as a failure. */
  error?: string;
  /** Stress mode: replays reproduce the workload, not the timing; exhaustive: what was explored. */
  note?: string;
  /** The transaction isolation the target's connections ran at, when not the server default. */
  isolation?: string;
  /** Where the target's statements were seen: its `ctx.pool` ('pool') or the PostgreSQL protocol proxy ('wire'). */
  gate?: 'pool' | 'wire';
  /** Set when the run was given --baseline: this cell against the baseline's cell. */
  baseline?: BaselineStatus;
  /** The baseline cell's failure, when it failed: what it broke then. */
  baselineFailure?: { invariant: string; message: string };
  exploration?: Exploration;
  /** Stress mode only: connections that reached the cell's database without passing a gate (a driver built from ctx.databaseUrl), so their statements are neither logged nor scheduled. */
  ungated?: { connections: number; applications: string[] };
  /** What the target's app instances (ctx.load, ctx.route) printed, relative to the report directory. */
  appOutput?: string;
  /** Servers the target started (startServer) during the cell: their output log, relative to the report directory. */
  servers?: { name: string; log: string; exitCode: number | null }[];
  /** Set on a --replay's cell: whether the case file's saved failure (its invariant) came back. */
  replay?: { invariant: string; reproduced: boolean };
  /** Trials thrown away because the database connection was lost without the harness causing it (a restart, a DBA's pg_terminate_backend), each run again. */
  infraRetries?: number;
}

/** The whole of results.json. */
export interface RunResults {
  tool: 'chatfuzz';
  version: string;
  runId: string;
  startedAt: string;
  durationMs: number;
  seed: number;
  mode: Mode;
  db: { kind: 'url' | 'embedded' | 'container'; serverVersion: string; url?: string };
  options: {
    runs: number;
    timeBudgetMs: number | null;
    callTimeoutMs: number;
    targets: string[];
    scenarios: string[];
    isolation?: string;
    latency?: { minMs: number; maxMs: number };
    /** Scheduled mode: the scheduler that drew statement orders (`pct` or `uniform`). */
    scheduler?: string;
  };
  cells: CellResult[];
  summary: {
    cells: number;
    ok: number;
    notOk: number;
    trials: number;
    calls: number;
    /** Cells the time budget cut before their trials (outcome `budget-exhausted`); absent when none. */
    budgetExhausted?: number;
    /** Cells an interruption left without a verdict (outcome `not-run`); absent when none. */
    notRun?: number;
  };
  /** Set when a signal stopped the run: `cells` holds the finished cells, the rest `not-run`; the process exits 128 + the signal's number. */
  interrupted?: 'SIGINT' | 'SIGTERM' | 'SIGHUP';
  /** Set when the run was given --baseline. */
  baseline?: BaselineSummary;
  /** Set by `--shard i/N`: `cells` holds only this slice; `chatfuzz merge-reports` joins the parts. */
  shard?: { index: number; total: number };
  /** 0 every cell met its expectation, 1 some did not; an interrupted run's is the process's (130 SIGINT, 143 SIGTERM, 129 SIGHUP). */
  exitCode: 0 | 1 | 129 | 130 | 143;
}

/** What a run was compared with, and how its cells compare. */
export interface BaselineSummary {
  /** The --baseline path as given. */
  file: string;
  runId: string;
  startedAt: string;
  /** --ci: a new failure against the baseline fails the run (exit 1) even where the cell met its expectation. */
  gate: boolean;
  counts: Record<BaselineStatus, number>;
  /** Cells of the baseline that this run did not have. */
  missingCells: { target: string; scenario: string; mode: Mode }[];
}
