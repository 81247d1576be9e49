// cli: `npm run fuzz` / `chatfuzz`. Three steps: the plan (flags + config + a --replay case,
// resolved once by resolvePlan), the resources a run starts (RunResources: server, workers, lock,
// signals, clean-up) and the finish (finishRun: the reporters' onRunEnd and the exit code 0/1/2/3).
// Wires the registries together (built-in targets, scenarios, reporters): the only part of the
// engine that imports targets/, scenarios/ and reports/.
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readFlags, parseArgs, USAGE, type CliOptions } from './parse-args.js';
import { loadConfig } from './load-config.js';
import { runInit } from './run-init.js';
import type { CliIo } from './cli-io.js';
import { InfraError, TargetContractError, UsageError } from '../errors.js';
import { startDatabaseServer } from '../db/start-database-server.js';
import { CellWorkerPool } from './workers/cell-worker-pool.js';
import { newRunId } from './new-run-id.js';
import { demoFooter } from './demo-plan.js';
import { holdRunLock } from '../db/leftovers/hold-database-run-lock.js';
import { findLeftoverDatabases } from '../db/leftovers/find-leftover-databases.js';
import { leftoverWarning } from './leftover-warning.js';
export { newRunId };
import { readCaseFile } from '../cases/case-file.js';
import { matrixCells, runFuzz, type FuzzPlan } from '../run/run-fuzz.js';
import { replayVerdict } from '../run/replay-verdict.js';
import { interruptedResults } from '../run/interrupted-results.js';
import type { CellResult } from '../run/results.js';
import { corpusExamples, loadCorpus, REGRESSIONS_DIR } from '../cases/failure-corpus.js';
import { builtinInvariants } from '../invariants/builtin-invariants.js';
import { INVARIANT_NAMES } from '../contract/define-target.js';
import { builtinScenarios } from '../../scenarios/builtin-scenarios.js';
import { builtinTargets } from '../../targets/builtin-targets.js';
import { loadTargets, type LoadedTarget } from '../contract/load-target.js';
import { builtinReporters, CONFIG_REPORTER_NAMES, type BuiltinReporterOptions } from '../../reports/builtin-reporters.js';
import { prepareReportDir } from '../../reports/prepare-report-dir.js';
import { BaselineFileError, parseBaseline, type Baseline } from '../../reports/baseline-diff.js';
import { loadReporters, type ReporterFailure } from './load-reporters.js';
import { finalResults, redactValue } from './final-results.js';
import { writeReportFiles } from '../../reports/write-report-files.js';
import type { Reporter } from '../run/reporter.js';
import { resolvePlan, type RunPlan } from './resolve-plan.js';
import { RunResources } from './run-resources.js';
import { finishRun } from './finish-run.js';
import type { CaseFile } from '../cases/case-file.js';
import type { DatabaseServer } from '../db/database-server.js';
export { CI_DEFAULT_TIME_BUDGET_MS, shardSeed } from './resolve-plan.js';

/** Reads and checks a --baseline file; anything wrong with it is a usage error (exit 2) naming the file. */
export async function readBaseline(file: string, cwd: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--baseline ${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? (e as Error).message})`}; pass the results.json of an earlier run`,
    );
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

async function listText(): Promise<string> {
  const pad = (s: string, n: number) => s.padEnd(n);
  const lines = ['targets:'];
  for (const [name, load] of Object.entries(builtinTargets)) {
    // A target that cannot even load is listed with the reason, not hidden.
    const description = await load().then(
      (d) => d.description ?? '',
      (e) => `(cannot load: ${(e as Error).message})`,
    );
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
  const run = new RunResources(io);
  try {
    if (argv[0] === 'init') return await runInit(argv.slice(1), io);
    if (argv[0] === 'drop-leftovers') return await (await import('./drop-leftovers.js')).runDropLeftovers(argv.slice(1), io);
    if (argv[0] === 'merge-reports') return await (await import('./merge/merge-reports.js')).runMergeReports(argv.slice(1), io);
    return await runFuzzCommand(argv, io, run);
  } catch (e) {
    // A run cut short by a signal fails as its server goes away; that is not worth a message.
    if (run.interrupted !== undefined) return run.interrupted;
    if (e instanceof UsageError || e instanceof InfraError) {
      run.err(`chatfuzz: ${e.message}`);
      // A broken target is not a usage mistake: its message already names the rule.
      if (e instanceof UsageError && !(e instanceof TargetContractError))
        run.err('run `npm run fuzz -- --help` for usage, `--list` for targets and scenarios');
      return e.exitCode;
    }
    run.err(`chatfuzz: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return 3;
  } finally {
    await run.close();
  }
}

/** Plans the run, starts what it needs (owned by `run`), runs the cells and finishes. */
async function runFuzzCommand(argv: string[], io: CliIo, run: RunResources): Promise<number> {
  const flags = readFlags(argv);
  if (flags.help || flags.list) {
    parseArgs(flags);
    io.stdout.write(flags.help ? USAGE + '\n' : await listText());
    return 0;
  }
  const config = await loadConfig(flags.config ?? null, io.cwd);
  const replay = flags.replay ? await readCaseFile(path.resolve(io.cwd, flags.replay)) : undefined;
  const plan = resolvePlan({
    flags,
    config,
    replay,
    runId: newRunId(),
    cwd: io.cwd,
    env: io.env,
    freshSeed: crypto.randomBytes(4).readInt32LE(0),
    scenarios: builtinScenarios,
    builtinTargets: Object.keys(builtinTargets),
  });
  // Checked before a database is started: a wrong path should cost no time.
  const baseline = plan.baselineFile !== null ? await readBaseline(plan.baselineFile, io.cwd) : undefined;
  run.runId = plan.runId;
  // An unusable report folder found after the run would cost the run its results.
  run.createdReportDirs = await prepareReportDir(plan.reportDir, plan.reportDirGiven ? '--report' : 'the report folder');
  const out = await runReporters(plan, io);
  // The server starts while the targets load (with an ORM's client, the slowest part of start-up); a target that cannot load stops it again.
  run.starting = startDatabaseServer(plan.db ?? undefined, io.env);
  run.starting.catch(() => {});
  const targets = await loadPlanTargets(plan, io, run);
  // Workers start now: their start-up overlaps the database server's.
  const workerCount = Math.min(
    plan.workers ?? os.availableParallelism(),
    matrixCells({ targets, scenarios: plan.scenarios, shard: plan.shard }).length,
  );
  if (workerCount > 1) run.workers = new CellWorkerPool(workerCount, io.env);
  const server = await startServer(plan, run);
  out.setBanner(banner(plan, server, targets.length, io.cwd));
  // Saved failures are retried first, so a fixed bug shows as fixed; --replay runs only its case.
  const corpus = plan.replay ? [] : (await loadCorpus(io.cwd)).filter((e) => !plan.noCorpus || e.file.startsWith(REGRESSIONS_DIR));
  const r = plan.replay?.case;
  const finished: CellResult[] = [];
  const fuzzPlan: FuzzPlan = {
    run: {
      runId: plan.runId,
      mode: plan.mode,
      scheduler: plan.scheduler,
      seed: plan.seed,
      runs: plan.runs,
      callTimeoutMs: plan.callTimeoutMs,
      isolation: plan.isolation,
      latency: plan.latency,
      reportDir: plan.reportDir,
      corpusDir: plan.noCorpus ? undefined : io.cwd,
      replay: r ? { workload: r.workload, ...(r.choices ? { choices: r.choices } : {}) } : undefined,
    },
    targets,
    scenarios: plan.scenarios,
    timeBudgetMs: plan.timeBudgetMs,
    shard: plan.shard,
    runner: run.workers,
    examples: (t, s) => corpusExamples(corpus, t, s, plan.mode),
    reporters: out.reporters.map((x) => redactingCells(x, run.secrets)),
    onCellResult: (c) => {
      if (run.interrupted === undefined) finished.push(c);
    },
  };
  const runStarted = new Date();
  run.partial = {
    async write(signal) {
      const results = finalResults(interruptedResults(fuzzPlan, server, runStarted, finished, signal), { secrets: run.secrets });
      await writeReportFiles(results, plan.reportDir);
      run.createdReportDirs = [];
      const n = results.cells.filter((c) => c.outcome !== 'not-run').length;
      run.err(
        `chatfuzz: ${signal}: ${n} of ${results.cells.length} cell(s) finished, the rest marked not-run; report: ${path.relative(io.cwd, path.join(plan.reportDir, 'index.html')) || plan.reportDir}`,
      );
    },
  };
  let raw = await runFuzz(fuzzPlan, server);
  run.partial = undefined;
  if (plan.replay) {
    // A replay that shows nothing is no pass: it did not show what it was run to show.
    const judged = replayVerdict(raw, plan.replay.case);
    raw = judged.results;
    for (const m of judged.messages) run.err(`chatfuzz: ${m}`);
  }
  const code = await finishRun({
    raw,
    reporters: out.reporters,
    reportDir: plan.reportDir,
    secrets: run.secrets,
    json: plan.json,
    io,
    err: (s) => run.err(s),
    baseline: baseline && { baseline, file: plan.baselineFile!, gate: plan.ci },
    reporterFailures: out.failures,
    onWritten: () => {
      run.createdReportDirs = [];
    },
  });
  if (plan.demo)
    (plan.json ? io.stderr : io.stdout).write(demoFooter(plan.demo, Object.keys(builtinTargets).length, builtinScenarios.length));
  return code;
}

/** The run's reporters: the config's (or the default terminal output), then the report files, then --json. */
async function runReporters(
  plan: RunPlan,
  io: CliIo,
): Promise<{ reporters: Reporter[]; failures: ReporterFailure[]; setBanner(b: string): void }> {
  const tty = !plan.ci && !!io.stderr.isTTY;
  let header = '';
  const o: BuiltinReporterOptions = {
    out: plan.json ? io.stderr : io.stdout,
    err: io.stderr,
    stdout: io.stdout,
    tty,
    color: tty && !io.env.NO_COLOR,
    verbose: plan.verbose,
    banner: () => header,
    cwd: io.cwd,
    firstInFull: !!plan.demo,
  };
  const failures: ReporterFailure[] = [];
  const names: readonly string[] = CONFIG_REPORTER_NAMES;
  const reporters = [
    // User reporters load before a database starts: a wrong path should cost no time either.
    ...(await loadReporters(plan.reporters, {
      cwd: io.cwd,
      builtinNames: CONFIG_REPORTER_NAMES,
      failures,
      // The demo keeps to a screen: a line per cell only where it is redrawn in place.
      builtin: (name) =>
        !names.includes(name)
          ? undefined
          : plan.demo && !tty && name === 'default'
            ? builtinReporters.console(o)
            : builtinReporters[name as (typeof CONFIG_REPORTER_NAMES)[number]](o),
    })),
    // The report files are the run's record (CI artifacts, --baseline, merge-reports): always written, last but --json.
    ...builtinReporters.files(o),
    ...(plan.json ? builtinReporters.json(o) : []),
  ];
  return {
    reporters,
    failures,
    setBanner: (b) => {
      header = b;
    },
  };
}

async function loadPlanTargets(plan: RunPlan, io: CliIo, run: RunResources): Promise<LoadedTarget[]> {
  const { replay } = plan;
  const targets = await loadTargets([...plan.targetSpecs], {
    registry: builtinTargets,
    scenarioNames: builtinScenarios.map((s) => s.name),
    cwd: io.cwd,
  }).catch((e) => {
    throw replay && !replay.targetGiven && e instanceof UsageError ? replayTargetError(replay.case, replay.file, e) : e;
  });
  if (replay && replay.targetGiven && !targets.some((t) => t.def.name === replay.case.target)) {
    run.err(
      `chatfuzz: note: ${replay.file} was found on target "${replay.case.target}"; replaying it on ${targets.map((t) => `"${t.def.name}"`).join(', ')} as --target says`,
    );
  }
  return targets;
}

/** Waits for the database server; on a user's server, takes the run lock and warns of leftovers. */
async function startServer(plan: RunPlan, run: RunResources): Promise<DatabaseServer> {
  const server = await run.starting!;
  run.server = server;
  run.secrets = server.secrets;
  // A user's server outlives the run: while this run lives its lock keeps its databases from counting
  // as leftovers, so it is taken before the first one exists. An embedded or container server is the run's own.
  if (server.kind === 'url') {
    run.runLock = await holdRunLock(server, plan.runId);
    // Only a warning: a server that will not list its databases must not stop the run.
    const found = await findLeftoverDatabases(server, { ownRunId: plan.runId }).catch(() => undefined);
    const warning = found && leftoverWarning(found, plan.db ?? undefined);
    if (warning) run.err(warning);
  }
  return server;
}

function banner(plan: RunPlan, server: DatabaseServer, targetCount: number, cwd: string): string {
  const budget = plan.ciTimeBudget ? ` · time budget ${plan.timeBudgetMs! / 60_000}m (--ci default)` : '';
  const from = plan.configFile ? ` · config ${path.relative(cwd, plan.configFile) || plan.configFile}` : '';
  return `chatfuzz ${plan.mode} · seed ${plan.seed} · ${server.kind} ${server.serverVersion} · ${targetCount} target(s) × ${plan.scenarios.length} scenario(s)${budget}${from} · run ${plan.runId}`;
}

function replayTargetError(c: CaseFile, file: string, e: UsageError): UsageError {
  return new UsageError(
    `--replay ${file}: cannot load its target "${c.target}" from "${c.targetSpec}" (the path is relative to the folder the failing run started in): ${e.message}\n` +
      `  if the target moved, or you run from another folder, pass it: --replay ${file} --target ./path/to/target.ts`,
  );
}

/** `r` hearing each finished cell with the server's secrets removed, as onRunEnd hears the whole run. */
function redactingCells(r: Reporter, secrets: readonly string[]): Reporter {
  const onCellEnd = r.onCellEnd;
  return onCellEnd ? { ...r, onCellEnd: (cell) => onCellEnd.call(r, redactValue(cell, secrets)) } : r;
}

export type { CliIo, CliOptions };
