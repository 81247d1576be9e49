// The run plan: everything a run's flags, its config and a --replay case decide, resolved once
// into one frozen object that the rest of the CLI reads and never changes. Pure: no I/O, no
// clock, no randomness (the run id and a fresh seed are inputs).
import { demoPlan, type DemoPlan } from './demo-plan.js';
import crypto from 'node:crypto';
import path from 'node:path';
import type { CaseFile } from '../cases/case-file.js';
import type { Mode, Scheduler } from '../contract/define-config.js';
import type { IsolationLevel } from '../contract/define-target.js';
import { UsageError } from '../errors.js';
import type { LatencyRange } from '../faults/latency-sampler.js';
import type { Scenario } from '../workload/scenario.js';
import type { LoadedConfig } from './load-config.js';
import { list, parseArgs, type FlagValues, type Shard } from './parse-args.js';

const DEFAULT_RUNS = 100;
const DEFAULT_REPLAY_RUNS = 20;
const DEFAULT_EXHAUSTIVE_WORKLOADS = 3;
/** --ci without --runs or --time-budget: a gate must end in a known time, whatever the targets do. */
export const CI_DEFAULT_TIME_BUDGET_MS = 5 * 60_000;

/** A run of `npm run fuzz`, decided: read-only, made once by resolvePlan. */
export interface RunPlan {
  readonly runId: string;
  /** The mode the cells run in (a replay's own: an exhaustive case replays scheduled). */
  readonly mode: Mode;
  /** Scheduled mode's scheduler (a replay's case records its picks, so either replays exactly). */
  readonly scheduler: Scheduler;
  readonly seed: number;
  /** Trials per cell (exhaustive: workloads). */
  readonly runs: number;
  readonly timeBudgetMs: number | null;
  /** The time budget is --ci's default, not one given. */
  readonly ciTimeBudget: boolean;
  readonly callTimeoutMs: number;
  readonly isolation: IsolationLevel | null;
  readonly latency: LatencyRange | null;
  /** --target entries to load (names or module paths). */
  readonly targetSpecs: readonly string[];
  readonly scenarios: readonly Scenario[];
  /** --replay: the case file as given, the case, and whether --target chose where it runs. */
  readonly replay: { readonly file: string; readonly case: CaseFile; readonly targetGiven: boolean } | null;
  /** Absolute; `reportDirGiven` when --report or the config named it. */
  readonly reportDir: string;
  readonly reportDirGiven: boolean;
  readonly db: string | null;
  readonly json: boolean;
  readonly ci: boolean;
  readonly verbose: boolean;
  readonly noCorpus: boolean;
  readonly workers: number | null;
  readonly shard: Shard | null;
  /** --baseline as given (read before a database starts). */
  readonly baselineFile: string | null;
  /** The config's reporters, or the default terminal output. */
  readonly reporters: readonly string[];
  /** The config file read, if any. */
  readonly configFile: string | null;
  /** The short demo a run without a config or a choice of targets plays; null otherwise. */
  readonly demo: DemoPlan | null;
}

/** What resolvePlan decides from. */
export interface PlanInput {
  flags: FlagValues;
  /** Whether the demo's wire target can load (postgres.js installed); default: look. */
  demoWire?: boolean;
  config?: LoadedConfig;
  replay?: CaseFile;
  runId: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The seed when neither a flag, a replay, the config nor a shard gives one. */
  freshSeed: number;
  /** Every scenario there is, by name. */
  scenarios: readonly Scenario[];
  /** Every built-in target's name (what a run without --target or config runs). */
  builtinTargets: readonly string[];
}

/** The run plan for a command line over a config and a --replay case; a contradiction or an unknown name is a UsageError. */
export function resolvePlan(i: PlanInput): RunPlan {
  const opts = parseArgs(i.flags, i.config?.defaults);
  const replayed = i.replay && opts.replay ? { file: opts.replay, case: i.replay, targetGiven: !!list(i.flags.target) } : null;
  const r = replayed?.case;
  const mode = r ? (r.mode === 'exhaustive' ? 'scheduled' : r.mode) : opts.mode;
  const demo = demoPlan(opts, !!i.config, !!r, i.demoWire) ?? null;
  const scenarios = resolveScenarios(r ? [r.scenario] : (demo?.scenarios ?? opts.scenarios), i.scenarios);
  // A replay runs its own case's target unless --target names another; a config's targets do not replace it.
  const targetSpecs =
    list(i.flags.target) ??
    (replayed
      ? [replayTargetSpec(replayed.case, replayed.file, i.builtinTargets)]
      : (opts.targets ?? demo?.targets ?? [...i.builtinTargets]));
  // A seed given on the command line wins over the case's; the case's over the config's.
  const seed =
    (i.flags.seed !== undefined ? opts.seed : null) ?? r?.seed ?? opts.seed ?? demo?.seed ?? (opts.shard ? shardSeed(i.env) : i.freshSeed);
  const timeBudgetMs = opts.timeBudgetMs ?? (opts.ci && opts.runs === null && !r ? CI_DEFAULT_TIME_BUDGET_MS : null);
  return deepFreeze({
    runId: i.runId,
    mode,
    scheduler: opts.scheduler,
    seed,
    runs: opts.runs ?? demo?.runs ?? (r ? DEFAULT_REPLAY_RUNS : mode === 'exhaustive' ? DEFAULT_EXHAUSTIVE_WORKLOADS : DEFAULT_RUNS),
    timeBudgetMs,
    ciTimeBudget: timeBudgetMs !== null && opts.timeBudgetMs === null,
    // What changes a trial: a flag given on the command line, else the case file's (a replay runs as its case failed), else the config's.
    callTimeoutMs: i.flags['call-timeout'] === undefined && r?.callTimeoutMs !== undefined ? r.callTimeoutMs : opts.callTimeoutMs,
    isolation: i.flags.isolation === undefined && r?.isolation !== undefined ? r.isolation : opts.isolation,
    latency: i.flags.latency !== undefined || !r ? opts.latency : r.mode === 'stress' ? (r.latency ?? null) : null,
    targetSpecs,
    scenarios,
    replay: replayed,
    reportDir: path.resolve(i.cwd, opts.reportDir ?? path.join('reports', 'runs', i.runId)),
    reportDirGiven: opts.reportDir !== null,
    db: opts.db,
    json: opts.json,
    ci: opts.ci,
    verbose: opts.verbose,
    noCorpus: opts.noCorpus,
    workers: opts.workers,
    shard: opts.shard,
    baselineFile: opts.baseline,
    reporters: opts.reporters ?? ['default'],
    configFile: i.config?.file ?? null,
    demo,
  });
}

function resolveScenarios(names: string[] | null, all: readonly Scenario[]): readonly Scenario[] {
  if (!names) return [...all];
  return names.map((n) => {
    const s = all.find((x) => x.name === n);
    if (s) return s;
    throw new UsageError(`unknown scenario "${n}". Valid scenarios: ${all.map((x) => x.name).join(', ')}`);
  });
}

/** What `--target` must say to replay `c`: its targetSpec, or a built-in target's name; else a UsageError naming the fix. */
function replayTargetSpec(c: CaseFile, file: string, builtinTargets: readonly string[]): string {
  if (typeof c.targetSpec === 'string' && c.targetSpec !== '') return c.targetSpec;
  if (builtinTargets.includes(c.target)) return c.target;
  throw new UsageError(
    `--replay ${file}: the case file does not say where target "${c.target}" is loaded from (no targetSpec); pass the target's module: --replay ${file} --target ./path/to/target.ts`,
  );
}

/** Every shard of a CI run must generate the same workloads: without --seed they share the CI run's id. */
export function shardSeed(env: NodeJS.ProcessEnv): number {
  const id = env.GITHUB_RUN_ID ?? env.CI_PIPELINE_ID ?? env.BUILDKITE_BUILD_NUMBER ?? env.CIRCLE_WORKFLOW_ID;
  if (!id)
    throw new UsageError(
      '--shard needs --seed S (the same in every shard, so the shards split one run): no CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, …) to share',
    );
  const n = Number.parseInt(crypto.createHash('sha256').update(id).digest('hex').slice(0, 8), 16);
  return n | 0;
}

// The plan's own objects only: a case's workload and a scenario are shared with the engine, which does not change them either.
function deepFreeze<T extends object>(plan: T): T {
  for (const v of Object.values(plan))
    if (Array.isArray(v) || (v && typeof v === 'object' && v.constructor === Object && !('workload' in v))) Object.freeze(v);
  return Object.freeze(plan);
}
