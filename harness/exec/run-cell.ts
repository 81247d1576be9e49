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
import { failureSnapshot } from '../../reports/failure-snapshot.js';
import { workloadSize, type Workload } from '../workload/workload.js';
import { writeCaseFile, type CaseFile } from './case-file.js';
import { saveToCorpus } from './failure-corpus.js';
import type { CellFailure, CellResult, Mode } from './results.js';
import { runScheduledTrial, runStressTrial, type TrialEnv, type TrialResult } from './run-trial.js';
import { formatStep, type Chooser } from './scheduled-gate.js';
import { exploreInterleavings } from './explore-interleavings.js';
import { createTrialPool, type TrialPool } from './trial-pool.js';
import { latencySampler } from './latency-sampler.js';
import { VERSION } from '../version.js';
import type { IsolationLevel } from '../../targets/define-target.js';
import type { LatencyRange } from '../cli/parse-args.js';

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
  /** Replays this case (scheduled: once, exactly; stress: up to `runs` times, until it fails) instead of generating new ones. */
  replay?: TrialCase;
  /** Cases tried before any generated one (the failure corpus and committed regressions). */
  examples?: TrialCase[];
  /** Default transaction isolation for the target's connections; the target's own `isolation` wins. */
  isolation?: IsolationLevel | null;
  /** Stress mode: random delay range before each statement. */
  latency?: LatencyRange | null;
  /** Exhaustive mode: skip schedules that only reorder commuting statements (default true). */
  prune?: boolean;
  /** Tests: called once the trials are done, before the pool is destroyed. */
  afterTrials?: (pool: TrialPool, databaseName: string) => Promise<void>;
  /** Project directory whose `.chatfuzz/corpus/` keeps every failure; none in tests that must not write there. */
  corpusDir?: string;
}

/** What one trial runs: a workload and, in scheduled and exhaustive mode, the schedule's choices. */
export interface TrialCase { workload: Workload; choices?: number[]; /** Exhaustive mode: decides online; the picks become `choices`. */ chooser?: Chooser }

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

const EXHAUSTIVE_CAP = 5000;

/** The application_name of the connections handed to targets, so pg_stat_activity tells them from the harness's. */
export const TARGET_APPLICATION_NAME = 'chatfuzz target';

const STRESS_NOTE = 'stress mode: a replay reproduces the workload, not the timing; it may need several runs to fail again';

/** Distinct small workloads (fewest calls first) for exhaustive mode, where every interleaving is run. */
function smallWorkloads(arb: fc.Arbitrary<Workload>, seed: number, count: number): Workload[] {
  const seen = new Set<string>();
  const out: Workload[] = [];
  for (const w of fc.sample(arb, { seed, numRuns: 300 }).sort((a, b) => workloadSize(a) - workloadSize(b))) {
    const key = JSON.stringify(w);
    if (seen.has(key) || workloadSize(w) > 4) continue;
    seen.add(key);
    out.push(w);
    if (out.length >= count) break;
  }
  return out;
}

/** Runs one cell on a database of its own and returns its results.json entry. */
export async function runCell(o: CellOptions): Promise<CellResult> {
  const { def } = o.target;
  const started = performance.now();
  const expected = def.expect?.[o.scenario.name] ?? def.expect?.['*'] ?? 'pass';
  const db = await createRunDatabase(o.server, `chatfuzz_${o.runId}_${o.cellIndex + 1}`);
  const isolation = def.isolation ?? o.isolation ?? undefined;
  const pool = createTrialPool({
    connectionString: db.url, max: 32, connectionTimeoutMillis: Math.max(1000, o.callTimeoutMs), application_name: TARGET_APPLICATION_NAME,
    // Every transaction of the target's connections, explicit or implicit, starts at this level.
    ...(isolation ? { options: `-c default_transaction_isolation=${isolation.replace('-', '\\ ')}` } : {}),
  });
  const harnessPool = new pg.Pool({ connectionString: db.url, max: 2 });
  harnessPool.on('error', () => {});
  let env: TrialEnv | undefined;
  let control: pg.Client | undefined;
  let trials = 0;
  let calls = 0;
  let first = null as { runs: number; ms: number } | null;
  let last = null as { case: TrialCase; result: TrialResult } | null;
  let onFailure: ((c: TrialCase, r: TrialResult) => void) | undefined;
  let exploration: Exploration | undefined;
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
    // Scheduled mode watches locks through it; every mode kills connections through it.
    control = new pg.Client({ connectionString: db.url });
    control.on('error', () => {});
    await control.connect();
    const latency = o.mode === 'stress' && o.latency ? latencySampler(o.latency, o.seed) : undefined;
    env = { def, store: asStore(store), pool, harnessPool, callTimeoutMs: o.callTimeoutMs, control, latency };
    const trialEnv = env;

    // The budget is checked between trials: interrupting one in flight (fast-check's
    // interruptAfterTimeLimit) would let the pool be destroyed under a running trial.
    const budgetEnd = o.timeBudgetMs ? started + o.timeBudgetMs : Infinity;
    const trial = async (c: TrialCase): Promise<boolean> => {
      if (harnessError || (performance.now() > budgetEnd && o.mode !== 'exhaustive')) return true;
      const n = ++trials;
      calls += workloadSize(c.workload);
      let result: TrialResult;
      try {
        result = o.mode === 'stress'
          ? await runStressTrial(trialEnv, c.workload, `t${n}_`)
          : await runScheduledTrial(trialEnv, c.workload, `t${n}_`, c.chooser ?? c.choices ?? []);
        if (c.chooser) c.choices = result.picks;
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
        last = { case: c, result };
      }
      onFailure?.(c, result);
      for (const r of o.reporters) r.onTrial?.({
        target: def.name, scenario: o.scenario.name, cellIndex: o.cellIndex, cellCount: o.cellCount,
        trials: n, plannedTrials: o.runs, failed: !!first, shrinking, elapsedMs: performance.now() - started,
      });
      return !failed;
    };

    const caps = { handleChat: typeof env.store.handleChat === 'function', deleteSession: typeof env.store.deleteSession === 'function' };
    if (o.replay) {
      // A scheduled replay is exact; a stress replay repeats the workload until the timing lines up again.
      const times = o.mode === 'stress' ? o.runs : 1;
      for (let i = 0; i < times; i++) if (!(await trial(o.replay))) break;
    } else if (o.mode === 'exhaustive') {
      const workloads = smallWorkloads(o.scenario.arbitrary(caps), o.seed, o.runs);
      const distinct = new Map<string, { case: TrialCase; result: TrialResult }>();
      onFailure = (c, r) => {
        if (!r.violations.length) return;
        const v = r.violations[0]!;
        const key = `${v.invariant} ${v.sqlstate ?? ''} ${v.constraint ?? ''}`;
        if (!distinct.has(key)) distinct.set(key, { case: c, result: r });
      };
      exploration = { workloads: 0, interleavings: 0, pruned: 0, redundant: 0, complete: true, distinctFailures: [] };
      for (const w of workloads) {
        const deadline = o.timeBudgetMs ? started + o.timeBudgetMs : Infinity;
        const r = await exploreInterleavings(async (chooser) => {
          await trial({ workload: w, chooser });
        }, { cap: EXHAUSTIVE_CAP, deadline, prune: o.prune ?? true });
        exploration.workloads++;
        exploration.interleavings += r.explored;
        exploration.pruned += r.pruned;
        exploration.redundant += r.redundant;
        exploration.complete &&= r.complete;
        if (performance.now() > deadline) break;
      }
      exploration.distinctFailures = [...distinct.entries()].map(([key, f]) => ({ key, message: f.result.violations[0]!.message, schedule: (f.result.schedule ?? []).map(formatStep) }));
      // The reported counterexample is the first failing interleaving of the smallest workload.
      const firstFailure = [...distinct.values()][0];
      if (firstFailure) last = firstFailure;
    } else {
      const arb: fc.Arbitrary<TrialCase> = o.mode === 'stress'
        ? o.scenario.arbitrary(caps).map((workload) => ({ workload }))
        : fc.tuple(o.scenario.arbitrary(caps), fc.array(fc.nat({ max: 15 }), { maxLength: 64 })).map(([workload, choices]) => ({ workload, choices }));
      const examples = (o.examples ?? []).map((c) => [c] as [TrialCase]);
      await fc.check(fc.asyncProperty(arb, trial), {
        seed: o.seed,
        numRuns: o.runs,
        examples,
      });
    }
    await o.afterTrials?.(pool, db.name);
  } finally {
    if (env?.store.close) await Promise.race([env.store.close().catch(() => {}), sleep(2000)]);
    await pool.destroy();
    await harnessPool.end().catch(() => {});
    await control?.end().catch(() => {});
    await db.drop();
  }

  const durationMs = Math.round(performance.now() - started);
  const base = {
    target: def.name, scenario: o.scenario.name, mode: o.mode, expected, runs: trials, calls, durationMs,
    ...(isolation ? { isolation } : {}),
    runsToFirstFailure: first?.runs ?? null, msToFirstFailure: first?.ms ?? null,
    ...(o.mode === 'stress' ? { note: STRESS_NOTE } : {}),
    ...(exploration ? { exploration, note: `exhaustive: ${exploration.interleavings} interleavings of ${exploration.workloads} workload(s) explored${exploration.complete ? ' (complete)' : ' (stopped at the cap or budget)'}, ${exploration.distinctFailures.length} distinct failure(s); ${o.prune === false ? 'no pruning' : `${exploration.pruned} branch(es) pruned as reorderings of commuting reads${exploration.redundant ? `, ${exploration.redundant} redundant run(s)` : ''}`}` } : {}),
  };
  if (harnessError) return { ...base, outcome: 'fail', ok: false, error: harnessError };
  if (!last) return { ...base, outcome: 'pass', ok: expected === 'pass' };
  const failure = await describeFailure(o, last, shrinks);
  return { ...base, outcome: 'fail', ok: expected === 'fail', failure };
}

async function describeFailure(o: CellOptions, last: { case: TrialCase; result: TrialResult }, shrinks: number): Promise<CellFailure> {
  const { history, violations, schedule } = last.result;
  const top = violations[0]!;
  const saved: CaseFile = {
    chatfuzz: VERSION, target: o.target.def.name, targetSpec: targetSpec(o.target), scenario: o.scenario.name,
    mode: o.mode, seed: o.seed, invariant: top.invariant, workload: last.case.workload,
    ...(last.case.choices ? { choices: last.case.choices.slice(0, schedule?.length ?? last.case.choices.length) } : {}),
  };
  const caseFile = await writeCaseFile(path.join(o.reportDir, 'cases'), saved);
  if (o.corpusDir) await saveToCorpus(o.corpusDir, saved).catch(() => {});
  const rel = path.relative(process.cwd(), caseFile) || caseFile;
  return {
    invariant: top.invariant,
    ...(top.sqlstate ? { sqlstate: top.sqlstate } : {}),
    ...(top.prismaCode ? { prismaCode: top.prismaCode } : {}),
    ...(top.constraint ? { constraint: top.constraint } : {}),
    message: top.message,
    seed: o.seed,
    counterexample: {
      ops: history.calls.map((c) => ({
        client: c.client, label: c.label, outcome: c.outcome, invokedAt: c.invokedAt, completedAt: c.completedAt,
        ...(c.error ? { error: c.error } : {}),
      })),
      ...(schedule ? { schedule: schedule.map(formatStep) } : {}),
    },
    replay: `npm run fuzz -- --replay ${shellQuote(rel)}`,
    caseFile: rel,
    violations,
    statements: history.statements,
    workload: last.case.workload,
    shrinks,
    snapshot: failureSnapshot(history, last.result.snapshot),
  };
}

function targetSpec(t: LoadedTarget): string {
  return t.source.startsWith('built-in ') ? t.def.name : t.source;
}

function shellQuote(s: string): string {
  return /^[\w./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function sleep(ms: number) { return new Promise((r) => setTimeout(r, ms).unref()); }
