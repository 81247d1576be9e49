import { parseArgs as nodeParseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { DURATION_RANGES, parseDuration } from '../contract/parse-duration.js';
import { MODES, SCHEDULERS, type Mode, type Scheduler } from '../contract/define-config.js';
import type { LatencyRange } from '../faults/latency-sampler.js';
import { ISOLATION_LEVELS, type IsolationLevel } from '../contract/define-target.js';

/** The parsed command line of `npm run fuzz`. */
export interface CliOptions {
  targets: string[] | null;
  scenarios: string[] | null;
  mode: Mode;
  /** Scheduled mode's scheduler (default pct). */
  scheduler: Scheduler;
  runs: number | null;
  timeBudgetMs: number | null;
  seed: number | null;
  replay: string | null;
  db: string | null;
  reportDir: string | null;
  json: boolean;
  ci: boolean;
  /** A previous results.json to compare every cell with (the regression view). */
  baseline: string | null;
  list: boolean;
  help: boolean;
  callTimeoutMs: number;
  noCorpus: boolean;
  /** Default transaction isolation of the cell databases (targets may declare their own). */
  isolation: IsolationLevel | null;
  /** Stress mode: a random delay in [minMs, maxMs] before each statement is sent. */
  latency: LatencyRange | null;
  /** --config: the config file to read instead of ./chatfuzz.config.ts. */
  config: string | null;
  /** Print every failure in full, expected ones too. */
  verbose: boolean;
  /** Cells run at once, each in a worker process of its own; null: one per core. */
  workers: number | null;
  /** Run only the cells whose index is `index - 1` modulo `total` (1-based, as `--shard 2/3`). */
  shard: Shard | null;
  /** The config's `reporters` (built-in names and module paths); null: the default terminal output. */
  reporters: string[] | null;
  /** --all: every built-in target × every scenario instead of the short demo a run without a config plays. */
  all: boolean;
}

/** A deterministic slice of a run's cells: `--shard index/total`. */
export interface Shard {
  index: number;
  total: number;
}

/** Values a config file supplies; a flag given on the command line wins over each. */
export type CliDefaults = Partial<
  Pick<
    CliOptions,
    | 'targets'
    | 'scenarios'
    | 'mode'
    | 'scheduler'
    | 'runs'
    | 'timeBudgetMs'
    | 'seed'
    | 'db'
    | 'reportDir'
    | 'ci'
    | 'baseline'
    | 'callTimeoutMs'
    | 'noCorpus'
    | 'isolation'
    | 'workers'
    | 'reporters'
  >
>;

const FLAGS = {
  target: { type: 'string' },
  scenario: { type: 'string' },
  mode: { type: 'string' },
  scheduler: { type: 'string' },
  runs: { type: 'string' },
  'time-budget': { type: 'string' },
  seed: { type: 'string' },
  replay: { type: 'string' },
  db: { type: 'string' },
  report: { type: 'string' },
  json: { type: 'boolean' },
  ci: { type: 'boolean' },
  baseline: { type: 'string' },
  isolation: { type: 'string' },
  latency: { type: 'string' },
  list: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  'call-timeout': { type: 'string' },
  'no-corpus': { type: 'boolean' },
  config: { type: 'string' },
  verbose: { type: 'boolean' },
  workers: { type: 'string' },
  shard: { type: 'string' },
  all: { type: 'boolean' },
} as const;

/** Usage text listing every flag. */
export const USAGE = `usage: npm run fuzz -- [options]
  --target a,b|./file.ts   built-in target names or a path to a target module (default: the config's targets;
                           without a config, a short demo of 4 built-in targets × 4 scenarios)
  --scenario x,y           scenario names (default: all built, or the demo's 4); see --list
  --all                    without a config: the whole built-in matrix (every target × every scenario), not the demo
  --mode M                 scheduled (default: seeded statement order, exact replays), stress (real concurrency),
                           exhaustive (every interleaving of small workloads)
  --scheduler S            scheduled mode's statement order: pct (default: random priorities with change points over
                           the whole trial) or uniform (the baseline: a few small seeded choices, then first-come)
  --runs N                 trials per cell (default 100; a --replay runs its case up to N times, default 20)
  --time-budget 30s        wall-clock budget for the whole run, shared by its cells (ms, s, m, h; 1s to 24h)
  --seed S                 fast-check seed (an integer); the same seed generates the same workloads
  --replay FILE            re-run a saved case file (written beside every failure under DIR/cases/)
  --db URL|embedded|container   PostgreSQL to use (default: DATABASE_URL, else the embedded server)
  --report DIR             where results.json, index.html and junit.xml go (default reports/runs/<run id>)
  --json                   also print results.json to stdout (human output goes to stderr)
  --ci                     CI gate: plain lines, no progress line or colour; without --runs and --time-budget a
                           time budget of 5m for the whole run; exit 1 on an unmet expectation or, with
                           --baseline, on a new failure
  --baseline FILE          a previous results.json: marks every cell new-failure, fixed, still-failing,
                           unchanged or new-cell in the console, index.html, junit.xml and results.json
  --isolation LEVEL        read-committed (server default), repeatable-read or serializable, for every transaction
                           of targets that do not declare their own \`isolation\`
  --latency 0-5ms          stress mode: a random delay in that range before each statement, to widen race windows
  --call-timeout 5s        a call still pending after this is recorded as info (default 5s; 100ms to 1h)
  --no-corpus              neither retry nor save cases in .chatfuzz/corpus/ (scenarios/regressions/ still run)
  --verbose                print expected failures in full too (calls, statements), not one line each
  --workers N              cells run at once, each in a process of its own (default: one per core; 1 runs them in turn);
                           results do not depend on N
  --shard i/N              run the i-th of N deterministic slices of the cells (CI matrix); merge the parts'
                           report folders with \`chatfuzz merge-reports DIR…\`
  --config FILE            read this config instead of ./chatfuzz.config.ts (its settings are defaults; flags win)
  --list                   list targets, scenarios and invariants
subcommands: chatfuzz init (scaffold a config, a target, a fuzz script and a CI workflow in this project)
             chatfuzz merge-reports DIR… [--report OUT] (one results.json, index.html and junit.xml from --shard parts)
             chatfuzz drop-leftovers [--db URL] [--dry-run] (drop the databases killed runs left on a --db server)
exit codes: 0 every cell met its expectation, 1 some cell did not, 2 usage or config error, 3 infrastructure error`;

/** Parses `0-5ms`, `2ms`, `1-2s` (a bare number is milliseconds) into a latency range. */
export function parseLatency(text: string): LatencyRange {
  const m = /^(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*(ms|s)?$/.exec(text.trim());
  const scale = m?.[3] === 's' ? 1000 : 1;
  const minMs = m ? Number(m[1]) * scale : NaN;
  const maxMs = m ? Number(m[2] ?? m[1]) * scale : NaN;
  if (!m || !(maxMs >= minMs) || maxMs > 10_000) throw new UsageError(`--latency must be a range like 0-5ms, at most 10s (got "${text}")`);
  return { minMs, maxMs };
}

/** A comma-separated flag value as a list; null when it names nothing. */
export function list(v: string | undefined): string[] | null {
  if (v === undefined) return null;
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return items.length ? items : null;
}

/** The flags of a command line as given, each a string or boolean, not yet checked or merged with a config. */
export type FlagValues = ReturnType<typeof readFlags>;

/** Reads argv (without node and script) once; an unknown flag or a missing value is a UsageError naming the valid flags. */
export function readFlags(argv: string[]) {
  try {
    return nodeParseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const valid = Object.keys(FLAGS)
      .map((f) => `--${f}`)
      .join(', ');
    const message = (e as Error).message.split('\n')[0]!.replace(/\.$/, '');
    // A value that starts with '-' reads as a flag: `--seed -5` is ambiguous, `--seed=-5` is not.
    const hint = /ambiguous/.test(message) ? ' (write a negative value with =, like --seed=-5)' : '';
    throw new UsageError(`${message}${hint}. Valid flags: ${valid}`);
  }
}

/** Checks the flags (argv, or what readFlags made of it) over the config's `defaults`; a bad value is a UsageError. */
export function parseArgs(argv: string[] | FlagValues, defaults: CliDefaults = {}): CliOptions {
  const v = Array.isArray(argv) ? readFlags(argv) : argv;
  // `--target ''` (an unset shell variable) must not silently mean "every built-in".
  for (const flag of ['target', 'scenario'] as const) {
    if (v[flag] !== undefined && list(v[flag]) === null)
      throw new UsageError(
        `--${flag} is empty (got "${v[flag]}"): name ${flag === 'target' ? 'a target or a target module path' : 'a scenario'} (see --list), or leave the flag out for all of them`,
      );
  }
  if (v.mode !== undefined && !(MODES as readonly string[]).includes(v.mode))
    throw new UsageError(`--mode must be one of ${MODES.join(', ')} (got "${v.mode}")`);
  const mode = (v.mode as Mode | undefined) ?? defaults.mode ?? 'scheduled';
  if (v.scheduler !== undefined && !(SCHEDULERS as readonly string[]).includes(v.scheduler))
    throw new UsageError(`--scheduler must be one of ${SCHEDULERS.join(', ')} (got "${v.scheduler}")`);
  const scheduler = (v.scheduler as Scheduler | undefined) ?? defaults.scheduler ?? 'pct';
  let runs: number | null = defaults.runs ?? null;
  if (v.runs !== undefined) {
    runs = Number(v.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a positive integer (got "${v.runs}")`);
  }
  let seed: number | null = defaults.seed ?? null;
  if (v.seed !== undefined) {
    seed = Number(v.seed);
    if (!Number.isInteger(seed) || Math.abs(seed) > 2 ** 31)
      throw new UsageError(`--seed must be an integer between -2^31 and 2^31 (got "${v.seed}")`);
  }
  let isolation: IsolationLevel | null = defaults.isolation ?? null;
  if (v.isolation !== undefined) {
    if (!(ISOLATION_LEVELS as readonly string[]).includes(v.isolation))
      throw new UsageError(`--isolation must be one of ${ISOLATION_LEVELS.join(', ')} (got "${v.isolation}")`);
    isolation = v.isolation as IsolationLevel;
  }
  let latency: LatencyRange | null = null;
  if (v.latency !== undefined) {
    latency = parseLatency(v.latency);
    // Gates already decide every statement's timing in scheduled and exhaustive mode.
    if (mode !== 'stress')
      throw new UsageError(`--latency applies to --mode stress only (got --mode ${mode}); scheduled mode decides statement order itself`);
  }
  const callTimeoutMs =
    v['call-timeout'] !== undefined
      ? parseDuration(v['call-timeout'], '--call-timeout', DURATION_RANGES.callTimeout)
      : (defaults.callTimeoutMs ?? 5000);
  // Each statement waits up to the latency's maximum: at or past the call timeout, calls would time out by design.
  if (latency && latency.maxMs >= callTimeoutMs)
    throw new UsageError(
      `--latency ${v.latency} reaches the call timeout (${callTimeoutMs} ms): every call would time out; lower --latency or raise --call-timeout`,
    );
  let workers: number | null = defaults.workers ?? null;
  if (v.workers !== undefined) {
    workers = Number(v.workers);
    if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS)
      throw new UsageError(`--workers must be an integer from 1 to ${MAX_WORKERS} (got "${v.workers}")`);
  }
  return {
    targets: list(v.target) ?? defaults.targets ?? null,
    scenarios: list(v.scenario) ?? defaults.scenarios ?? null,
    mode,
    scheduler,
    runs,
    timeBudgetMs:
      v['time-budget'] !== undefined
        ? parseDuration(v['time-budget'], '--time-budget', DURATION_RANGES.timeBudget)
        : (defaults.timeBudgetMs ?? null),
    seed,
    replay: v.replay ?? null,
    db: v.db ?? defaults.db ?? null,
    reportDir: v.report ?? defaults.reportDir ?? null,
    json: !!v.json,
    ci: !!v.ci || !!defaults.ci,
    baseline: v.baseline ?? defaults.baseline ?? null,
    list: !!v.list,
    help: !!v.help,
    callTimeoutMs,
    noCorpus: !!v['no-corpus'] || !!defaults.noCorpus,
    isolation,
    latency,
    config: v.config ?? null,
    verbose: !!v.verbose,
    workers,
    shard: v.shard !== undefined ? parseShard(v.shard) : null,
    reporters: defaults.reporters ?? null,
    all: !!v.all,
  };
}

/** More workers than this only queue on the database server's connections and CPUs. */
export const MAX_WORKERS = 64; // validate-config.ts says the same of `workers`

/** Parses `--shard i/N` (1 ≤ i ≤ N). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || !(total >= 1) || !(index >= 1) || index > total)
    throw new UsageError(`--shard must be i/N with 1 ≤ i ≤ N, like 2/3 (got "${text}")`);
  return { index, total };
}
