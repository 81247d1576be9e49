import path from 'node:path';
import fc from 'fast-check';
import pg from 'pg';
import { UsageError } from '../cli/errors.js';
import { applySchema } from '../db/apply-schema.js';
import type { DatabaseServer } from '../db/database-server.js';
import { createRunDatabase } from '../db/run-database.js';
import type { LoadedTarget } from '../../targets/load-target.js';
import { asStore, validateStore } from '../../targets/validate-target.js';
import type { Scenario } from '../../scenarios/scenario.js';
import type { Reporter } from '../../reports/reporter.js';
import { workloadSize, type Workload } from '../workload/workload.js';
import { writeCaseFile } from './case-file.js';
import type { CellFailure, CellResult, Mode } from './results.js';
import { runStressTrial, type TrialEnv, type TrialResult } from './run-trial.js';
import { createTrialPool } from './trial-pool.js';
import { VERSION } from '../version.js';

/** Everything one target × scenario × mode cell needs. */
export interface CellOptions {
  target: LoadedTarget;
  scenario: Scenario;
  mode: Mode;
  server: DatabaseServer;
  runId: string;
  cellIndex: number;
  cellCount: number;
  runs: number;
  timeBudgetMs: number | null;
  seed: number;
  callTimeoutMs: number;
  reportDir: string;
  reporters: Reporter[];
  /** Replays this workload (up to `runs` times, until it fails) instead of generating new ones. */
  replay?: Workload;
}

const STRESS_NOTE = 'stress mode: a replay reproduces the workload, not the timing; it may need several runs to fail again';

/** Runs one cell on a database of its own and returns its results.json entry. */
export async function runCell(o: CellOptions): Promise<CellResult> {
  const { def } = o.target;
  const started = performance.now();
  const expected = def.expect?.[o.scenario.name] ?? def.expect?.['*'] ?? 'pass';
  const db = await createRunDatabase(o.server, `chatfuzz_${o.runId}_${o.cellIndex + 1}`);
  const pool = createTrialPool({ connectionString: db.url, max: 32, connectionTimeoutMillis: Math.max(1000, o.callTimeoutMs) });
  const harnessPool = new pg.Pool({ connectionString: db.url, max: 2 });
  harnessPool.on('error', () => {});
  let env: TrialEnv | undefined;
  let trials = 0;
  let calls = 0;
  let first = null as { runs: number; ms: number } | null;
  let last = null as { workload: Workload; result: TrialResult } | null;
  let harnessError = undefined as string | undefined;
  let shrinking = false;
  let shrinks = 0;
  try {
    await applySchema(db.url, def);
    let store: unknown;
    try {
      store = await def.create({ pool, databaseUrl: db.url });
    } catch (e) {
      throw new UsageError(`target ${def.name}: create() threw: ${(e as Error)?.message ?? String(e)}`);
    }
    const problems = validateStore(store, def);
    if (problems.length) throw new UsageError(`target ${def.name} (${o.target.source}):\n  - ${problems.join('\n  - ')}`);
    env = { def, store: asStore(store), pool, harnessPool, callTimeoutMs: o.callTimeoutMs };
    const trialEnv = env;

    const trial = async (workload: Workload): Promise<boolean> => {
      if (harnessError) return true;
      const n = ++trials;
      calls += workloadSize(workload);
      let result: TrialResult;
      try {
        result = await runStressTrial(trialEnv, workload, `t${n}_`);
      } catch (e) {
        // The harness could not reach a verdict (e.g. the target's snapshot threw): stop the cell and say why.
        harnessError = `trial ${n} could not be checked: ${(e as Error)?.message ?? String(e)}`;
        return true;
      }
      const failed = result.violations.length > 0;
      if (failed) {
        if (!first) first = { runs: n, ms: Math.round(performance.now() - started) };
        if (shrinking) shrinks++;
        shrinking = true;
        last = { workload, result };
      }
      for (const r of o.reporters) r.onTrial?.({
        target: def.name, scenario: o.scenario.name, cellIndex: o.cellIndex, cellCount: o.cellCount,
        trials: n, plannedTrials: o.runs, failed: !!first, shrinking, elapsedMs: performance.now() - started,
      });
      return !failed;
    };

    if (o.replay) {
      for (let i = 0; i < o.runs; i++) if (!(await trial(o.replay))) break;
    } else {
      const caps = { handleChat: typeof env.store.handleChat === 'function', deleteSession: typeof env.store.deleteSession === 'function' };
      await fc.check(fc.asyncProperty(o.scenario.arbitrary(caps), trial), {
        seed: o.seed,
        numRuns: o.runs,
        ...(o.timeBudgetMs ? { interruptAfterTimeLimit: o.timeBudgetMs, markInterruptAsFailure: false } : {}),
      });
    }
  } finally {
    if (env?.store.close) await Promise.race([env.store.close().catch(() => {}), sleep(2000)]);
    await pool.destroy();
    await harnessPool.end().catch(() => {});
    await db.drop();
  }

  const durationMs = Math.round(performance.now() - started);
  const base = {
    target: def.name, scenario: o.scenario.name, mode: o.mode, expected, runs: trials, calls, durationMs,
    runsToFirstFailure: first?.runs ?? null, msToFirstFailure: first?.ms ?? null,
    ...(o.mode === 'stress' ? { note: STRESS_NOTE } : {}),
  };
  if (harnessError) return { ...base, outcome: 'fail', ok: false, error: harnessError };
  if (!last) return { ...base, outcome: 'pass', ok: expected === 'pass' };
  const failure = await describeFailure(o, last, shrinks);
  return { ...base, outcome: 'fail', ok: expected === 'fail', failure };
}

async function describeFailure(o: CellOptions, last: { workload: Workload; result: TrialResult }, shrinks: number): Promise<CellFailure> {
  const { history, violations } = last.result;
  const top = violations[0]!;
  const caseFile = await writeCaseFile(path.join(o.reportDir, 'cases'), {
    chatfuzz: VERSION, target: o.target.def.name, targetSpec: targetSpec(o.target), scenario: o.scenario.name,
    mode: o.mode, seed: o.seed, invariant: top.invariant, workload: last.workload,
  });
  const rel = path.relative(process.cwd(), caseFile) || caseFile;
  return {
    invariant: top.invariant,
    ...(top.sqlstate ? { sqlstate: top.sqlstate } : {}),
    ...(top.constraint ? { constraint: top.constraint } : {}),
    message: top.message,
    seed: o.seed,
    counterexample: {
      ops: history.calls.map((c) => ({
        client: c.client, label: c.label, outcome: c.outcome, invokedAt: c.invokedAt, completedAt: c.completedAt,
        ...(c.error ? { error: c.error } : {}),
      })),
    },
    replay: `npm run fuzz -- --replay ${shellQuote(rel)}`,
    caseFile: rel,
    violations,
    statements: history.statements,
    workload: last.workload,
    shrinks,
  };
}

function targetSpec(t: LoadedTarget): string {
  return t.source.startsWith('built-in ') ? t.def.name : t.source;
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function sleep(ms: number) { return new Promise((r) => setTimeout(r, ms).unref()); }
