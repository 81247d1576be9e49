// run: the orchestration. run-fuzz.ts plays every target × scenario cell of a plan; run-cell.ts
// sets up one cell (cell-env.ts: its own database, the gated pool, the target's store), picks
// how its cases are chosen (a CaseStrategy: random with shrinking, exhaustive, or a replay),
// runs them as trials (muting the target's known findings, cell-expectation.ts) and describes
// every distinct failure reported (describe-failure.ts, which saves each one's case file). Reporters hear of every cell and trial. Hands on: results.json (results.ts).
import fs from 'node:fs/promises';
import path from 'node:path';
import { runScheduledTrial, runStressTrial, type TrialResult } from '../execute/run-trial.js';
import type { CaseStrategy, RunCase, StrategyOutcome, TrialCase } from '../strategy/case-strategy.js';
import { exhaustiveStrategy, explorationNote } from '../strategy/exhaustive-strategy.js';
import type { TrialPool } from '../gate/trial-pool.js';
import { findingKey } from '../strategy/failure-groups.js';
import { randomStrategy, type RandomOutcome } from '../strategy/random-strategy.js';
import { replayStrategy } from '../strategy/replay-strategy.js';
import { notApplicable, targetCapabilities, type Scenario, type TargetCapabilities } from '../workload/scenario.js';
import { apiWorkloads } from '../workload/fit-to-api.js';
import { workloadSize } from '../workload/workload.js';
import { openCellEnv, type CellEnv } from './cell-env.js';
import { cellWithoutTrials } from './cell-without-trials.js';
import type { CellSpec } from './cell-spec.js';
import { isCanonical } from '../contract/canonical-schema.js';
import { cellExpectation, FindingMuter } from './cell-expectation.js';
import { describeFailure, type ReportedFailure } from './describe-failure.js';
import type { Reporter } from './reporter.js';
import type { CellResult } from './results.js';
import { stopAllServers, takeServerLogs } from '../contract/start-server.js';
import { TargetContractError, UsageError } from '../errors.js';
import { classifyError, isConnectionLoss } from '../history/classify-error.js';
import { OutsideFaults, outsideConnectionLoss } from './outside-faults.js';
import { redactUrlsIn } from '../db/redact-url.js';

/** What a cell reports to and who may stop it: not part of its spec, so the spec can cross to a worker process. */
export interface CellHooks {
  reporters?: readonly Reporter[];
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
const UNGATED_NOTE =
  "ungated: connections reached the database outside every gate (a driver built from ctx.databaseUrl); their statements are not in the log. Add gate: 'wire' to see them";
const WIRE_NOTE =
  'wire gate: statements seen on the PostgreSQL protocol; each logical client connects through a URL of its own, so every statement is tied to its call and the scheduler waits for each call to reach the wire (scheduled replays are exact)';

/** Runs one cell on a database of its own and returns its results.json entry; a usage error in a trial (the target broke its contract) rejects once the cell is cleaned up. */
export async function runCell(spec: CellSpec, hooks: CellHooks = {}): Promise<CellResult> {
  const { run, target, scenario } = spec;
  const { def } = target;
  const started = performance.now();
  const { expected, mutes } = cellExpectation(def.expect, scenario.name);
  const muter = new FindingMuter(mutes);
  // Issue 25: operations scenarios need declared operations, chat scenarios a chat store; what the
  // definition tells is decided before a database is made (a target of operations with a schema of
  // its own and no `tables` has no chat the harness can read), the rest once the store exists.
  const skip = notApplicable(scenario, {
    ...(def.operations && Object.keys(def.operations).length ? { operations: def.operations } : {}),
    ...(def.operations && !isCanonical(def) && !def.tables ? { chat: false } : {}),
  });
  if (skip) return notApplicableCell(spec, skip, started);
  const cell = await openCellEnv(spec);
  const { env } = cell;
  const caps = targetCapabilities(env.store, def.api, def.operations);
  const skipChat = notApplicable(scenario, caps);
  if (skipChat) {
    await cell.close().finally(stopAllServers);
    return notApplicableCell(spec, skipChat, started);
  }
  // Parallel slots beyond the first: each a database of its own (copied from the template) with its own pool, store and control connection.
  const slots = [cell];
  const parallel = run.mode === 'scheduled' && !run.replay ? Math.max(1, spec.trialsInParallel ?? 1) : 1;
  try {
    for (let s = 1; s < parallel; s++) slots.push(await openCellEnv({ ...spec, run: { ...run, runId: `${run.runId}_p${s}` } }));
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
  const exhaustive = run.mode === 'exhaustive' && !run.replay;
  const distinct = new Map<string, ReportedFailure>();
  const noteDistinct = (c: TrialCase, result: TrialResult) => {
    const v = result.violations[0];
    if (v && !distinct.has(findingKey(v))) distinct.set(findingKey(v), { case: c, result });
  };

  // Never silently ungated (issue 26): a connection no gate saw means statements with no log, no
  // schedule and no exact replay. Scheduled and exhaustive runs refuse it; stress runs say so.
  let ungated = undefined as { connections: number; applications: string[] } | undefined;
  const checkGated = async (n: number, slot: number) => {
    const seen = await slots[slot]!.ungatedConnections();
    if (!seen.connections) return;
    if (run.mode === 'stress') {
      if (!ungated || seen.connections > ungated.connections) ungated = seen;
      return;
    }
    throw new UsageError(
      `target ${def.name}: ${seen.connections} connection(s) reached the cell's database without a gate during trial ${n} (application_name: ${seen.applications.join(', ')}), so ${run.mode} mode could neither log nor order their statements. Fix: add \`gate: 'wire'\` to the target (any driver built from ctx.databaseUrl is then gated), or send every statement through ctx.pool (PrismaPg(ctx.pool), drizzle(ctx.pool)); or run --mode stress, which may run ungated.`,
    );
  };

  // The budget is checked between trials: interrupting one in flight (fast-check's
  // interruptAfterTimeLimit) would let the pool be destroyed under a running trial.
  const budgetEnd = spec.timeBudgetMs ? started + spec.timeBudgetMs : Infinity;
  let budgetCut = false;
  const infra = new OutsideFaults();
  // Every shrink step toward a call that hangs waits a whole call timeout: after a few, shrinking stops where it is.
  let timeoutShrinks = 0;
  const runOne = async (env: CellEnv['env'], c: TrialCase, ns: string): Promise<TrialResult> => {
    const result =
      run.mode === 'stress'
        ? await runStressTrial(env, c.workload, ns)
        : await runScheduledTrial(env, c.workload, ns, c.chooser ?? c.choices ?? []);
    if (c.chooser) c.choices = result.picks;
    return result;
  };
  const runCase: RunCase = async (c, slot = 0) => {
    const { env } = slots[slot]!;
    if (harnessError || usageError || infra.error || hooks.abort?.aborted) return undefined;
    if (performance.now() > budgetEnd && run.mode !== 'exhaustive') {
      budgetCut = true;
      return undefined;
    }
    if (shrinking && timeoutShrinks >= MAX_TIMEOUT_SHRINKS) return SKIPPED_SHRINK;
    const n = ++trials;
    calls += workloadSize(c.workload);
    let result: TrialResult;
    for (let attempt = 0; ; attempt++) {
      let lost: string | undefined;
      try {
        result = await runOne(env, c, attempt ? `t${n}r${attempt}_` : `t${n}_`);
        lost = outsideConnectionLoss(result, c.workload);
        if (!lost) await checkGated(n, slot);
      } catch (e) {
        // Not a finding of this cell but a target the harness cannot run: the run stops (exit 2), naming the target.
        if (e instanceof TargetContractError) {
          usageError = new TargetContractError(`target ${def.name} (${target.source}): ${e.message}`);
          return undefined;
        }
        if (e instanceof UsageError) {
          usageError = e;
          return undefined;
        }
        const info = classifyError(e);
        // The harness's own connection (registering users, the snapshot, the scheduler's) was cut from outside.
        if (isConnectionLoss(info)) lost = `the harness's connection: ${info.message}`;
        else {
          // The harness could not reach a verdict: stop the cell and say why.
          harnessError = `trial ${n} could not be checked: ${(e as Error)?.message ?? String(e)}`;
          return undefined;
        }
      }
      if (!lost) break;
      // Nobody asked for this connection loss: the trial says nothing about the target. It is run again on fresh stores.
      if (!infra.retry(lost, attempt, run.mode === 'exhaustive')) return undefined;
      await env.restart?.().catch(() => {});
      await sleep(100 * (attempt + 1));
    }
    if (shrinking && result!.history.calls.some((call) => call.error?.kind === 'timeout' && !call.fault)) timeoutShrinks++;
    // Known findings never reach the strategy: they neither fail a trial nor steer shrinking.
    result = { ...result!, violations: muter.apply(result!.violations) };
    // Trials in parallel may end out of order: the first failure is the lowest-numbered failing trial.
    if (result.violations.length > 0 && (!first || n < first.runs)) first = { runs: n, ms: Math.round(performance.now() - started) };
    if (exhaustive) noteDistinct(c, result);
    for (const r of hooks.reporters ?? [])
      r.onTrial?.({
        target: def.name,
        scenario: scenario.name,
        cellIndex: spec.cellIndex,
        cellCount: spec.cellCount,
        trials: n,
        plannedTrials: run.runs,
        failed: !!first,
        shrinking,
        elapsedMs: performance.now() - started,
      });
    return result;
  };

  let outcome: StrategyOutcome & Partial<Pick<RandomOutcome, 'failures'>>;
  try {
    outcome = await pickStrategy({ ...spec, trialsInParallel: parallel }, started, caps, (phase) => {
      shrinking = phase === 'shrink';
    }).run(runCase);
    await hooks.afterTrials?.(cell.pool, cell.db.name);
  } finally {
    // Servers the target started and did not stop end with the cell; their output stays with the report.
    await Promise.all(slots.map((c) => c.close())).finally(stopAllServers);
  }
  if (usageError) throw usageError;
  if (infra.error) throw infra.error;
  const servers = await keepServerLogs(run.reportDir, `${def.name}--${scenario.name}--${run.mode}`);
  const appOutput = await keepAppOutput(run.reportDir, `${def.name}--${scenario.name}--${run.mode}`, cell.output);

  const { exploration } = outcome;
  const found: ReportedFailure[] =
    outcome.failures ?? (exhaustive && outcome.failure ? [...distinct.values()] : outcome.failure ? [outcome.failure] : []);
  const durationMs = Math.round(performance.now() - started);
  const base = {
    target: def.name,
    scenario: scenario.name,
    mode: run.mode,
    expected,
    runs: trials,
    calls,
    durationMs,
    ...(cell.isolation ? { isolation: cell.isolation } : {}),
    runsToFirstFailure: first?.runs ?? null,
    msToFirstFailure: first?.ms ?? null,
    gate: def.gate ?? 'pool',
    ...(run.mode === 'stress' || def.gate === 'wire'
      ? { note: [run.mode === 'stress' ? STRESS_NOTE : '', def.gate === 'wire' ? WIRE_NOTE : ''].filter(Boolean).join(' · ') }
      : {}),
    ...(exploration ? { exploration, note: explorationNote(exploration, spec.prune ?? true) } : {}),
    ...(mutes.length ? { muted: muter.counts() } : {}),
    ...(servers.length ? { servers } : {}),
    ...(infra.retries ? { infraRetries: infra.retries } : {}),
    ...(ungated ? { ungated, note: [UNGATED_NOTE, run.mode === 'stress' ? STRESS_NOTE : ''].filter(Boolean).join(' · ') } : {}),
    ...(appOutput ? { appOutput } : {}),
  };
  if (harnessError) return { ...base, outcome: 'fail', ok: false, error: harnessError };
  // Fewer trials than asked, or interleavings left unexplored, for want of time: no verdict either way.
  const cut = budgetCut || (exploration && !exploration.complete && performance.now() > budgetEnd);
  if (!found.length && cut)
    return withNote(
      { ...base, outcome: 'budget-exhausted' as const, ok: true },
      exploration
        ? `the time budget ran out after ${trials} interleavings, before the exploration was complete: not a pass`
        : `the time budget ran out after ${trials} of ${run.runs} trials: not a pass`,
    );
  if (!found.length) return { ...base, outcome: 'pass', ok: expected === 'pass' };
  const failures = [];
  if (timeoutShrinks >= MAX_TIMEOUT_SHRINKS)
    Object.assign(
      base,
      withNote(base, `shrinking stopped after ${timeoutShrinks} steps whose calls timed out (each waits --call-timeout)`),
    );
  for (const [i, f] of found.entries()) failures.push(await describeFailure({ ...run, target, scenario: scenario.name }, f, i));
  return { ...base, outcome: 'fail', ok: expected === 'fail', failure: failures[0], failures };
}

/** Shrink steps that hit a call timeout before shrinking stops (each costs a whole --call-timeout). */
export const MAX_TIMEOUT_SHRINKS = 5;

/** What a skipped shrink step tells the strategy: this smaller case does not fail (it is never run). */
const SKIPPED_SHRINK: TrialResult = {
  history: { ns: '', calls: [], statements: [] },
  snapshot: { users: [], sessions: [], messages: [] },
  violations: [],
};

function withNote<T extends { note?: string }>(cell: T, note: string): T {
  return { ...cell, note: cell.note ? `${cell.note} · ${note}` : note };
}

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

/** Issue 25: a cell whose scenario does not apply to its target: no trials, a pass, and the reason as its note. */
function notApplicableCell(o: CellSpec, why: string, started: number): CellResult {
  return cellWithoutTrials(o.target, o.scenario.name, o.run.mode, {
    expected: 'pass',
    durationMs: Math.round(performance.now() - started),
    note: `not applicable: ${why}`,
    outcome: 'pass',
    ok: true,
  });
}

/** Writes what the cell's app instances printed to `<reportDir>/app-output/`; returns its path there. */
async function keepAppOutput(reportDir: string, prefix: string, lines: string[]): Promise<string | undefined> {
  if (!lines.length) return undefined;
  const dir = path.join(reportDir, 'app-output');
  await fs.mkdir(dir, { recursive: true });
  const name = `${prefix}.log`.replace(/[^a-zA-Z0-9._-]/g, '_');
  // The app may print the URL it was given: reports never hold a password.
  await fs.writeFile(path.join(dir, name), redactUrlsIn(lines.join('\n') + '\n'));
  return `app-output/${name}`;
}

/** Writes the output of every server that exited since the last cell to `<reportDir>/servers/`; returns their entries. */
async function keepServerLogs(reportDir: string, prefix: string): Promise<NonNullable<CellResult['servers']>> {
  // In name order (`c0`, `c1`, …), not exit order, so a rerun numbers its logs the same.
  const logs = takeServerLogs().sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (!logs.length) return [];
  const dir = path.join(reportDir, 'servers');
  await fs.mkdir(dir, { recursive: true });
  return Promise.all(
    logs.map(async (l, i) => {
      const file = path.join(dir, `${prefix}--${i + 1}.log`.replace(/[^a-zA-Z0-9._-]/g, '_'));
      // A server may print the DATABASE_URL it was given: reports never hold a password.
      await fs.writeFile(file, redactUrlsIn(l.output));
      return { name: l.name, log: path.relative(reportDir, file), exitCode: l.exitCode };
    }),
  );
}

/** A replay when there is one, every interleaving in exhaustive mode, else seeded random cases (saved ones first). */
function pickStrategy(
  spec: CellSpec,
  started: number,
  caps: TargetCapabilities,
  onPhase: (phase: 'search' | 'shrink') => void,
): CaseStrategy {
  const { run } = spec;
  if (run.replay) return replayStrategy(run.replay, run.mode === 'stress' ? run.runs : 1);
  const workloads = apiWorkloads(spec.scenario, caps);
  if (run.mode === 'exhaustive') {
    const deadline = spec.timeBudgetMs ? started + spec.timeBudgetMs : Infinity;
    return exhaustiveStrategy(workloads, { seed: run.seed, workloads: run.runs, deadline, prune: spec.prune ?? true });
  }
  return randomStrategy(workloads, {
    mode: run.mode,
    seed: run.seed,
    runs: run.runs,
    examples: spec.examples,
    onPhase,
    ...(run.scheduler ? { scheduler: run.scheduler } : {}),
    ...(spec.maxFailures ? { maxFailures: spec.maxFailures } : {}),
    parallel: spec.trialsInParallel ?? 1,
  });
}
