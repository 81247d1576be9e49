// run: the orchestration. run-fuzz.ts plays every target × scenario cell of a plan; run-cell.ts
// sets up one cell (cell-env.ts: its own database, the gated pool, the target's store), picks
// how its cases are chosen (a CaseStrategy: random with shrinking, exhaustive, or a replay),
// runs them as trials (muting the target's known findings, cell-expectation.ts) and describes
// every distinct failure reported (describe-failure.ts, which saves each one's case file). Reporters hear of every cell and trial. Hands on: results.json (results.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LoadedTarget } from '../contract/load-target.js';
import type { Scheduler } from '../contract/define-config.js';
import type { DatabaseServer } from '../db/database-server.js';
import { runScheduledTrial, runStressTrial, type TrialResult } from '../execute/run-trial.js';
import type { CaseStrategy, RunCase, StrategyOutcome, TrialCase } from '../strategy/case-strategy.js';
import { exhaustiveStrategy, explorationNote } from '../strategy/exhaustive-strategy.js';
import type { TrialPool } from '../gate/trial-pool.js';
import { findingKey } from '../strategy/failure-groups.js';
import { randomStrategy, type RandomOutcome } from '../strategy/random-strategy.js';
import { replayStrategy } from '../strategy/replay-strategy.js';
import { targetCapabilities, type Scenario, type TargetCapabilities } from '../workload/scenario.js';
import { apiWorkloads } from '../workload/fit-to-api.js';
import { workloadSize } from '../workload/workload.js';
import { openCellEnv, type CellEnvOptions } from './cell-env.js';
import { cellExpectation, FindingMuter } from './cell-expectation.js';
import { describeFailure, type ReportedFailure } from './describe-failure.js';
import type { Reporter } from './reporter.js';
import type { CellResult } from './results.js';
import { stopAllServers, takeServerLogs } from '../contract/start-server.js';
import { TargetContractError, UsageError } from '../errors.js';
import { redactUrlsIn } from '../db/redact-url.js';

/** What every cell of a run shares: how trials run and where failures go. */
export interface CellSettings extends Pick<CellEnvOptions, 'mode' | 'seed' | 'callTimeoutMs' | 'isolation' | 'latency'> {
  runs: number;
  /** Scheduled mode's scheduler (default pct). */
  scheduler?: Scheduler;
  reportDir: string;
  reporters: Reporter[];
  /** Replays this case (scheduled: once, exactly; stress: up to `runs` times, until it fails) instead of generating new ones. */
  replay?: TrialCase;
  /** Project directory whose `.chatfuzz/corpus/` keeps every failure; none in tests that must not write there. */
  corpusDir?: string;
}

/** Everything one target × scenario × mode cell needs. */
export interface CellOptions extends CellSettings {
  target: LoadedTarget;
  scenario: Scenario;
  server: DatabaseServer;
  runId: string;
  cellIndex: number;
  cellCount: number;
  timeBudgetMs: number | null;
  /** Cases tried before any generated one (the failure corpus and committed regressions). */
  examples?: TrialCase[];
  /** Exhaustive mode: skip schedules that only reorder commuting statements (default true). */
  prune?: boolean;
  /** A database of this run with the target's schema applied: the cell's database is copied from it. */
  template?: string;
  /** Stops the cell after the trial in flight (the run is being abandoned). */
  abort?: AbortSignal;
  /** Scheduled mode: trials run at once while searching, each on its own copy of the cell's database and its own connections (default 1). */
  trialsInParallel?: number;
  /** Stop searching after this many distinct failures (tests and the bench: 1, time to first failure; default MAX_FAILURE_GROUPS). */
  maxFailures?: number;
  /** Tests: called once the trials are done, before the pool is destroyed. */
  afterTrials?: (pool: TrialPool, databaseName: string) => Promise<void>;
}

const STRESS_NOTE = 'stress mode: a replay reproduces the workload, not the timing; it may need several runs to fail again';
const WIRE_NOTE = 'wire gate: statements seen on the PostgreSQL protocol; each logical client connects through a URL of its own, so every statement is tied to its call and the scheduler waits for each call to reach the wire (scheduled replays are exact)';

/** Runs one cell on a database of its own and returns its results.json entry; a usage error in a trial (the target broke its contract) rejects once the cell is cleaned up. */
export async function runCell(o: CellOptions): Promise<CellResult> {
  const { def } = o.target;
  const started = performance.now();
  const { expected, mutes } = cellExpectation(def.expect, o.scenario.name);
  const muter = new FindingMuter(mutes);
  const cell = await openCellEnv(o);
  // Parallel slots beyond the first: each a database of its own (copied from the template) with its own pool, store and control connection.
  const slots = [cell];
  const parallel = o.mode === 'scheduled' && !o.replay ? Math.max(1, o.trialsInParallel ?? 1) : 1;
  try {
    for (let s = 1; s < parallel; s++) slots.push(await openCellEnv({ ...o, runId: `${o.runId}_p${s}` }));
  } catch (e) {
    for (const c of slots) await c.close().catch(() => {});
    throw e;
  }
  let trials = 0;
  let calls = 0;
  let first = null as { runs: number; ms: number } | null;
  let harnessError = undefined as string | undefined;
  let usageError = undefined as UsageError | undefined;
  let shrinking = false;
  // Exhaustive mode reports each kind of failure's first interleaving (as its exploration lists them).
  const exhaustive = o.mode === 'exhaustive' && !o.replay;
  const distinct = new Map<string, ReportedFailure>();
  const noteDistinct = (c: TrialCase, result: TrialResult) => {
    const v = result.violations[0];
    if (v && !distinct.has(findingKey(v))) distinct.set(findingKey(v), { case: c, result });
  };

  // The budget is checked between trials: interrupting one in flight (fast-check's
  // interruptAfterTimeLimit) would let the pool be destroyed under a running trial.
  const budgetEnd = o.timeBudgetMs ? started + o.timeBudgetMs : Infinity;
  const runCase: RunCase = async (c, slot = 0) => {
    const { env } = slots[slot]!;
    if (harnessError || usageError || o.abort?.aborted || (performance.now() > budgetEnd && o.mode !== 'exhaustive')) return undefined;
    const n = ++trials;
    calls += workloadSize(c.workload);
    let result: TrialResult;
    try {
      result = o.mode === 'stress'
        ? await runStressTrial(env, c.workload, `t${n}_`)
        : await runScheduledTrial(env, c.workload, `t${n}_`, c.chooser ?? c.choices ?? []);
      if (c.chooser) c.choices = result.picks;
    } catch (e) {
      // Not a finding of this cell but a target the harness cannot run: the run stops (exit 2), naming the target.
      if (e instanceof TargetContractError) { usageError = new TargetContractError(`target ${def.name} (${o.target.source}): ${e.message}`); return undefined; }
      if (e instanceof UsageError) { usageError = e; return undefined; }
      // The harness could not reach a verdict (e.g. the target's snapshot threw): stop the cell and say why.
      harnessError = `trial ${n} could not be checked: ${(e as Error)?.message ?? String(e)}`;
      return undefined;
    }
    // Known findings never reach the strategy: they neither fail a trial nor steer shrinking.
    result = { ...result, violations: muter.apply(result.violations) };
    // Trials in parallel may end out of order: the first failure is the lowest-numbered failing trial.
    if (result.violations.length > 0 && (!first || n < first.runs)) first = { runs: n, ms: Math.round(performance.now() - started) };
    if (exhaustive) noteDistinct(c, result);
    for (const r of o.reporters) r.onTrial?.({
      target: def.name, scenario: o.scenario.name, cellIndex: o.cellIndex, cellCount: o.cellCount,
      trials: n, plannedTrials: o.runs, failed: !!first, shrinking, elapsedMs: performance.now() - started,
    });
    return result;
  };

  let outcome: StrategyOutcome & Partial<Pick<RandomOutcome, 'failures'>>;
  try {
    outcome = await pickStrategy({ ...o, trialsInParallel: parallel }, started, targetCapabilities(cell.env.store, def.api), (phase) => { shrinking = phase === 'shrink'; }).run(runCase);
    await o.afterTrials?.(cell.pool, cell.db.name);
  } finally {
    // Servers the target started and did not stop end with the cell; their output stays with the report.
    await Promise.all(slots.map((c) => c.close())).finally(stopAllServers);
  }
  if (usageError) throw usageError;
  const servers = await keepServerLogs(o.reportDir, `${def.name}--${o.scenario.name}--${o.mode}`);

  const { exploration } = outcome;
  const found: ReportedFailure[] = outcome.failures
    ?? (exhaustive && outcome.failure ? [...distinct.values()] : outcome.failure ? [outcome.failure] : []);
  const durationMs = Math.round(performance.now() - started);
  const base = {
    target: def.name, scenario: o.scenario.name, mode: o.mode, expected, runs: trials, calls, durationMs,
    ...(cell.isolation ? { isolation: cell.isolation } : {}),
    runsToFirstFailure: first?.runs ?? null, msToFirstFailure: first?.ms ?? null,
    gate: def.gate ?? 'pool',
    ...(o.mode === 'stress' || def.gate === 'wire' ? { note: [o.mode === 'stress' ? STRESS_NOTE : '', def.gate === 'wire' ? WIRE_NOTE : ''].filter(Boolean).join(' · ') } : {}),
    ...(exploration ? { exploration, note: explorationNote(exploration, o.prune ?? true) } : {}),
    ...(mutes.length ? { muted: muter.counts() } : {}),
    ...(servers.length ? { servers } : {}),
  };
  if (harnessError) return { ...base, outcome: 'fail', ok: false, error: harnessError };
  if (!found.length) return { ...base, outcome: 'pass', ok: expected === 'pass' };
  const failures = [];
  for (const [i, f] of found.entries()) failures.push(await describeFailure({ ...o, scenario: o.scenario.name }, f, i));
  return { ...base, outcome: 'fail', ok: expected === 'fail', failure: failures[0], failures };
}

/** Writes the output of every server that exited since the last cell to `<reportDir>/servers/`; returns their entries. */
async function keepServerLogs(reportDir: string, prefix: string): Promise<NonNullable<CellResult['servers']>> {
  // In name order (`c0`, `c1`, …), not exit order, so a rerun numbers its logs the same.
  const logs = takeServerLogs().sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (!logs.length) return [];
  const dir = path.join(reportDir, 'servers');
  await fs.mkdir(dir, { recursive: true });
  return Promise.all(logs.map(async (l, i) => {
    const file = path.join(dir, `${prefix}--${i + 1}.log`.replace(/[^a-zA-Z0-9._-]/g, '_'));
    // A server may print the DATABASE_URL it was given: reports never hold a password.
    await fs.writeFile(file, redactUrlsIn(l.output));
    return { name: l.name, log: path.relative(reportDir, file), exitCode: l.exitCode };
  }));
}

/** A replay when there is one, every interleaving in exhaustive mode, else seeded random cases (saved ones first). */
function pickStrategy(o: CellOptions, started: number, caps: TargetCapabilities, onPhase: (phase: 'search' | 'shrink') => void): CaseStrategy {
  if (o.replay) return replayStrategy(o.replay, o.mode === 'stress' ? o.runs : 1);
  const workloads = apiWorkloads(o.scenario, caps);
  if (o.mode === 'exhaustive') {
    const deadline = o.timeBudgetMs ? started + o.timeBudgetMs : Infinity;
    return exhaustiveStrategy(workloads, { seed: o.seed, workloads: o.runs, deadline, prune: o.prune ?? true });
  }
  return randomStrategy(workloads, { mode: o.mode, seed: o.seed, runs: o.runs, examples: o.examples, onPhase, ...(o.scheduler ? { scheduler: o.scheduler } : {}), ...(o.maxFailures ? { maxFailures: o.maxFailures } : {}), parallel: o.trialsInParallel ?? 1 });
}
