// cli: `npm run fuzz` / `chatfuzz`. Parses flags, wires the registries together (built-in
// targets, scenarios, reporters) and hands the run stage a FuzzPlan; then applies the baseline,
// writes the report files and maps the outcome to the exit code (0/1/2/3). The only part of
// the engine that imports targets/, scenarios/ and reports/.
import crypto from 'node:crypto';
import { readFile, rmdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, USAGE, type CliOptions } from './parse-args.js';
import { loadConfig } from './load-config.js';
import { runInit } from './run-init.js';
import type { CliIo } from './cli-io.js';
import { InfraError, TargetContractError, UsageError } from '../errors.js';
import { startDatabaseServer } from '../db/start-database-server.js';
import type { DatabaseServer } from '../db/database-server.js';
import { createdDatabases, dropDatabasesOfRun, dropRunDatabase } from '../db/run-database.js';
import { CellWorkerPool } from './workers/cell-worker-pool.js';
import { newRunId } from './new-run-id.js';
import { holdRunLock, type HeldRunLock } from '../db/leftovers/hold-database-run-lock.js';
import { findLeftoverDatabases } from '../db/leftovers/find-leftover-databases.js';
import { leftoverWarning } from './leftover-warning.js';
export { newRunId };
import { redactSecrets } from '../db/redact-url.js';
import { readCaseFile, type CaseFile } from '../cases/case-file.js';
import { matrixCells, runFuzz } from '../run/run-fuzz.js';
import { stopAllServers } from '../contract/start-server.js';
import { corpusExamples, loadCorpus, REGRESSIONS_DIR } from '../cases/failure-corpus.js';
import type { RunResults } from '../run/results.js';
import { builtinInvariants } from '../invariants/builtin-invariants.js';
import { INVARIANT_NAMES } from '../contract/define-target.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import type { Scenario } from '../workload/scenario.js';
import { builtinTargets } from '../../targets/builtin-targets.js';
import { loadTargets } from '../contract/load-target.js';
import { builtinReporters } from '../../reports/builtin-reporters.js';
import { writeReportFiles } from '../../reports/write-report-files.js';
import { prepareReportDir } from '../../reports/prepare-report-dir.js';
import { applyBaseline, BaselineFileError, parseBaseline, type Baseline } from '../../reports/baseline-diff.js';

const DEFAULT_RUNS = 100;
const DEFAULT_REPLAY_RUNS = 20;
const DEFAULT_EXHAUSTIVE_WORKLOADS = 3;
/** --ci without --runs or --time-budget: a gate must end in a known time, whatever the targets do. */
export const CI_DEFAULT_TIME_BUDGET_MS = 5 * 60_000;

/** Reads and checks a --baseline file; anything wrong with it is a usage error (exit 2) naming the file. */
export async function readBaseline(file: string, cwd: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--baseline ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (e as Error).message})`}; pass the results.json of an earlier run`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--baseline ${file} is not a chatfuzz results.json: not valid JSON (${(e as Error).message})`);
  }
  try {
    return parseBaseline(json, file);
  } catch (e) {
    if (e instanceof BaselineFileError) throw new UsageError(e.message);
    throw e;
  }
}


function resolveScenarios(names: string[] | null): readonly Scenario[] {
  if (!names) return builtinScenarios;
  return names.map((n) => {
    const s = builtinScenarios.find((x) => x.name === n);
    if (s) return s;
    throw new UsageError(`unknown scenario "${n}". Valid scenarios: ${builtinScenarios.map((x) => x.name).join(', ')}`);
  });
}

async function listText(): Promise<string> {
  const pad = (s: string, n: number) => s.padEnd(n);
  const lines = ['targets:'];
  for (const [name, load] of Object.entries(builtinTargets)) {
    // A target that cannot even load is listed with the reason, not hidden.
    const description = await load().then((d) => d.description ?? '', (e) => `(cannot load: ${(e as Error).message})`);
    lines.push(`  ${pad(name, 30)} ${description}`);
  }
  lines.push('', 'scenarios:');
  for (const s of builtinScenarios) lines.push(`  ${pad(s.name, 30)} ${s.description}`);
  lines.push('', 'invariants:');
  for (const name of INVARIANT_NAMES) {
    const inv = builtinInvariants.find((i) => i.name === name);
    lines.push(`  ${pad(name, 30)} ${inv ? inv.description : '(not built yet)'}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs `npm run fuzz` with the given arguments; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let server: DatabaseServer | undefined;
  let starting: Promise<DatabaseServer> | undefined;
  let workers: CellWorkerPool | undefined;
  let runId: string | undefined;
  let runLock: HeldRunLock | undefined;
  let secrets: string[] = [];
  let createdReportDirs: string[] = [];
  const err = (s: string) => io.stderr.write(redactSecrets(s, secrets) + '\n');
  let cleaning: Promise<void> | undefined;
  const cleanUpOnce = () => (cleaning ??= (async () => {
    await cleanup(server ?? starting, workers, runId, runLock);
    // A run that ended before its report leaves no empty folders behind (rmdir keeps any with files in them).
    for (const d of createdReportDirs.reverse()) await rmdir(d).catch(() => {});
  })());
  let interrupted: number | undefined;
  const stop = (why: string, code: number) => {
    if (interrupted !== undefined) return;
    interrupted = code;
    err(`\nchatfuzz: ${why}: dropping the run's databases and stopping its server…`);
    void cleanUpOnce().finally(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal, SIGNAL_EXIT_CODES[signal as keyof typeof SIGNAL_EXIT_CODES] ?? 130);
  for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.once(signal, onSignal);
  // `npm run` and `npx` start chatfuzz through `sh -c`: a SIGTERM to npm ends the shell and npm but
  // never reaches this process, which would run on orphaned. A new parent pid says so.
  const parent = process.ppid;
  const parentWatch = setInterval(() => { if (process.ppid !== parent) stop(`the process that started it (pid ${parent}) has ended`, 143); }, 250);
  parentWatch.unref();
  try {
    if (argv[0] === 'init') return await runInit(argv.slice(1), io);
    if (argv[0] === 'drop-leftovers') return await (await import('./drop-leftovers.js')).runDropLeftovers(argv.slice(1), io);
    if (argv[0] === 'merge-reports') return await (await import('./merge/merge-reports.js')).runMergeReports(argv.slice(1), io);
    const flags = parseArgs(argv);
    // The config's settings are defaults: the same argv parsed over them lets every flag win.
    const config = flags.help || flags.list ? undefined : await loadConfig(flags.config, io.cwd);
    const opts = config ? parseArgs(argv, config.defaults) : flags;
    if (opts.help) { io.stdout.write(USAGE + '\n'); return 0; }
    if (opts.list) { io.stdout.write(await listText()); return 0; }
    let replay: CaseFile | undefined;
    if (opts.replay) replay = await readCaseFile(path.resolve(io.cwd, opts.replay));
    const scenarios = resolveScenarios(replay ? [replay.scenario] : opts.scenarios);
    const scenarioNames = builtinScenarios.map((s) => s.name);
    // A replay runs its own case's target unless --target names another; a config's targets do not replace it.
    const targetSpecs = flags.targets ?? (replay ? [replayTargetSpec(replay, opts.replay!)] : opts.targets ?? Object.keys(builtinTargets));
    const seed = flags.seed ?? replay?.seed ?? opts.seed ?? (opts.shard ? shardSeed(io.env) : crypto.randomBytes(4).readInt32LE(0));
    const mode = replay ? (replay.mode === 'exhaustive' ? 'scheduled' : replay.mode) : opts.mode;
    // Checked before a database is started: a wrong path should cost no time.
    const baseline = opts.baseline !== null ? await readBaseline(opts.baseline, io.cwd) : undefined;
    const timeBudgetMs = opts.timeBudgetMs ?? (opts.ci && opts.runs === null && !replay ? CI_DEFAULT_TIME_BUDGET_MS : null);
    runId = newRunId();
    // An unusable report folder found after the run would cost the run its results.
    const reportDir = path.resolve(io.cwd, opts.reportDir ?? path.join('reports', 'runs', runId));
    createdReportDirs = await prepareReportDir(reportDir, opts.reportDir !== null ? '--report' : 'the report folder');
    // The server starts while the targets load (with an ORM's client, the slowest part of start-up); a target that cannot load stops it again.
    starting = startDatabaseServer(opts.db ?? undefined, io.env);
    starting.catch(() => {});
    const targets = await loadTargets(targetSpecs, { registry: builtinTargets, scenarioNames, cwd: io.cwd }).catch((e) => {
      throw replay && !flags.targets && e instanceof UsageError ? replayTargetError(replay, opts.replay!, e) : e;
    });
    if (replay && flags.targets && !targets.some((t) => t.def.name === replay.target)) {
      err(`chatfuzz: note: ${opts.replay} was found on target "${replay.target}"; replaying it on ${targets.map((t) => `"${t.def.name}"`).join(', ')} as --target says`);
    }
    // Workers start now: their start-up overlaps the database server's.
    const workerCount = Math.min(opts.workers ?? os.availableParallelism(), matrixCells({ targets, scenarios, shard: opts.shard }).length);
    if (workerCount > 1) workers = new CellWorkerPool(workerCount, io.env);

    server = await starting;
    secrets = server.secrets;
    // A user's server outlives the run: while this run lives its lock keeps its databases from counting
    // as leftovers, so it is taken before the first one exists. An embedded or container server is the run's own.
    if (server.kind === 'url') {
      runLock = await holdRunLock(server, runId);
      // Only a warning: a server that will not list its databases must not stop the run.
      const found = await findLeftoverDatabases(server, { ownRunId: runId }).catch(() => undefined);
      const warning = found && leftoverWarning(found, opts.db ?? undefined);
      if (warning) err(warning);
    }
    const human = opts.json ? io.stderr : io.stdout;
    const tty = !opts.ci && !!io.stderr.isTTY;
    const color = tty && !io.env.NO_COLOR;
    const reporters = [
      builtinReporters.progress({ out: io.stderr, tty, color }),
      builtinReporters.console({ out: human, tty, color, verbose: opts.verbose }),
    ];
    const budget = timeBudgetMs !== null && opts.timeBudgetMs === null ? ` · time budget ${timeBudgetMs / 60_000}m (--ci default)` : '';
    const from = config ? ` · config ${path.relative(io.cwd, config.file) || config.file}` : '';
    human.write(`chatfuzz ${mode} · seed ${seed} · ${server.kind} ${server.serverVersion} · ${targets.length} target(s) × ${scenarios.length} scenario(s)${budget}${from} · run ${runId}\n`);
    // Saved failures are retried first, so a fixed bug shows as fixed; --replay runs only its case.
    const corpus = replay ? [] : (await loadCorpus(io.cwd)).filter((e) => !opts.noCorpus || e.file.startsWith(REGRESSIONS_DIR));
    const raw = await runFuzz({
      examples: (t, s) => corpusExamples(corpus, t, s, mode),
      corpusDir: opts.noCorpus ? undefined : io.cwd,
      runId, targets, scenarios, mode, seed, reportDir, reporters,
      runs: opts.runs ?? (replay ? DEFAULT_REPLAY_RUNS : mode === 'exhaustive' ? DEFAULT_EXHAUSTIVE_WORKLOADS : DEFAULT_RUNS),
      timeBudgetMs, callTimeoutMs: opts.callTimeoutMs, isolation: opts.isolation, latency: opts.latency, scheduler: opts.scheduler,
      replay: replay ? { workload: replay.workload, ...(replay.choices ? { choices: replay.choices } : {}) } : undefined,
      shard: opts.shard, runner: workers,
    }, server);
    const redacted = redactResults(raw, secrets);
    // --ci makes the baseline a gate: a cell that passed there and fails now fails the run.
    const results = baseline ? applyBaseline(redacted, baseline, { file: opts.baseline!, gate: opts.ci }) : redacted;
    // Console output comes from the reporters; files are written once the results are redacted.
    for (const r of reporters) await r.onRunEnd?.(results, reportDir);
    try {
      await writeReportFiles(results, reportDir);
      createdReportDirs = [];
    } catch (e) {
      // The folder was writable when the run began; whatever happened since, the verdicts must not be lost.
      err(`chatfuzz: could not write the report to ${reportDir}: ${(e as Error).message}`);
      err(opts.json ? 'results.json is on stdout (--json)' : 'results.json follows on stderr:');
      (opts.json ? io.stdout : io.stderr).write(JSON.stringify(results, null, 2) + '\n');
      return 3;
    }
    human.write(`report: ${path.relative(io.cwd, path.join(reportDir, 'index.html')) || reportDir}\n`);
    if (opts.json) io.stdout.write(JSON.stringify(results, null, 2) + '\n');
    return results.exitCode;
  } catch (e) {
    // A run cut short by a signal fails as its server goes away; that is not worth a message.
    if (interrupted !== undefined) return interrupted;
    if (e instanceof UsageError || e instanceof InfraError) {
      err(`chatfuzz: ${e.message}`);
      // A broken target is not a usage mistake: its message already names the rule.
      if (e instanceof UsageError && !(e instanceof TargetContractError)) err('run `npm run fuzz -- --help` for usage, `--list` for targets and scenarios');
      return e.exitCode;
    }
    err(`chatfuzz: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 3;
  } finally {
    for (const signal of Object.keys(SIGNAL_EXIT_CODES)) process.off(signal, onSignal);
    clearInterval(parentWatch);
    await cleanUpOnce();
  }
}

/** The exit code of a run stopped by a signal: 128 + the signal's number, as a shell reports it. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** What `--target` must say to replay `c`: its targetSpec, or a built-in target's name; else a UsageError naming the fix. */
function replayTargetSpec(c: CaseFile, file: string): string {
  if (typeof c.targetSpec === 'string' && c.targetSpec !== '') return c.targetSpec;
  if (Object.hasOwn(builtinTargets, c.target)) return c.target;
  throw new UsageError(`--replay ${file}: the case file does not say where target "${c.target}" is loaded from (no targetSpec); pass the target's module: --replay ${file} --target ./path/to/target.ts`);
}

function replayTargetError(c: CaseFile, file: string, e: UsageError): UsageError {
  return new UsageError(`--replay ${file}: cannot load its target "${c.target}" from "${c.targetSpec}" (the path is relative to the folder the failing run started in): ${e.message}\n`
    + `  if the target moved, or you run from another folder, pass it: --replay ${file} --target ./path/to/target.ts`);
}

/** Every shard of a CI run must generate the same workloads: without --seed they share the CI run's id. */
export function shardSeed(env: NodeJS.ProcessEnv): number {
  const id = env.GITHUB_RUN_ID ?? env.CI_PIPELINE_ID ?? env.BUILDKITE_BUILD_NUMBER ?? env.CIRCLE_WORKFLOW_ID;
  if (!id) throw new UsageError('--shard needs --seed S (the same in every shard, so the shards split one run): no CI run id (GITHUB_RUN_ID, CI_PIPELINE_ID, …) to share');
  const n = Number.parseInt(crypto.createHash('sha256').update(id).digest('hex').slice(0, 8), 16);
  return n | 0;
}

async function cleanup(started: DatabaseServer | Promise<DatabaseServer> | undefined, workers: CellWorkerPool | undefined, runId: string | undefined, runLock?: HeldRunLock): Promise<void> {
  // Target servers first (also on Ctrl-C, through onSignal): their connections would keep the run's databases from being dropped.
  await Promise.all([stopAllServers(), workers?.close()]);
  // A server still starting is waited for, so it is stopped too.
  const server = await Promise.resolve(started).catch(() => undefined);
  if (!server) return;
  for (const name of createdDatabases()) await dropRunDatabase(server, name).catch(() => {});
  // What a worker created and could not drop (it was killed, or its target crashed it).
  if (workers && runId) await dropDatabasesOfRun(server, runId).catch(() => {});
  // Let go only now: until its databases are gone the run must not look dead.
  await runLock?.release();
  await server.stop();
}

function redactResults(results: RunResults, secrets: string[]): RunResults {
  if (!secrets.length) return results;
  const all = secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  return JSON.parse(redactSecrets(JSON.stringify(results), all));
}

export type { CliIo, CliOptions };
